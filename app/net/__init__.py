"""Network helpers: the one guarded way out to URLs users and foreign servers influence."""
