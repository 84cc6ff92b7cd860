"""Settings module of `rq worker-pool --config app.observability.rq_settings`.

RQ imports it in the pool's main process before the worker processes are forked, so importing
it is where the workers get Herald's logging, metrics directory and Sentry (they inherit them).
"""

from app.observability import init_process, serve_metrics_port

init_process("worker")
serve_metrics_port()
