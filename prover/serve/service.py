"""What every route shares: the settings, the limits, the verifiers behind the work queue, metrics.

`Service.run` admits one request's items (all or none), waits for their verdicts and cancels the
pending ones when the client disconnects. Limit violations raise `LimitError`, which the app answers
with its status code (413 or 422) and the name of the limit.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import Callable

from fastapi import Request

from verifier_core.records import Candidate, Task, Verdict, Verifier
from .metrics import Metrics
from .queue import TooManyTimeouts, Verifiers, WorkQueue


@dataclass
class ServeSettings:
    """The server's configuration; every limit here is named in the 4xx that enforces it."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2             # verifier processes per language (and per timeout)
    timeout: float = 30.0        # default hard per-item timeout, seconds
    max_timeout: float = 300.0   # the largest per-item timeout a request may ask for (Kimina's /verify default)
    memory_mb: int | None = None
    max_queue: int = 256         # items queued or running, over all requests
    max_items: int = 256         # items per request
    max_body_bytes: int = 16 * 1024 * 1024
    max_item_bytes: int = 1_000_000  # statement, candidate or header of one item (the Dafny gate's limit)
    api_key: str | None = None
    cache: bool = True

    def __post_init__(self) -> None:
        if self.max_items > self.max_queue:
            raise ValueError(f"max_items ({self.max_items}) > max_queue ({self.max_queue}): "
                             "such a request could never be admitted")
        if not self.api_key and not is_loopback(self.host):
            raise ValueError(f"refusing to bind {self.host!r} without an API key: anyone who can reach it could "
                             "run the verifiers; pass --api-key-file, or bind a loopback address")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


class LimitError(Exception):
    def __init__(self, status_code: int, limit: str, detail: str):
        super().__init__(detail)
        self.status_code, self.limit, self.detail = status_code, limit, detail


class ClientGone(Exception):
    """The client disconnected; its pending items were cancelled."""


def default_factory(settings: ServeSettings) -> Callable[[str, float], Verifier]:
    """Verifiers as `prover verify` builds them, sharing one verdict cache."""
    from verifier_core.cache import VerdictCache
    from verifier_core.settings import verdict_cache_path
    from ..verifiers import get_verifier

    path = verdict_cache_path() if settings.cache else None
    cache = VerdictCache(path) if path else None

    def make(lang: str, timeout: float) -> Verifier:
        options: dict = {"workers": settings.workers, "timeout": timeout}
        if settings.memory_mb:
            options["memory_mb"] = settings.memory_mb
        return get_verifier(lang, cache=cache, **options)

    return make


class Service:
    def __init__(self, settings: ServeSettings, factory: Callable[[str, float], Verifier] | None = None):
        self.settings = settings
        self.metrics = Metrics()
        self.verifiers = Verifiers(factory or default_factory(settings))
        for lang in ("dafny", "lean"):  # made now (no process starts yet), so /health names the toolchains
            self.verifiers.get(lang, float(settings.timeout))
        # Twice the processes, as `check_many` in exact mode: some threads wait on CLI confirmations.
        self.queue = WorkQueue(self.verifiers, settings.max_queue, 2 * settings.workers, settings.workers,
                               on_verdict=lambda lang, v: self.metrics.verdict(lang, v.status, v.seconds))

    # -- limits ------------------------------------------------------------------------------------

    def timeout_for(self, requested: float | None) -> float:
        if requested is None:
            return float(self.settings.timeout)
        if not 0 < requested <= self.settings.max_timeout:
            raise LimitError(422, "max_timeout", f"timeout {requested:g} s is outside (0, {self.settings.max_timeout:g}] "
                                                 f"(max_timeout = {self.settings.max_timeout:g})")
        return float(requested)

    def check_items(self, ids: list, sizes: list[tuple[str, int]]) -> None:
        """Items per request, unique ids, and the size of each text (`sizes`: (what, bytes))."""
        if len(ids) > self.settings.max_items:
            raise LimitError(422, "max_items", f"{len(ids)} items in one request; max_items = {self.settings.max_items}")
        seen: set = set()
        for i in ids:
            key = (type(i).__name__, i)
            if key in seen:
                raise LimitError(422, "unique_ids", f"duplicate id {i!r}: ids must be unique within a request")
            seen.add(key)
        for what, n in sizes:
            if n > self.settings.max_item_bytes:
                raise LimitError(413, "max_item_bytes", f"{what} is {n} bytes; max_item_bytes = {self.settings.max_item_bytes}")

    # -- running -----------------------------------------------------------------------------------

    async def run(self, request: Request, jobs: list[tuple[Task, Candidate, float]]) -> list[Verdict]:
        """Verdicts for `jobs` in order; `Busy`/`Closed` from the queue; `ClientGone` on disconnect."""
        for lang in {t.lang for t, _, _ in jobs}:
            try:
                self.verifiers.check_admissible(lang, {timeout for t, _, timeout in jobs if t.lang == lang})
            except TooManyTimeouts as e:
                raise LimitError(422, "max_timeouts", str(e)) from None
        admitted = self.queue.submit(jobs)
        futures = [job.future for job in admitted]
        self.metrics.queue_depth.set(self.queue.depth)
        waiting = {asyncio.wrap_future(f) for f in futures}
        try:
            while waiting:
                _, waiting = await asyncio.wait(waiting, timeout=0.2)  # returns at once when all are done
                if waiting and await request.is_disconnected():
                    raise ClientGone()
        except (ClientGone, asyncio.CancelledError):
            for f in futures:
                f.cancel()  # pending items only: a running one finishes and reaches the cache
            raise
        finally:
            self.metrics.queue_depth.set(self.queue.depth)
        # What the request waited for: the queue, then the checks (an HTTP `Server-Timing` header,
        # so that a client can tell the service's own overhead from the verifier's time).
        request.state.timing = (max(j.started - j.queued for j in admitted), max(j.finished - j.started for j in admitted))
        return [f.result() for f in futures]

    def close(self) -> None:
        self.queue.close(wait=True)
        self.verifiers.close()
