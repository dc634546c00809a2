"""A pool of DafnyServer processes shared by worker threads, with limits enforced from outside.

Each check borrows one idle server (or starts one), so `size` checks run at once. A server that
hit the hard timeout, the memory cap, crashed or spoke garbage has already been killed (with its
z3 children) by `DafnyServer`; the pool just drops it and the next check starts a fresh one. A
healthy server is recycled after `recycle_after` checks, or earlier when its memory has grown,
because Boogie keeps per-program state that is never freed.
"""

from __future__ import annotations

import itertools
import queue
import tempfile
import threading
from typing import Sequence

from .server import DafnyServer, Reply

# Recycle a server early once it holds this share of the memory cap between checks, so that the
# RSS watchdog trips on a runaway proof rather than on memory leaked by earlier checks.
_RECYCLE_RSS_SHARE = 0.6


class ServerPool:
    """Up to `size` DafnyServer processes; `run` is thread-safe and blocks while all are busy."""

    def __init__(self, argv: Sequence[str], size: int = 2, memory_mb: int | None = 4096,
                 recycle_after: int = 200, base_args: Sequence[str] = ()):
        self.argv = list(argv)
        self.size = max(1, int(size))
        self.memory_mb = memory_mb
        self.recycle_after = max(1, int(recycle_after))
        self.base_args = list(base_args)
        self.started_pids: list[int] = []  # every server ever started (tests check none survives)
        self._slots = threading.BoundedSemaphore(self.size)
        self._idle: queue.LifoQueue[DafnyServer] = queue.LifoQueue()
        self._live: set[DafnyServer] = set()
        self._lock = threading.Lock()
        self._names = itertools.count()
        self._closed = False
        # The server resolves relative paths against its cwd; give it an empty one of its own.
        self._workdir = tempfile.TemporaryDirectory(prefix="dafny-pool-")

    def _new_server(self) -> DafnyServer:
        server = DafnyServer(self.argv, memory_mb=self.memory_mb, cwd=self._workdir.name)
        with self._lock:
            self.started_pids.append(server.pid)
            self._live.add(server)
        try:
            server.warm_up(self.base_args)
        except OSError:
            self._retire(server)
            raise
        return server

    def _retire(self, server: DafnyServer) -> None:
        with self._lock:
            self._live.discard(server)
        server.close()

    def _borrow(self, fresh: bool) -> DafnyServer:
        """An idle live server, or a new one; `fresh` retires one idle server (the one a retry
        would have reused) and starts a new process, leaving the other idle servers alone."""
        while True:
            try:
                server = self._idle.get_nowait()
            except queue.Empty:
                return self._new_server()
            if fresh or not server.alive:
                self._retire(server)
                if fresh:
                    return self._new_server()
                continue
            return server

    def _give_back(self, server: DafnyServer) -> None:
        worn = server.checks >= self.recycle_after
        bloated = bool(self.memory_mb) and server.rss_mb() > _RECYCLE_RSS_SHARE * self.memory_mb
        if self._closed or not server.alive or worn or bloated:
            self._retire(server)
        else:
            self._idle.put(server)

    def run(self, program: str, timeout: float, args: Sequence[str] = (), fresh: bool = False,
            command: str = "verify") -> Reply:
        """Verify `program` on some server within `timeout` seconds; `fresh` forces a new process.

        DafnyServer turns on Boogie's verification-result cache, keyed by file name, implementation
        name and checksum. Every request gets a file name never used before, so no result of an
        earlier program can be reused for this one (Boogie does not track every dependency: a
        changed `const` does not invalidate its users).
        """
        if self._closed:
            return Reply("unavailable", "", 0.0, "pool is closed")
        with self._slots:
            try:
                server = self._borrow(fresh)
            except OSError as e:
                return Reply("unavailable", "", 0.0, f"cannot start DafnyServer: {e}")
            try:
                return server.verify(program, f"prog{next(self._names)}.dfy", [*self.base_args, *args], timeout, command=command)
            finally:
                self._give_back(server)

    def close(self) -> None:
        """Stop every server (and its z3 children)."""
        self._closed = True
        with self._lock:
            live = list(self._live)
            self._live.clear()
        for server in live:
            server.close()
        self._workdir.cleanup()

    def pids(self) -> list[int]:
        """Process ids of the live servers (tests kill them to simulate crashes)."""
        with self._lock:
            return [s.pid for s in self._live if s.alive]
