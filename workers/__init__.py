"""RQ jobs, the worker class and the scheduler process (see `python -m app.cli`)."""
