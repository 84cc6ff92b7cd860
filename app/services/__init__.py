"""Domain services: the only layer that writes the database or decides who may do what."""
