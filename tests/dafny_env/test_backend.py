"""The Dafny backend against the real Dafny 2.3: protocol, parsing, pool limits, crashes, timeouts."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from dafny_env import DafnyVerifier, doctor
from dafny_env.messages import member_outcomes, parse_output
from dafny_env.pool import ServerPool
from dafny_env.server import DafnyServer
from dafny_env.toolchain import DafnyNotFound, detect
from verifier_core.cache import VerdictCache
from verifier_core.records import Candidate, Task
from verifier_core.procs import group_pids

try:
    TC = detect()
except DafnyNotFound as e:  # pragma: no cover - depends on the machine
    TC = None
    WHY = str(e)
needs_dafny = pytest.mark.skipif(TC is None, reason="no Dafny installed (see `prover doctor`)")
needs_server = pytest.mark.skipif(TC is None or TC.mode != "server", reason="needs Dafny 2.x with DafnyServer.exe")

SPEC = "method Inc(x: int) returns (y: int)\n  ensures y > x\n"
GOOD, BAD = "{ y := x + 1; }", "{ y := x; }"
# z3 4.8 grinds on this nonlinear goal far beyond Dafny's /timeLimit (measured: ~8-12 s per lemma
# with /timeLimit:2), so only the external hard timeout bounds it.
HANG = "".join(
    f"lemma Hang{i}(x: int, y: int, z: int)\n"
    "  requires x > 0 && y > 0 && z > 0 && x*x + y*y == z*z\n"
    "  ensures (x*y) % 3 == 0 && (x*y) % 4 == 0\n{}\n" for i in range(3))


def task(statement: str = SPEC, tid: str = "inc") -> Task:
    return Task(id=tid, lang="dafny", statement=statement)


# -- parsing (no Dafny needed) -----------------------------------------------------------------------

SERVER_REPLY_WITH_ERRORS = """Prover error: line 18 column 28: unknown parameter 'model_compress'
Legal parameters are:
  auto_config (bool) (default: true)

Verifying CheckWellformed$$_module.C.Inc ...
  [1 proof obligation]  verified

Verifying Impl$$_0_Mod.__default.L ...
  [1 proof obligation]  error
prog3.dfy(2,33): Error BP5003: A postcondition might not hold on this return path.
prog3.dfy(2,29): Related location: This is the postcondition that might not hold.
Execution trace:
    (0,0): anon0
Verification completed successfully!
"""


def test_parse_never_trusts_the_servers_success_line():
    p = parse_output(SERVER_REPLY_WITH_ERRORS)
    assert p.verify_errors == 1 and p.frontend_errors == 0
    assert [(m.line, m.column, m.severity) for m in p.messages] == [(2, 33, "error"), (2, 29, "info")]
    assert not any("model_compress" in m.text for m in p.messages)
    assert member_outcomes(p, "Mod.L") == ["error"] and member_outcomes(p, "L") == ["error"]
    assert member_outcomes(p, "C.Inc") == ["verified"] and member_outcomes(p, "Inc") == ["verified"]
    assert member_outcomes(p, "Other") == []


def test_parse_frontend_errors_and_timeouts():
    p = parse_output("prog0.dfy(1,10): Error: closeparen expected\nVerification completed successfully!\n")
    assert p.frontend_errors == 1 and p.messages[0].text == "closeparen expected"
    t = parse_output("Verifying Impl$$_module.__default.P ...\n  [1 proof obligation]  timed out\n"
                     "p.dfy(1,6): Verification of 'Impl$$_module.__default.P' timed out after 2 seconds\n")
    assert t.timeouts == 1 and t.verify_errors == 0 and t.frontend_errors == 0
    cli = parse_output("p.dfy(3,0): Error: a postcondition could not be proved on this return path\n\n"
                       "Dafny program verifier finished with 1 verified, 1 error\n", major=4)
    assert cli.summary_seen and cli.verify_errors == 1 and cli.frontend_errors == 0
    res4 = parse_output("p.dfy(1,4): Error: unresolved identifier: q\n1 resolution/type errors detected in p.dfy\n", major=4)
    assert res4.frontend_errors == 1


def test_doctor_reports_a_row():
    d = doctor()
    assert set(d) >= {"found", "version", "mode", "detail", "hint"}
    if d["found"]:
        assert d["version"].startswith("dafny ") and d["mode"] in ("server", "cli2", "cli4")


# -- one server ------------------------------------------------------------------------------------

@needs_server
def test_same_filename_never_leaks_a_verdict():
    """DafnyServer enables Boogie's result cache; a changed dependency must still be re-verified."""
    s = DafnyServer(TC.server_argv, memory_mb=2048)
    try:
        lemma = "lemma L(x: int) ensures F(x) > x {}\n"
        good, bad = "function F(x: int): int { x + 1 }\n" + lemma, "function F(x: int): int { x }\n" + lemma
        outcomes = []
        for src in (good, bad, good, bad):
            r = s.verify(src, "same.dfy", ["/timeLimit:10"], timeout=60)
            assert r.kind == "done", r.detail
            outcomes.append(member_outcomes(parse_output(r.output), "L"))
        assert outcomes == [["verified"], ["error"], ["verified"], ["error"]]
    finally:
        s.close()
    assert not group_pids(s.pid)


