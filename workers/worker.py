"""The RQ worker class of the pool: a SimpleWorker (no fork per job) that warms up first.

A fresh process pays for its database connection, statement compilation and HTTP clients on
its first publish; warming up before taking work keeps that off the first due posts.
"""

from __future__ import annotations

from typing import Any

from rq.worker import SimpleWorker

from app.services import publishing


class HeraldWorker(SimpleWorker):
    def work(self, *args: Any, **kwargs: Any) -> bool:
        publishing.warm_up()
        return super().work(*args, **kwargs)
