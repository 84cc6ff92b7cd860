"""RQ jobs, queues and scheduler entry points (run by `python -m app.cli worker` / `scheduler`)."""