@needs_server
def test_hard_timeout_kills_server_and_z3():
    s = DafnyServer(TC.server_argv, memory_mb=2048)
    seen: set[int] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.update(group_pids(s.pid))
            time.sleep(0.1)

    w = threading.Thread(target=watch)
    w.start()
    try:
        r = s.verify(HANG, "hang.dfy", ["/timeLimit:2"], timeout=4)
    finally:
        stop.set()
        w.join()
    assert r.kind == "timeout" and r.seconds < 4 + 1.5
    assert len(seen) >= 2, "z3 should have been running under the server"
    assert not group_pids(s.pid) and not any(os.path.exists(f"/proc/{p}/stat") and
                                             open(f"/proc/{p}/stat").read().split()[2] != "Z" for p in seen)


# -- the verifier ----------------------------------------------------------------------------------

@needs_dafny
def test_correct_wrong_dedupe_cache_and_order():
    cache = VerdictCache()
    pairs = [(task(), Candidate("inc", t)) for t in (GOOD, BAD, GOOD, "{ y := x + ; }", "{ assume false; }")]
    seen = []
    with DafnyVerifier(workers=2, timeout=30, cache=cache) as v:
        out = v.check_many(pairs, on_result=lambda i, vd: seen.append(i))
        assert [x.status for x in out] == ["verified", "failed", "verified", "failed", "rejected"]
        assert out[1].reason.startswith("verify:") and out[1].messages[0].line == 1
        assert out[3].reason.startswith("parse:")
        assert out[4].reason.startswith("gate:assume")
        assert sorted(seen) == list(range(5))
        assert all(x.toolchain == v.toolchain() != "" for x in out)
        again = v.check(task(), Candidate("inc", BAD))
        assert again.cached and again.status == "failed"


@needs_server
def test_timeout_verdict_and_nothing_left_behind():
    hang_task = task("lemma Target() ensures true {}\n", "hang")
    with DafnyVerifier(workers=1, timeout=3, memory_mb=2048) as v:
        assert v.check(task(), Candidate("inc", GOOD)).status == "verified"  # warm pool
        t0 = time.monotonic()
        verdict = v.check(hang_task, Candidate("hang", "lemma Target() ensures true {}\n" + HANG))
        elapsed = time.monotonic() - t0
        pool = v._runner
        assert verdict.status == "timeout" and verdict.reason.startswith("limit:time"), verdict
        assert elapsed < 3 + 2  # the hard limit plus the group kill; z3 alone would run ~30 s
        after = v.check(task(), Candidate("inc", BAD + " "))  # the pool respawns a server
        assert after.status == "failed"
        started = list(pool.started_pids)
    assert len(started) >= 2
    assert not any(group_pids(pid) for pid in started), "a dafny/z3 process of ours survived"


