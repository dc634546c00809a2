"""Verifier processes under limits enforced from outside (stdlib only, shared by both envs).

Every verifier process runs in its own session/process group so that a timeout can kill it together
with every child it started (z3 under Dafny, lake under Lean), and under an address-space cap so that a
runaway proof cannot take the machine down. Neither Dafny's `/timeLimit` nor the Lean REPL's options
can stop a hung solver, so these are the only limits that are trusted.

The groups also die with this process, however it dies (SIGKILL included): a small reaper process
holds the read end of a pipe whose only writer is this process and is told every group we start;
when the pipe reaches end-of-file it SIGKILLs every group still registered. A parent-death signal
(PR_SET_PDEATHSIG) cannot do this: it fires when the *thread* that started the child exits, and
verifier processes outlive the worker threads that start them; it would also reach only the direct
child, not z3 under DafnyServer.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Sequence

# The reaper reads "+PGID" / "-PGID" lines; at end-of-file (its parent is gone) it kills what is left.
# It ignores SIGINT/SIGTERM aimed at the terminal's group so that it outlives the parent.
_REAPER = r"""
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
groups = set()
for line in sys.stdin.buffer:
    line = line.strip()
    if line[:1] == b"+":
        groups.add(int(line[1:]))
    elif line[:1] == b"-":
        groups.discard(int(line[1:]))
for g in groups:
    try:
        os.killpg(g, signal.SIGKILL)
    except OSError:
        pass
"""


class _Reaper:
    """This process's reaper (started on first use); `track`/`untrack` register process groups."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._fd: int | None = None  # our (only) write end of the reaper's stdin
        self._groups: set[int] = set()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        # A forked child must not keep the pipe open (the reaper would wait for it too) nor own our
        # groups. Only raw syscalls here: another thread may have held a lock when we forked.
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
        self._lock = threading.Lock()
        self._proc, self._fd, self._groups = None, None, set()

    def _start(self) -> None:
        r, w = os.pipe()  # both ends close-on-exec: no verifier process inherits the write end
        try:
            self._proc = subprocess.Popen([sys.executable, "-c", _REAPER], stdin=r, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            os.close(w)
            raise
        finally:
            os.close(r)
        self._fd = w

    def _send(self, line: str) -> None:
        for _ in range(2):
            if self._fd is None or self._proc is None or self._proc.poll() is not None:
                if self._fd is not None:
                    os.close(self._fd)
                    self._fd = None
                self._start()
                # A new reaper is told every group still live, so a killed reaper loses nothing.
                line = "".join(f"+{g}\n" for g in self._groups)
            try:
                os.write(self._fd, line.encode("ascii"))
                return
            except OSError:
                self._proc = None

    def track(self, pgid: int) -> None:
        with self._lock:
            self._groups.add(pgid)
            try:
                self._send(f"+{pgid}\n")
            except OSError:
                self._groups.discard(pgid)
                raise

    def untrack(self, pgid: int) -> None:
        with self._lock:
            if pgid in self._groups:
                self._groups.discard(pgid)
                self._send(f"-{pgid}\n")

    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def kill_all(self) -> None:
        """SIGKILL every registered group now (Ctrl-C: no verifier may outlive the command, and no
        thread should wait for one). Called from a signal's path, so it never waits for the lock."""
        got = self._lock.acquire(timeout=0.2)
        try:
            groups = list(self._groups)
        finally:
            if got:
                self._lock.release()
        for g in groups:
            try:
                os.killpg(g, signal.SIGKILL)
            except OSError:
                pass


REAPER = _Reaper()


def _limit_memory(memory_mb: int | None):
    def preexec() -> None:
        if memory_mb:
            limit = int(memory_mb) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        # Core dumps of a multi-GB prover process would fill the disk on every crash.
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return preexec


def popen_limited(
    argv: Sequence[str],
    *,
    memory_mb: int | None = None,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    text: bool = True,
    stdin: int | None = subprocess.PIPE,
    stdout: int | None = subprocess.PIPE,
    stderr: int | None = subprocess.PIPE,
) -> subprocess.Popen:
    """Start `argv` in a new process group with an address-space cap of `memory_mb` MiB; the group is
    killed when this process dies (see the module docstring)."""
    proc = subprocess.Popen(
        list(argv),
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        cwd=cwd,
        env=env,
        text=text,
        bufsize=1 if text else 0,
        start_new_session=True,
        preexec_fn=_limit_memory(memory_mb),
    )
    try:
        REAPER.track(proc.pid)  # with start_new_session the child's pid is its group id
    except OSError:
        kill_group(proc)  # a process that would not die with us is not started at all
        raise
    return proc


def kill_group(proc: subprocess.Popen, grace: float = 0.5) -> None:
    """Terminate the whole process group of `proc`, then SIGKILL whatever is left; reap `proc`."""
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        pgid = proc.pid
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        if not group_alive(pgid):
            break
    # Children may outlive the leader for a moment after it is reaped; make sure they are gone.
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        try:
            if stream:
                stream.close()
        except OSError:
            pass
    try:
        proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        pass
    REAPER.untrack(proc.pid)


def group_pids(pgid: int) -> list[int]:
    """Live (non-zombie) pids whose process group is `pgid`, read from /proc."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # Fields after the command name, which may itself contain spaces and parentheses.
        rest = stat.rsplit(")", 1)[1].split()
        state, group = rest[0], int(rest[2])
        if group == pgid and state != "Z":
            pids.append(int(entry))
    return pids


def group_alive(pgid: int) -> bool:
    return bool(group_pids(pgid))


def group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in the group, in MiB (the RSS watchdog's measure)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in group_pids(pgid):
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total / (1024 * 1024)


@dataclass
class RunResult:
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool


def run_limited(
    argv: Sequence[str],
    *,
    timeout: float,
    memory_mb: int | None = None,
    input: str | None = None,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
) -> RunResult:
    """Run a one-shot verifier command; on timeout kill its whole group and report `timed_out`."""
    start = time.monotonic()
    proc = popen_limited(argv, memory_mb=memory_mb, cwd=cwd, env=env,
                         stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL)
    try:
        out, err = proc.communicate(input=input, timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(proc)
        out, err = "", ""
    finally:
        if proc.poll() is None:
            kill_group(proc)
        else:
            # The leader may exit while children it forked keep running (z3 after dafny returns).
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            REAPER.untrack(proc.pid)
    return RunResult(proc.returncode, out or "", err or "", time.monotonic() - start, timed_out)
