"""One `DafnyServer.exe` process and its line protocol (Dafny 2.x).

Protocol (Source/DafnyServer of Dafny 2.x): the client writes `verify`, then one line of base64 of
the JSON {"args", "filename", "source", "sourceIsFile"}, then `[[DAFNY-CLIENT: EOM]]`; the server
prints Dafny's output and ends with `[SUCCESS] [[DAFNY-SERVER: EOM]]` (or `[FAILURE]`). The
"SUCCESS" only means the request was processed, not that the program verified.

The reply is read from a non-blocking pipe with our own deadline instead of pexpect: the process
must be started through `verifier_core.procs.popen_limited` (own process group, address-space cap) so a
timeout can kill z3 with it, which pexpect's spawners do not do.
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import subprocess
import time
from dataclasses import dataclass
from typing import Sequence

from verifier_core.procs import group_rss_mb, kill_group, popen_limited

SERVER_EOM = b"[[DAFNY-SERVER: EOM]]"
CLIENT_EOM = "[[DAFNY-CLIENT: EOM]]"
MAX_REPLY_BYTES = 32 * 1024 * 1024
_RSS_POLL_S = 0.25
# Mono start-up and JIT make a server's first request slow (~1 s, more on a loaded machine); a
# trivial program absorbs that so no candidate's hard timeout pays for it.
_WARM_UP_PROGRAM = "lemma WarmUp() ensures 1 + 1 == 2 {}\n"


@dataclass
class Reply:
    """What came back: `kind` is `done`, `timeout` (hard limit hit), `memory` (RSS cap hit),
    `crashed` (process died or broke the protocol while checking this program), `unavailable`
    (no verifier process could be started: never the program's doing)."""

    kind: str
    output: str
    seconds: float
    detail: str = ""
    returncode: int | None = None  # the `dafny` CLI's exit status; None for DafnyServer


class DafnyServer:
    """A live DafnyServer process; not thread-safe (the pool hands it to one thread at a time)."""

    def __init__(self, argv: Sequence[str], memory_mb: int | None = None, cwd: str | None = None):
        self.argv = list(argv)
        self.memory_mb = memory_mb
        self.cwd = cwd
        self.checks = 0
        self.proc = None
        self._start()

    def warm_up(self, args: Sequence[str] = (), timeout: float = 120.0) -> None:
        """Verify a trivial program once with the requests' own `args`; raise `OSError` if the server
        cannot do even that. Boogie asks the first z3 it runs for its version and keeps that answer
        for the life of the process: it must be the z3 of the requests' `/z3exe:`."""
        reply = self.verify(_WARM_UP_PROGRAM, "warmup.dfy", args, timeout)
        self.checks = 0
        if reply.kind != "done":
            raise OSError(f"DafnyServer failed its warm-up check: {reply.detail}: {reply.output[-500:]}")

    def _start(self) -> None:
        env = dict(os.environ, LC_ALL="C.UTF-8")
        self.proc = popen_limited(self.argv, memory_mb=self.memory_mb, cwd=self.cwd, env=env,
                                  text=False, stderr=subprocess.STDOUT)  # one ordered stream
        os.set_blocking(self.proc.stdout.fileno(), False)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else -1

    def rss_mb(self) -> float:
        return group_rss_mb(self.proc.pid) if self.alive else 0.0

    def verify(self, source: str, filename: str, args: Sequence[str], timeout: float,
               command: str = "verify") -> Reply:
        """Send one program; wait at most `timeout` s; on timeout/crash the process is killed.

        `command` is `verify`, or `symbols`: parse and resolve only, and answer Dafny's own list of
        declarations (`messages.parse_symbols`).
        """
        if command not in ("verify", "symbols"):
            raise ValueError(f"unknown DafnyServer command {command!r}")
        start = time.monotonic()
        self.checks += 1
        if not self.alive:
            return Reply("crashed", "", 0.0, f"server exited with {self.proc.returncode}")
        task = {"args": list(args), "filename": filename, "source": source, "sourceIsFile": False}
        payload = base64.b64encode(json.dumps(task).encode("utf-8")).decode("ascii")
        try:
            self.proc.stdin.write(f"{command}\n{payload}\n{CLIENT_EOM}\n".encode("ascii"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            self.kill()
            return Reply("crashed", "", time.monotonic() - start, f"write failed: {e}")
        kind, out, detail = self._read_reply(start + timeout)
        if kind != "done":
            self.kill()
        return Reply(kind, out.decode("utf-8", "replace"), time.monotonic() - start, detail)

    def _read_reply(self, deadline: float) -> tuple[str, bytes, str]:
        buf = bytearray()
        fd = self.proc.stdout.fileno()
        next_rss = time.monotonic() + _RSS_POLL_S
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while True:
                now = time.monotonic()
                if now >= deadline:
                    return "timeout", bytes(buf), "hard time limit"
                if self.memory_mb and now >= next_rss:
                    next_rss = now + _RSS_POLL_S
                    rss = self.rss_mb()
                    if rss > self.memory_mb:
                        return "memory", bytes(buf), f"RSS {rss:.0f} MiB > {self.memory_mb} MiB"
                if not sel.select(timeout=min(_RSS_POLL_S, deadline - now)):
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    self.proc.poll()
                    return "crashed", bytes(buf), f"server exited (status {self.proc.returncode})"
                buf += chunk
                if len(buf) > MAX_REPLY_BYTES:
                    return "crashed", bytes(buf[:4096]), "reply too large"
                end = buf.find(SERVER_EOM)
                if end >= 0 and buf.find(b"\n", end) >= 0:
                    status_line = buf[:end].rsplit(b"\n", 1)[-1]
                    if b"[FAILURE]" in status_line:
                        return "crashed", bytes(buf), "server reported FAILURE"
                    return "done", bytes(buf[:end]), ""

    def kill(self) -> None:
        """Kill the server's whole process group (mono and every z3 it started)."""
        if self.proc is not None:
            kill_group(self.proc)

    def close(self) -> None:
        """Ask the server to quit, then make sure nothing of its group survives."""
        if self.alive:
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=2)
            except Exception:  # already gone or stuck: the group kill below handles both
                pass
        self.kill()
