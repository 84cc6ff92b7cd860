# The part of rq-scheduler 0.14 that Herald uses (the package ships no types).
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from redis import Redis
from rq.job import Job
from rq.queue import Queue

# get_jobs yields jobs, or (job, due) pairs `with_times`.
Scheduled = Job | tuple[Job, dt.datetime]

class Scheduler:
    scheduler_key: str
    scheduler_lock_key: str
    scheduled_jobs_key: str
    connection: Redis
    name: str
    queue_name: str
    job_class: type[Job]
    _interval: float
    _lock_acquired: bool
    def __init__(
        self,
        queue_name: str = ...,
        queue: Queue | None = ...,
        interval: float = ...,
        connection: Redis | None = ...,
        job_class: type[Job] | None = ...,
        queue_class: type[Queue] | None = ...,
        name: str | None = ...,
    ) -> None: ...
    @property
    def key(self) -> str: ...
    def register_birth(self) -> None: ...
    def register_death(self) -> None: ...
    def _install_signal_handlers(self) -> None: ...
    def acquire_lock(self) -> bool: ...
    def remove_lock(self) -> None: ...
    def heartbeat(self) -> None: ...
    def _create_job(
        self,
        func: Callable[..., Any] | str,
        args: tuple[Any, ...] | None = ...,
        kwargs: dict[str, Any] | None = ...,
        commit: bool = ...,
        result_ttl: int | None = ...,
        ttl: int | None = ...,
        id: str | None = ...,
        description: str | None = ...,
        queue_name: str | None = ...,
        timeout: int | None = ...,
        meta: dict[str, Any] | None = ...,
    ) -> Job: ...
    def schedule(
        self,
        scheduled_time: dt.datetime,
        func: Callable[..., Any] | str,
        args: tuple[Any, ...] | None = ...,
        kwargs: dict[str, Any] | None = ...,
        interval: float | None = ...,
        repeat: int | None = ...,
        result_ttl: int | None = ...,
        ttl: int | None = ...,
        timeout: int | None = ...,
        id: str | None = ...,
        description: str | None = ...,
        queue_name: str | None = ...,
        meta: dict[str, Any] | None = ...,
    ) -> Job: ...
    def cancel(self, job: Job | str) -> None: ...
    def get_jobs(
        self,
        until: float | dt.datetime | None = ...,
        with_times: bool = ...,
        offset: int | None = ...,
        length: int | None = ...,
    ) -> Iterator[Scheduled]: ...
    def get_jobs_to_queue(self, with_times: bool = ...) -> Iterator[Scheduled]: ...
    def enqueue_jobs(self) -> Iterator[Scheduled]: ...
    def run(self, burst: bool = ...) -> None: ...
