"""Verifier processes die with the process that started them, however it dies (SIGKILL included).

A parent is started as a subprocess, made to start real verifier processes from worker threads
(DafnyServer with z3 under it; the Lean REPL double with a child of its own), then SIGKILLed: every
process that descended from it must be gone a few seconds later.
"""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SLOW_DAFNY = """lemma Slow(a: int, b: int, c: int)
  requires a > 0 && b > 0 && c > 0
  ensures a*a*a + b*b*b != c*c*c
{}
"""


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state, command name) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    name = stat[stat.index("(") + 1: stat.rindex(")")]
    rest = stat.rsplit(")", 1)[1].split()
    return int(rest[1]), rest[0], name


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(root: int) -> dict[int, str]:
    """Live descendants of `root` by parent links: pid -> command line."""
    children: dict[int, list[int]] = {}
    names = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) and st[1] != "Z":
            children.setdefault(st[0], []).append(int(entry))
            names[int(entry)] = _cmdline(int(entry)) or st[2]
    out, todo = {}, [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out[c] = names[c]
            todo.append(c)
    return out


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def alive(pids) -> list[int]:
    return [p for p in pids if (st := _stat(p)) is not None and st[1] != "Z"]


def _kill_parent_and_check(script: str, wait_for, tmp_path, timeout=60):
    path = tmp_path / "parent.py"
    path.write_text(textwrap.dedent(script))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    parent = subprocess.Popen([sys.executable, str(path)], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    seen: dict[int, str] = {}
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and parent.poll() is None:
            seen.update(descendants(parent.pid))
            if wait_for(seen):
                break
            time.sleep(0.2)
        assert parent.poll() is None, parent.stderr.read().decode()
        assert wait_for(seen), f"the verifier processes never started: {seen}"
        time.sleep(0.5)
        seen.update(descendants(parent.pid))
        parent.send_signal(signal.SIGKILL)  # the parent alone, as the OOM killer or `kill -9` would
        parent.wait()
        deadline = time.monotonic() + 5
        while alive(seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = {p: seen[p] for p in alive(seen)}
        assert not left, f"survived their parent: {left}"
    finally:
        for p in alive(seen):  # never leave our own processes behind, even when the test fails
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
    return seen


@pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")
def test_sigkill_of_a_dafny_parent_takes_dafnyserver_and_z3_with_it(tmp_path):
    script = f"""
        from dafny_env import DafnyVerifier
        from verifier_core.records import Candidate, Task
        spec = {SLOW_DAFNY!r}.replace("{{}}", "")
        task = Task(id="slow", lang="dafny", statement=spec)
        v = DafnyVerifier(workers=2, timeout=120, backend="server", cache=None)
        pairs = [(task, Candidate("slow", "{{}}")), (task, Candidate("slow", "{{ assert a > 0; }}"))]
        v.check_many(pairs)  # runs on two worker threads; never finishes before the kill
    """
    def checking(seen):  # two z3 busy on the slow lemma (a warmed-up idle server would exit on EOF)
        return sum(1 for p, n in seen.items() if os.path.basename(n.split(" ")[0]) == "z3" and cpu_seconds(p) > 1) >= 2

    seen = _kill_parent_and_check(script, checking, tmp_path)
    assert any("DafnyServer" in n for n in seen.values()), seen


def test_sigkill_of_a_lean_parent_takes_the_repl_group_with_it(tmp_path):
    from tests.helpers.lean_transcripts import double, transcript

    cmd = double(transcript("v4.24.0", "dup_msg.in"), flags=("--hang-after", "1", "--spawn-child"))
    script = f"""
        from concurrent.futures import ThreadPoolExecutor
        from lean_env.pool import ReplPool
        pool = ReplPool({cmd!r}, workers=1, timeout=600, memory_mb=None)
        # the REPL is started by a worker thread, which then hangs in the request
        with ThreadPoolExecutor(1) as ex:
            ex.submit(pool.run, "def f := 2", {{"cmd": "example : True := trivial"}}).result()
    """
    started = lambda seen: (any("replay.py" in n for n in seen.values())
                            and any("time.sleep(10**6)" in n for n in seen.values()))
    _kill_parent_and_check(script, started, tmp_path)


def test_a_killed_reaper_is_replaced_and_told_every_live_group(tmp_path):
    script = """
        import os, signal, sys, time
        from verifier_core.procs import REAPER, popen_limited
        first = popen_limited([sys.executable, "-c", "import time; time.sleep(10**6) # first"])
        os.kill(REAPER.pid(), signal.SIGKILL)
        time.sleep(0.5)
        second = popen_limited([sys.executable, "-c", "import time; time.sleep(10**6) # second"])
        time.sleep(10**6)
    """
    started = lambda seen: sum(1 for n in seen.values() if "time.sleep(10**6) #" in n) == 2
    seen = _kill_parent_and_check(script, started, tmp_path)
    assert sum(1 for n in seen.values() if "groups = set()" in n) == 1  # the new reaper (the old one is dead)
