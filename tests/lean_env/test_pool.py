"""The header-keyed REPL pool: transcript replay, env reuse, faults with nothing lost, recycling, threads."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lean_env.pool import LeaseUnavailable, ReplPool
from verifier_core.procs import group_alive

from tests.helpers.lean_transcripts import LABELS, TRANSCRIPTS, double, label_pairs, transcript

HEAD = "HEAD_v4.33.0-rc2"
EXACT = transcript(HEAD, "Mathlib/test/exact.in")
MATHLIB = "import Mathlib"
EASY = {"cmd": "theorem test : 0 < 1 := by sorry"}   # recorded in header env 0 of exact.in
HARD = {"cmd": "theorem test : 3 = 7 := by sorry"}


def _goal(result) -> str:
    assert result.status == "ok", result.detail
    return result.response.sorries[0].goal


def _no_survivors(pids) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not any(group_alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def _header_ready(pair) -> bool:
    """A transcript that opens with a header command, whose later commands all name their env."""
    cmds = [json.loads(c) for c in pair.commands]
    first = json.loads(pair.responses[0])
    return (set(cmds[0]) == {"cmd"} and len(cmds) > 1 and "env" in first
            and not any(m["severity"] == "error" for m in first.get("messages", []))
            and all("env" in c for c in cmds[1:] if "cmd" in c))


@pytest.mark.parametrize("label", LABELS)
def test_transcripts_replay_byte_for_byte_through_pool_leases(label):
    pairs = [p for p in label_pairs(label) if _header_ready(p)]
    assert len(pairs) >= 25
    for pair in pairs:
        with ReplPool(double(pair.input_path, flags=("--strict-order",)), workers=1, timeout=30) as pool:
            header = json.loads(pair.commands[0])["cmd"]
            with pool.lease(header) as lease:
                assert lease.header_env == json.loads(pair.responses[0])["env"]
                for command, expected in zip(pair.commands[1:], pair.responses[1:]):
                    result = lease.run(json.loads(command))
                    assert result.status == "ok", (pair.input_path, result.detail)
                    assert result.response.text.encode() == expected, pair.input_path


def test_header_is_imported_once_and_env_injected():
    with ReplPool(double(EXACT), workers=1) as pool:
        results = [pool.run(MATHLIB, EASY if i % 2 else HARD) for i in range(10)]
        assert [_goal(r) for r in results] == ["⊢ 3 = 7", "⊢ 0 < 1"] * 5
        assert pool.started == 1


def test_a_crash_mid_batch_loses_nothing():
    with ReplPool(double(EXACT, flags=("--crash-after", "10", "--spawn-child")), workers=1) as pool:
        pids = set()
        results = []
        for _ in range(20):
            pids.update(pool.live_pids())
            results.append(pool.run(MATHLIB, EASY))
        statuses = [r.status for r in results]
        assert len(results) == 20
        # header + 9 checks answered, the 10th crashes; a fresh REPL repeats the pattern.
        assert [i for i, s in enumerate(statuses) if s == "crash"] == [9, 19]
        assert all(_goal(r) == "⊢ 0 < 1" for r in results if r.status == "ok")
        assert "mid-response" in results[9].detail
        assert pool.started == 2
    assert _no_survivors(pids)


def test_a_hang_ends_in_timeout_within_the_limit_and_the_next_request_is_fine():
    with ReplPool(double(EXACT, flags=("--hang-after", "2", "--spawn-child")), workers=1, timeout=1.0) as pool:
        assert pool.run(MATHLIB, EASY).status == "ok"
        hung_pids = pool.live_pids()
        start = time.monotonic()
        result = pool.run(MATHLIB, EASY)
        assert result.status == "timeout" and result.seconds < 4 and time.monotonic() - start < 4
        assert _no_survivors(hung_pids)
        assert _goal(pool.run(MATHLIB, EASY)) == "⊢ 0 < 1"


def test_a_timeout_is_retried_with_more_time():
    with ReplPool(double(EXACT, flags=("--delay-ms", "1200")), workers=1, timeout=0.5,
                  header_timeout=10) as pool:
        first = pool.run(MATHLIB, EASY)
        assert first.status == "timeout"
        assert _goal(pool.run(MATHLIB, EASY, timeout=10)) == "⊢ 0 < 1"


def test_garbage_is_a_crash_and_does_not_poison_the_pool():
    with ReplPool(double(EXACT, flags=("--garbage-after", "1")), workers=1) as pool:
        bad = pool.run(MATHLIB, EASY)
        assert bad.status == "crash" and "not a REPL response" in bad.detail
        assert pool.run(MATHLIB, EASY).status == "crash"  # every fresh double garbles its 2nd answer
        assert pool.started == 2


def test_rss_watchdog_during_a_request():
    cmd = double(EXACT, flags=("--grow-mb-per-cmd", "80", "--delay-ms", "800"))
    with ReplPool(cmd, workers=1, rss_limit_mb=150, timeout=10) as pool:
        results = [pool.run(MATHLIB, EASY) for _ in range(2)]
        assert [r.status for r in results] == ["crash", "crash"]
        assert all("memory watchdog" in r.detail for r in results)


def test_rss_watchdog_recycles_an_idle_process_that_grew():
    with ReplPool(double(EXACT, flags=("--grow-mb-per-cmd", "60")), workers=1, rss_limit_mb=100) as pool:
        results = [pool.run(MATHLIB, EASY) for _ in range(4)]
        assert all(r.status == "ok" for r in results)
        assert pool.started >= 2


def test_recycled_after_n_requests():
    with ReplPool(double(EXACT), workers=1, recycle_after=5) as pool:
        assert all(pool.run(MATHLIB, EASY).status == "ok" for _ in range(12))
        assert pool.started == 3


def test_thread_safety_and_worker_limit():
    with ReplPool(double(EXACT), workers=3) as pool:
        seen_live = []
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                seen_live.append(len(pool.live_pids()))
                time.sleep(0.01)

        watcher = threading.Thread(target=watch)
        watcher.start()
        jobs = [EASY if i % 3 else HARD for i in range(60)]
        with ThreadPoolExecutor(8) as ex:
            goals = list(ex.map(lambda job: _goal(pool.run(MATHLIB, job)), jobs))
        stop.set()
        watcher.join()
        assert goals == ["⊢ 0 < 1" if job is EASY else "⊢ 3 = 7" for job in jobs]
        assert max(seen_live) <= 3 and pool.started <= 3


def test_threads_survive_crashes_and_nothing_is_lost():
    with ReplPool(double(EXACT, flags=("--crash-after", "4")), workers=2) as pool:
        with ThreadPoolExecutor(4) as ex:
            results = list(ex.map(lambda _: pool.run(MATHLIB, EASY), range(20)))
        assert len(results) == 20
        assert {r.status for r in results} == {"ok", "crash"}
        pids = pool.live_pids()
    assert _no_survivors(pids)


def test_headers_share_workers_by_lru_eviction():
    pickle = transcript(HEAD, "pickle_proof_state_env.in")
    with ReplPool(double(EXACT, pickle), workers=1) as pool:
        for _ in range(2):
            assert _goal(pool.run(MATHLIB, EASY)) == "⊢ 0 < 1"
            assert _goal(pool.run("import Lean", {"cmd": "def f : Nat := by sorry"})) == "⊢ Nat"
        assert pool.started == 4


def test_header_failures_are_errors_not_crashes():
    with ReplPool(double(EXACT), workers=1) as pool:
        unknown = pool.run("import NotRecorded", EASY)
        assert unknown.status == "error" and unknown.detail.startswith("header")
    bad = transcript(HEAD, "line_breaks.in")  # its first command has Lean errors
    first = json.loads(bad.read_text().split("\n\n")[0].replace("\n", ""))["cmd"]
    with ReplPool(double(bad), workers=1) as pool:
        result = pool.run(first, EASY)
        assert result.status == "error" and "Lean errors" in result.detail
        assert pool.live_pids() == []
    with ReplPool(["/nonexistent/repl"], workers=1) as pool:
        result = pool.run(MATHLIB, EASY)
        assert result.status == "error" and "cannot start" in result.detail


def test_closed_pool_refuses_and_kills_everything():
    pool = ReplPool(double(EXACT), workers=2)
    assert pool.run(MATHLIB, EASY).status == "ok"
    pids = pool.live_pids()
    pool.close()
    assert _no_survivors(pids)
    assert pool.run(MATHLIB, EASY).status == "error"
    with pytest.raises(LeaseUnavailable):
        with pool.lease(MATHLIB):
            pass


def test_a_dead_lease_answers_crash_without_sending():
    with ReplPool(double(EXACT, flags=("--crash-after", "1")), workers=1) as pool:
        with pool.lease(MATHLIB) as lease:
            assert lease.run(EASY).status == "crash"
            assert not lease.alive
            again = lease.run(EASY)
            assert again.status == "crash" and "died earlier" in again.detail


# -- the throughput benchmark harness ---------------------------------------------------------------

BENCH = Path(__file__).resolve().parents[2] / "bench" / "lean_throughput.py"


def test_bench_skips_cleanly_without_lean():
    env = {k: v for k, v in os.environ.items() if k not in ("PROVER_LEAN_REPL", "PROVER_LEAN_PROJECT")}
    out = subprocess.run([sys.executable, str(BENCH)], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0 and out.stdout.startswith("SKIP:")


def test_bench_runs_against_the_double_and_says_so(tmp_path):
    out = subprocess.run([sys.executable, str(BENCH), "--double", "--transcripts", str(TRANSCRIPTS), "--repeat", "2",
                          "--cold-limit", "2", "--out", str(tmp_path / "r.json")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "NOT Lean numbers" in out.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["is_lean"] is False
    warm, cold = report["results"]
    assert warm["checks"] == 12 and cold["checks"] == 2
    assert sum(warm["outcomes"].values()) == 12 and "crash" not in warm["outcomes"]


# -- a real Lean REPL, where one is configured --------------------------------------------------------

def _real_repl() -> list[str]:
    cmd = os.environ.get("PROVER_LEAN_REPL")
    if not cmd:
        pytest.skip("no real Lean REPL: set PROVER_LEAN_REPL (and PROVER_LEAN_PROJECT) to run this test")
    return shlex.split(cmd)


@pytest.mark.lean
def test_real_repl_reuses_the_header_env_and_proves_by_tactics():
    from lean_env.proofstate import ProofSession

    with ReplPool(_real_repl(), cwd=os.environ.get("PROVER_LEAN_PROJECT"), workers=1, timeout=120) as pool:
        good = pool.run("import Lean", {"cmd": "theorem two : 1 + 1 = 2 := by rfl"})
        assert good.status == "ok" and not good.response.errors and not good.response.sorries
        bad = pool.run("import Lean", {"cmd": "theorem three : 1 + 1 = 3 := by rfl"})
        assert bad.status == "ok" and bad.response.errors
        assert pool.started == 1
        with ProofSession(pool, "import Lean") as s:
            root = s.start("theorem two' : 1 + 1 = 2 := by")
            assert root.status == "open"
            assert s.apply(root.proof_state, "rfl").status == "done"


def test_waiting_for_a_busy_pool_can_be_bounded():
    with ReplPool(double(EXACT), workers=1, acquire_timeout=0.5) as pool:
        with pool.lease(MATHLIB):
            start = time.monotonic()
            result = pool.run(MATHLIB, EASY)  # the only REPL is leased: no deadlock, an `error`
            assert result.status == "error" and "no REPL free" in result.detail
            assert time.monotonic() - start < 3
        assert pool.run(MATHLIB, EASY).status == "ok"
