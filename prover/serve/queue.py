"""The server's bounded work queue: items from every request, checked on the verifiers' own pools.

Admission is all or nothing per request: a request whose items do not fit in what is left of
`capacity` (items queued or running) is refused with `Busy`, which the app turns into 429 with a
`Retry-After` estimated from the measured time per item. Each item is one `check_many` call of one
pair on the language's verifier, so the verdict cache, the gate, retries on a fresh process and the
pools are those of `prover verify`; `threads` per language keep every verifier process busy, as
`check_many`'s own threads do in process. A pending item can be cancelled (its client went away);
one already running finishes, and its verdict still reaches the cache.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable

from verifier_core.records import Candidate, Task, Verdict, Verifier

# Verifiers per language kept at once, one per distinct per-item timeout (each has its own pool).
MAX_TIMEOUTS = 4


class Busy(Exception):
    """The queue cannot take the request now; `retry_after` seconds is the estimate to wait."""

    def __init__(self, retry_after: int, depth: int, capacity: int):
        super().__init__(f"queue full: {depth} of {capacity} items pending; retry after {retry_after} s")
        self.retry_after, self.depth, self.capacity = retry_after, depth, capacity


class Closed(Exception):
    """The server is draining: it takes no new work."""


class TooManyTimeouts(ValueError):
    """A per-item timeout would need one more verifier than `MAX_TIMEOUTS` allows."""


@dataclass
class Job:
    task: Task
    candidate: Candidate
    timeout: float
    future: Future
    queued: float = 0.0   # time.monotonic() at admission, start and end of the check
    started: float = 0.0
    finished: float = 0.0


class Verifiers:
    """One verifier per (language, timeout), made on first use by `factory(lang, timeout)`."""

    def __init__(self, factory: Callable[[str, float], Verifier]):
        self._factory = factory
        self._made: dict[tuple[str, float], Verifier] = {}
        self._lock = threading.Lock()

    def get(self, lang: str, timeout: float) -> Verifier:
        with self._lock:
            v = self._made.get((lang, timeout))
            if v is None:
                if sum(1 for (lg, _) in self._made if lg == lang) >= MAX_TIMEOUTS:
                    used = sorted(t for (lg, t) in self._made if lg == lang)
                    raise TooManyTimeouts(f"this server already runs {lang} verifiers for the timeouts {used} "
                                          f"(max_timeouts = {MAX_TIMEOUTS}); use one of them")
                v = self._made[(lang, timeout)] = self._factory(lang, timeout)
            return v

    def check_admissible(self, lang: str, timeouts: set[float]) -> None:
        """Raise `TooManyTimeouts` before anything is queued if `timeouts` would need too many."""
        with self._lock:
            have = {t for (lg, t) in self._made if lg == lang}
        if len(have | timeouts) > MAX_TIMEOUTS:
            raise TooManyTimeouts(f"this server already runs {lang} verifiers for the timeouts {sorted(have)} "
                                  f"(max_timeouts = {MAX_TIMEOUTS}); use one of them")

    def describe(self) -> list[dict[str, Any]]:
        """Every verifier made so far: language, timeout, toolchain stamp ("" when none is installed)."""
        with self._lock:
            made = sorted(self._made.items())
        return [{"lang": lang, "timeout": timeout, "toolchain": v.toolchain()} for (lang, timeout), v in made]

    def close(self) -> None:
        with self._lock:
            made, self._made = list(self._made.values()), {}
        for v in made:
            v.close()


class WorkQueue:
    """Bounded, cancellable, per-language worker threads over `Verifiers` (module docstring)."""

    def __init__(self, verifiers: Verifiers, capacity: int, threads: int, parallel: int,
                 langs: tuple[str, ...] = ("dafny", "lean"), on_verdict: Callable[[str, Verdict], None] | None = None):
        self.verifiers = verifiers
        self.capacity = max(1, int(capacity))
        self.threads = max(1, int(threads))
        self.parallel = max(1, int(parallel))  # verifier processes per language: the work actually done at once
        self._on_verdict = on_verdict
        self._lock = threading.Lock()
        self._pending = 0
        self._running = 0
        self._closed = False
        self._item_seconds = 1.0  # running mean of one item's time, for Retry-After
        self._queues: dict[str, queue.Queue[Job | None]] = {lang: queue.Queue() for lang in langs}
        self._workers = [threading.Thread(target=self._work, args=(lang,), name=f"serve-{lang}-{i}", daemon=True)
                         for lang in langs for i in range(self.threads)]
        for t in self._workers:
            t.start()

    @property
    def depth(self) -> int:
        """Items admitted and not finished (queued or running)."""
        with self._lock:
            return self._pending

    @property
    def running(self) -> int:
        with self._lock:
            return self._running

    def submit(self, jobs: list[tuple[Task, Candidate, float]]) -> list[Job]:
        """Queue every job or none: `Busy` when they do not fit, `Closed` while draining."""
        with self._lock:
            if self._closed:
                raise Closed("the server is shutting down")
            if self._pending + len(jobs) > self.capacity:
                wait = self._pending * self._item_seconds / self.parallel
                raise Busy(min(60, max(1, math.ceil(wait))), self._pending, self.capacity)
            self._pending += len(jobs)
        out = []
        now = time.monotonic()
        for task, cand, timeout in jobs:
            fut: Future = Future()
            fut.add_done_callback(self._finished)
            job = Job(task, cand, timeout, fut, queued=now)
            self._queues[task.lang].put(job)
            out.append(job)
        return out

    def _finished(self, _fut: Future) -> None:  # runs for a verdict and for a cancellation alike
        with self._lock:
            self._pending -= 1

    def _work(self, lang: str) -> None:
        q = self._queues[lang]
        while True:
            job = q.get()
            if job is None:
                return
            if not job.future.set_running_or_notify_cancel():
                continue  # its client went away before it started
            with self._lock:
                self._running += 1
            job.started = time.monotonic()
            try:
                verdict = self._check(job)
            finally:
                job.finished = time.monotonic()
                with self._lock:
                    self._running -= 1
                    self._item_seconds = 0.9 * self._item_seconds + 0.1 * (job.finished - job.started)
            if self._on_verdict:
                self._on_verdict(lang, verdict)
            job.future.set_result(verdict)

    def _check(self, job: Job) -> Verdict:
        try:
            verifier = self.verifiers.get(job.task.lang, job.timeout)
            return verifier.check_many([(job.task, job.candidate)])[0]
        except Exception as e:  # a bug below costs this item an `error`, never the worker thread
            return Verdict("error", f"infra:serve: {type(e).__name__}: {e}")

    def close(self, wait: bool = True) -> None:
        """Take no more work; with `wait`, finish every admitted item, then stop the threads."""
        with self._lock:
            self._closed = True
        for q in self._queues.values():
            for _ in range(self.threads):
                q.put(None)
        if wait:
            for t in self._workers:
                t.join()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"depth": self._pending, "running": self._running, "capacity": self.capacity,
                    "threads_per_lang": self.threads, "item_seconds_mean": round(self._item_seconds, 3)}
