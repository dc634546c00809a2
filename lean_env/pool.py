"""A thread-safe pool of Lean REPL processes keyed by header.

Importing Mathlib dominates the cost of a check (anchors §(e).5), so each process imports a header
once (`{"cmd": header}`, remembering the env id it answers) and then runs every request for that
header in that environment (`"env": <header env>` is added to command requests that name none).
Limits are enforced from outside, as the anchors learned the hard way (§(d).2): each process has its
own process group and an address-space cap; a request that outlives its timeout, a crash, garbage
on stdout or an RSS overrun kills the whole group, and the next request gets a fresh process, so a
bad candidate never poisons later ones. Processes are recycled after `recycle_after` requests
because a long-lived REPL accumulates every environment it has made (repl #77, kimina #6).

Outcomes (`PoolResult.status`):
  * `ok`: the REPL answered; `response` holds it. Lean errors and the REPL's `{"message": ...}`
    refusals are part of an answer, not pool failures: read `response.errors` / `response.error`.
  * `timeout`: no answer within the time limit; the process group was killed.
  * `crash`: the process died, printed garbage or went over the RSS limit; the group was killed.
  * `error`: the infrastructure could not serve the request at all: the REPL would not start, the
    header failed (Lean errors, no env, crash or timeout while importing), or the pool is closed.
None of them says by itself whether the candidate is wrong: the checker decides that (a memory
overrun or a crash that happens again on another process is the candidate's; see `lean_env.verifier`).
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from .repl import ReplError, ReplMemoryExceeded, ReplProcess, ReplResponse, ReplTimeout

STATUSES = ("ok", "timeout", "crash", "error")


@dataclass
class PoolResult:
    """What became of one request: see the module docstring for the meaning of each status."""

    status: str
    response: ReplResponse | None
    seconds: float
    detail: str = ""
    limit: str = ""  # "memory" when a `crash` was the RSS watchdog's kill


class LeaseUnavailable(Exception):
    """No REPL could be made ready for the header; `result` says why (status `error`)."""

    def __init__(self, result: PoolResult):
        super().__init__(result.detail)
        self.result = result


class _Worker:
    """One REPL process with its header environment ready."""

    def __init__(self, repl: ReplProcess, header: str, header_env: int):
        self.repl = repl
        self.header = header
        self.header_env = header_env
        self.requests = 0
        self.last_used = time.monotonic()
        self.dead = False

    def kill(self) -> None:
        self.dead = True
        self.repl.kill()


class Lease:
    """Exclusive use of one REPL whose header env is ready (see `ReplPool.lease`).

    Ids the REPL hands out (envs, proof states) stay valid while `alive`; after a timeout or crash
    the process is gone, and every later `run` answers `crash` without sending anything.
    """

    def __init__(self, pool: "ReplPool", worker: _Worker):
        self._pool = pool
        self._worker = worker

    @property
    def header(self) -> str:
        return self._worker.header

    @property
    def header_env(self) -> int:
        return self._worker.header_env

    @property
    def alive(self) -> bool:
        return not self._worker.dead

    @property
    def pid(self) -> int:
        return self._worker.repl.pid

    def run(self, request: dict[str, Any], timeout: float | None = None) -> PoolResult:
        """Send `request` (adding the header env to a `cmd` request without `env`) and classify it."""
        start = time.monotonic()
        if self._worker.dead:
            return PoolResult("crash", None, 0.0, "the REPL of this lease died earlier; its ids are gone")
        req = dict(request)
        if "cmd" in req and "env" not in req:
            req["env"] = self._worker.header_env
        self._worker.requests += 1
        self._worker.last_used = time.monotonic()
        limit = self._pool.timeout if timeout is None else timeout
        try:
            response = self._worker.repl.send(req, limit, rss_limit_mb=self._pool.rss_limit_mb)
        except ReplTimeout as e:
            self._worker.dead = True
            return PoolResult("timeout", None, time.monotonic() - start, str(e))
        except ReplMemoryExceeded as e:
            self._worker.dead = True
            return PoolResult("crash", None, time.monotonic() - start, f"memory watchdog: {e}", limit="memory")
        except ReplError as e:
            self._worker.dead = True
            return PoolResult("crash", None, time.monotonic() - start, str(e))
        return PoolResult("ok", response, time.monotonic() - start)


class ReplPool:
    """At most `workers` REPL processes, each importing one header once; safe to call from threads.

    `command` starts one REPL (e.g. `["lake", "env", ".lake/build/bin/repl"]` with `cwd` the project).
    `timeout` is the default per-request limit; importing a header gets `header_timeout`.
    `rss_limit_mb` (None: off) is the watchdog's limit on a process group's resident memory;
    `memory_mb` the address-space cap set at spawn. `acquire_timeout` (None: wait forever) bounds the
    wait for a free REPL; when it passes, the request ends as `error` (Kimina's `max_wait`).
    """

    def __init__(self, command: Sequence[str], cwd: str | None = None, workers: int = 2,
                 memory_mb: int = 8192, rss_limit_mb: int | None = None, timeout: float = 60.0,
                 recycle_after: int = 200, *, header_timeout: float = 600.0,
                 acquire_timeout: float | None = None, env: dict[str, str] | None = None):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.command = list(command)
        self.cwd = cwd
        self.workers = workers
        self.memory_mb = memory_mb
        self.rss_limit_mb = rss_limit_mb
        self.timeout = timeout
        self.recycle_after = recycle_after
        self.header_timeout = header_timeout
        self.acquire_timeout = acquire_timeout
        self.env = env
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._starting = 0
        self._closed = False
        self.started = 0  # processes started so far (for tests and reports)

    # -- public API -----------------------------------------------------------------------------

    def run(self, header: str, request: dict[str, Any], timeout: float | None = None) -> PoolResult:
        """Run one request in a REPL whose env for `header` is ready; never raises for REPL failures.

        `seconds` is the request's own time in the REPL (not the wait for a free REPL or the header
        import); for an `error` before sending, the time spent trying.
        """
        try:
            with self.lease(header) as lease:
                return lease.run(request, timeout)
        except LeaseUnavailable as e:
            return e.result

    @contextmanager
    def lease(self, header: str) -> Iterator[Lease]:
        """Exclusive use of one ready REPL for a sequence of requests (e.g. a proof-state session).

        Raises `LeaseUnavailable` when no REPL can import the header. The REPL goes back to the pool
        (or is recycled) when the block ends. A thread that holds a lease and then waits for another
        one (or calls `run`) can deadlock a pool with a single worker.
        """
        worker = self._acquire(header)
        try:
            yield Lease(self, worker)
        finally:
            self._release(worker)

    def close(self) -> None:
        """Kill every idle process now and every busy one as it is released; later calls fail."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for w in idle:
            w.kill()

    def live_pids(self) -> list[int]:
        """Process ids of the REPLs the pool holds (idle or busy)."""
        with self._cond:
            return [w.repl.pid for w in [*self._idle, *self._busy] if not w.dead]

    def __enter__(self) -> "ReplPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------------

    def _acquire(self, header: str) -> _Worker:
        evict: _Worker | None = None
        give_up = None if self.acquire_timeout is None else time.monotonic() + self.acquire_timeout
        with self._cond:
            while True:
                if self._closed:
                    raise LeaseUnavailable(PoolResult("error", None, 0.0, "the pool is closed"))
                same = [w for w in self._idle if w.header == header]
                if same:
                    worker = max(same, key=lambda w: w.last_used)
                    self._idle.remove(worker)
                    self._busy.add(worker)
                    return worker
                if len(self._idle) + len(self._busy) + self._starting < self.workers:
                    break
                if self._idle:  # all slots taken: evict the least recently used other header
                    evict = min(self._idle, key=lambda w: w.last_used)
                    self._idle.remove(evict)
                    break
                remaining = None if give_up is None else give_up - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise LeaseUnavailable(PoolResult("error", None, self.acquire_timeout or 0.0,
                                                      f"no REPL free within {self.acquire_timeout:g} s"))
                self._cond.wait(remaining)
            self._starting += 1
        if evict is not None:
            evict.kill()
        try:
            worker = self._start(header)
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            self._busy.add(worker)
        return worker

    def _start(self, header: str) -> _Worker:
        """Start a process and import `header`; raise LeaseUnavailable (status `error`) on failure."""
        start = time.monotonic()

        def fail(why: str) -> LeaseUnavailable:
            return LeaseUnavailable(PoolResult("error", None, time.monotonic() - start, why))

        try:
            repl = ReplProcess(self.command, cwd=self.cwd, memory_mb=self.memory_mb, env=self.env)
        except OSError as e:
            raise fail(f"cannot start the REPL {self.command}: {e}") from None
        with self._cond:
            self.started += 1
        try:
            response = repl.send({"cmd": header}, self.header_timeout, rss_limit_mb=self.rss_limit_mb)
        except ReplError as e:
            raise fail(f"header: {type(e).__name__}: {e}") from None
        problem = None
        if response.error is not None:
            problem = f"the REPL refused the header: {response.error}"
        elif response.env is None:
            problem = "the header's response has no env"
        elif response.errors:
            problem = "the header has Lean errors: " + "; ".join(m.data for m in response.errors)[:2000]
        if problem:
            repl.kill()
            raise fail(problem)
        return _Worker(repl, header, response.env)

    def _release(self, worker: _Worker) -> None:
        healthy = (not worker.dead and worker.requests < self.recycle_after and worker.repl.alive
                   and not (self.rss_limit_mb is not None and worker.repl.rss_mb() > self.rss_limit_mb))
        with self._cond:
            if healthy and not self._closed:
                self._busy.discard(worker)
                self._idle.append(worker)
                self._cond.notify()
                return
        # Kill before freeing the slot, so the pool never holds more than `workers` live processes.
        worker.kill()
        with self._cond:
            self._busy.discard(worker)
            self._cond.notify()
