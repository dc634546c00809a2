"""Verifier processes under limits enforced from outside (stdlib only, shared by both envs).

Every verifier process runs in its own session/process group so that a timeout can kill it together
with every child it started (z3 under Dafny, lake under Lean), and under an address-space cap so that a
runaway proof cannot take the machine down. Neither Dafny's `/timeLimit` nor the Lean REPL's options
can stop a hung solver, so these are the only limits that are trusted.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Sequence


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
    """Start `argv` in a new process group with an address-space cap of `memory_mb` MiB."""
    return subprocess.Popen(
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
    return RunResult(proc.returncode, out or "", err or "", time.monotonic() - start, timed_out)