@needs_server
def test_killed_server_mid_batch_loses_no_check():
    pairs = [(task(tid=f"t{i}"), Candidate(f"t{i}", (GOOD if i % 2 == 0 else BAD) + " " * i)) for i in range(8)]
    with DafnyVerifier(workers=2, timeout=30, memory_mb=2048) as v:
        killed = []

        def killer() -> None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not killed:
                pool = v._runner
                # A server with z3 under it is in the middle of a check.
                busy = [p for p in (pool.pids() if pool else []) if len(group_pids(p)) > 1]
                if busy:
                    os.kill(busy[0], signal.SIGKILL)
                    killed.append(busy[0])
                time.sleep(0.05)

        k = threading.Thread(target=killer)
        k.start()
        out = v.check_many(pairs)
        k.join()
        started = list(v._runner.started_pids)
    assert killed
    assert [x.status for x in out] == ["verified" if i % 2 == 0 else "failed" for i in range(8)]
    assert len(started) >= 3  # two servers plus at least one respawn
    assert not any(group_pids(pid) for pid in started)


@needs_server
def test_pool_recycles_and_never_reuses_boogie_results():
    pool = ServerPool(TC.server_argv, size=1, memory_mb=2048, recycle_after=2)
    try:
        prog = "lemma L(x: int) ensures x + 1 > x {}\n"
        replies = [pool.run(prog, timeout=60, args=["/timeLimit:10"]) for _ in range(3)]
        assert all(r.kind == "done" for r in replies)
        assert not any("Retrieving cached verification result" in r.output for r in replies)
        assert len(pool.started_pids) == 2  # recycled after 2 checks
    finally:
        pool.close()
    assert not any(group_pids(pid) for pid in pool.started_pids)


@needs_dafny
def test_cli_backend_agrees_with_the_server():
    with DafnyVerifier(workers=2, timeout=30, backend="cli") as v:
        out = v.check_many([(task(), Candidate("inc", GOOD)), (task(), Candidate("inc", BAD))])
    assert [x.status for x in out] == ["verified", "failed"]
    assert out[1].messages and out[1].messages[0].line == 1


@needs_dafny
def test_an_unreadable_statement_is_our_error_not_the_candidates():
    with DafnyVerifier(workers=1, timeout=30) as v:
        out = v.check(task("lemma L( {"), Candidate("inc", GOOD))
    assert out.status == "error" and out.reason.startswith("task:unparsable")


ARRAY_CONCAT = """method concat(a:array<int>, b:array<int>) returns (c:array<int>)
  ensures c.Length==b.Length+a.Length
  ensures forall k :: 0 <= k < a.Length ==> c[k] == a[k]
  ensures forall k :: 0 <= k < b.Length ==> c[k+a.Length] == b[k]
{
  c := new int[a.Length+b.Length];
  var i:= 0;
  while (i < c.Length)
    invariant 0 <= i <= c.Length
    invariant if i<a.Length then c[..i]==a[..i] else c[..i]==a[..]+b[..(i-a.Length)]
  {
    c[i] := if i<a.Length then a[i] else b[i-a.Length];
    i:=i+1;
  }
}
"""


@needs_server
def test_server_proof_failures_are_confirmed_by_the_cli():
    """CloverBench's array_concat reference: `dafny` verifies it, DafnyServer 2.3 (snapshot-mode VCs)
    reports a postcondition failure. With confirmation (the default) the CLI's verdict stands."""
    from dafny_env.syntax import strip_bodies

    t = Task(id="concat", lang="dafny", statement=strip_bodies(ARRAY_CONCAT), kind="implement")
    with DafnyVerifier(workers=1, timeout=60, confirm_failures=False) as raw:
        server_only = raw.check(t, Candidate("concat", ARRAY_CONCAT))
    with DafnyVerifier(workers=1, timeout=60) as confirmed:
        out = confirmed.check(t, Candidate("concat", ARRAY_CONCAT))
    assert out.status == "verified"
    assert server_only.status == "failed"  # the disagreement that the confirmation exists for
    wrong = ARRAY_CONCAT.replace("c[..i]==a[..]+b[..(i-a.Length)]", "c[..i]==a[..]")
    with DafnyVerifier(workers=1, timeout=60) as confirmed:
        bad = confirmed.check(t, Candidate("concat", wrong))
    assert bad.status == "failed" and "confirmed by dafny CLI" in bad.reason
