"""Dafny verdict categories: `verified` needs Dafny's positive evidence, garbage is `failed`, a
failure the candidate causes every time is `failed` (not `timeout`/`error`), the cache key carries
the gate/bridge/parser versions, and a closed verifier starts nothing."""

from __future__ import annotations

import os
import stat
import textwrap

import pytest

from dafny_env import DafnyVerifier
from dafny_env.cli_backend import CliRunner
from dafny_env.pool import ServerPool
from dafny_env.server import Reply
from dafny_env.toolchain import DafnyNotFound, Toolchain, detect
from verifier_core.cache import VerdictCache
from verifier_core.records import Candidate, Task

try:
    TC = detect()
except DafnyNotFound:  # pragma: no cover - depends on the machine
    TC = None
needs_dafny = pytest.mark.skipif(TC is None, reason="no Dafny installed (see `prover doctor`)")

SPEC = "method Inc(x: int) returns (y: int)\n  ensures y > x\n"
GOOD = "{ y := x + 1; }"
TASK = Task("inc", "dafny", SPEC, kind="implement")
LISTED_THEN_CRASH = ("Verifying Impl$$_module.__default.Inc ...\n  [1 proof obligation]  verified\n"
                     "Unhandled Exception:\nSystem.NullReferenceException: Object reference not set\n")


def _reply(kind: str, output: str = "", returncode: int | None = None, detail: str = "") -> Reply:
    r = Reply(kind, output, 0.1, detail)
    r.returncode = returncode
    return r


@pytest.fixture(scope="module")
def real():
    """One verifier on the real Dafny for the tests that need it (a pool start costs seconds)."""
    with DafnyVerifier(workers=1) as v:
        yield v


def _fake(v: DafnyVerifier, monkeypatch, reply: Reply) -> list[dict]:
    """Every program this verifier runs gets `reply`; returns the calls made."""
    calls: list[dict] = []

    def run_program(program, fresh=False, cli=False, **kw):
        calls.append({"fresh": fresh, "cli": cli, **kw})
        return reply

    monkeypatch.setattr(v, "run_program", run_program)
    return calls


# -- `verified` needs positive evidence ----------------------------------------------------------


@needs_dafny
@pytest.mark.parametrize("reply", [
    _reply("done", ""),                                   # an empty "done" from the server
    _reply("done", LISTED_THEN_CRASH, returncode=1),      # listed verified, then an unhandled exception
    _reply("done", "Verifying Impl$$_module.__default.Inc ...\n  [1 proof obligation]  verified\n", returncode=1),
], ids=["empty-done", "verified-then-exception", "exit-1"])
def test_no_positive_evidence_is_never_verified(monkeypatch, reply):
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        calls = _fake(v, monkeypatch, reply)
        verdict = v.check(TASK, Candidate("inc", GOOD))
    assert verdict.status != "verified", verdict
    # retried once on a fresh process; reproduced there, it is the candidate's doing (no request
    # for the statement: it has no body of its own, so nothing to reuse across candidates)
    assert [c["fresh"] for c in calls] == [False, True] and not any(c.get("name") for c in calls)
    assert verdict.status == "failed" and verdict.reason.startswith("crash:"), verdict


def test_cli_exit_1_after_listing_members_is_a_crash(tmp_path):
    fake = tmp_path / "dafny"
    fake.write_text("#!/bin/sh\ncat <<'EOF'\n" + LISTED_THEN_CRASH + "EOF\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    runner = CliRunner(Toolchain(str(fake), "2.3.0", 2, "cli2"), memory_mb=None, aot=False)
    reply = runner.run("lemma L() ensures true {}\n", timeout=30, time_limit=10)
    assert reply.kind == "crashed" and "Unhandled Exception" in reply.detail, reply


@needs_dafny
def test_zero_verified_zero_errors_with_an_errored_impl_gives_a_real_reason(monkeypatch):
    out = ("Verifying Impl$$_module.__default.Inc ...\n  [1 proof obligation]  error\n\n"
           "Dafny program verifier finished with 0 verified, 0 errors\n")
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        _fake(v, monkeypatch, _reply("done", out, returncode=4))
        verdict = v.check(TASK, Candidate("inc", GOOD))
    assert verdict.status == "failed"
    assert "Impl$$_module.__default.Inc" in verdict.reason and not verdict.reason.rstrip().endswith("first:"), verdict


# -- garbage is `failed`, cheats are `rejected` --------------------------------------------------


@needs_dafny
@pytest.mark.parametrize("text, reason", [
    ("Sure! The answer is to add one to x.", "parse:"),
    ("", "spec:absent"),
    ("lemma Unrelated() ensures 1 + 1 == 2 {}\n", "spec:absent"),
    (SPEC + "{ y := x + 1;\n", "parse:"),
    ("{ y := x + ; }", "parse"),
], ids=["prose", "empty", "unrelated-program", "unbalanced-braces", "dafny-parse-error"])
def test_output_that_is_not_a_program_is_failed(real, text, reason):
    verdict = real.check(TASK, Candidate("inc", text))
    assert verdict.status == "failed" and verdict.reason.startswith(reason), verdict


@needs_dafny
def test_a_cheat_is_still_rejected(real):
    verdict = real.check(TASK, Candidate("inc", "{ assume false; }"))
    assert verdict.status == "rejected" and verdict.reason.startswith("gate:assume"), verdict


# -- a failure the candidate causes every time ---------------------------------------------------


@needs_dafny
@pytest.mark.parametrize("reply, status, prefix", [
    (_reply("memory", detail="RSS 4100 MiB > 4096 MiB"), "failed", "limit:memory"),
    (_reply("crashed", detail="server exited (status 134)"), "failed", "crash:"),
    (_reply("timeout", detail="hard time limit"), "timeout", "limit:time"),
    (_reply("unavailable", detail="cannot start DafnyServer: no mono"), "error", "infra:unavailable"),
], ids=["memory-cap", "crash", "genuine-timeout", "no-verifier"])
def test_reproduced_limits_and_crashes_are_the_candidates(monkeypatch, reply, status, prefix):
    with DafnyVerifier(workers=1) as v:
        _fake(v, monkeypatch, reply)
        verdict = v.check(TASK, Candidate("inc", GOOD))
    assert verdict.status == status and verdict.reason.startswith(prefix), verdict


@needs_dafny
@pytest.mark.slow
def test_a_crash_that_a_fresh_process_does_not_reproduce_is_retried_away(real, monkeypatch):
    run = real.run_program
    seen = []

    def flaky(program, fresh=False, cli=False, **kw):
        seen.append(fresh)
        if len(seen) == 1:
            return _reply("crashed", detail="server exited (status 137)")
        return run(program, fresh=fresh, cli=cli, **kw)

    monkeypatch.setattr(real, "run_program", flaky)
    assert real.check(TASK, Candidate("inc", GOOD + " ")).status == "verified"
    assert seen[:2] == [False, True]


def test_cli_memory_cap_is_reported_as_memory(tmp_path):
    fake = tmp_path / "dafny"
    fake.write_text(textwrap.dedent("""\
        #!/bin/sh
        echo "[ERROR] FATAL UNHANDLED EXCEPTION: System.ExecutionEngineException: Couldn't create thread. Error 0x0"
        exit 1
        """))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    runner = CliRunner(Toolchain(str(fake), "2.3.0", 2, "cli2"), memory_mb=512, aot=False)
    reply = runner.run("lemma L() ensures true {}\n", timeout=30, time_limit=10)
    assert reply.kind == "memory" and "512 MiB" in reply.detail, reply


# -- the cache key carries the gate, bridge and parser versions ------------------------------------


@needs_dafny
def test_a_changed_gate_bridge_or_parser_version_misses_the_cache(real, monkeypatch):
    import importlib

    monkeypatch.setattr(real, "cache", VerdictCache())
    cand = Candidate("inc", GOOD + "  ")
    assert real.check(TASK, cand).status == "verified"
    assert real.check(TASK, cand).cached
    for module, constant in [("soundness", "GATE_VERSION"), ("dialect", "BRIDGE_VERSION"), ("syntax", "PARSER_VERSION")]:
        mod = importlib.import_module(f"dafny_env.{module}")
        monkeypatch.setattr(mod, constant, getattr(mod, constant) + 1)
        again = real.check(TASK, cand)
        assert not again.cached and again.status == "verified", constant
        assert real.check(TASK, cand).cached


# -- lifecycle -----------------------------------------------------------------------------------


@needs_dafny
def test_a_closed_verifier_answers_error_and_starts_nothing():
    v = DafnyVerifier(workers=1)
    v.close()
    verdict = v.check(TASK, Candidate("inc", GOOD))
    assert verdict.status == "error" and "closed" in verdict.reason, verdict
    assert v._runner is None


class _FakeServer:
    def __init__(self, name: str):
        self.name, self.alive, self.checks, self.closed = name, True, 0, False

    def close(self) -> None:
        self.closed, self.alive = True, False

    def rss_mb(self) -> float:
        return 0.0


def test_fresh_borrow_retires_one_idle_server_not_all(monkeypatch):
    pool = ServerPool(["true"], size=3)
    try:
        old = [_FakeServer("a"), _FakeServer("b")]
        for s in old:
            pool._live.add(s)
            pool._idle.put(s)
        monkeypatch.setattr(pool, "_new_server", lambda: _FakeServer("new"))
        got = pool._borrow(fresh=True)
        assert got.name == "new"
        assert sum(s.closed for s in old) == 1, "fresh=True must retire exactly one idle server"
        assert pool._idle.qsize() == 1
    finally:
        pool._closed = True
        pool._workdir.cleanup()


@needs_dafny
def test_untranslatable_candidate_is_failed_and_untranslatable_statement_is_the_tasks():
    with DafnyVerifier(workers=1) as v:
        cand = v.check(TASK, Candidate("inc", '{ y := x + |"😀"|; }'))
        spec = Task("emoji", "dafny", 'const S := "😀"\nlemma L()\n  ensures |S| == 1\n', kind="prove")
        task_verdict = v.check(spec, Candidate("emoji", "{ }"))
        assert v._runner is None  # neither ran Dafny
    assert cand.status == "failed" and cand.reason.startswith("bridge:non-ascii"), cand
    assert task_verdict.status == "error" and task_verdict.reason.startswith("task:bridge"), task_verdict


@pytest.mark.skipif(TC is None or not TC.server_argv, reason="Dafny's `symbols` needs DafnyServer.exe (Dafny 2.x)")
def test_the_cli_backend_also_decides_on_dafnys_reading(monkeypatch):
    from dafny_env import soundness

    # The scanner's construct and spec rules off: only Dafny's own reading can refuse this.
    monkeypatch.setattr(soundness, "_check_constructs", lambda spec, cand, allow_star: None)
    monkeypatch.setattr(soundness, "_check_spec", lambda spec, cand, hints: None)
    cheat = "lemma H(x: int) ensures x + 1 == x && {1} > {}\nmethod Inc(x: int) returns (y: int)\n  ensures y > x\n{ H(x); y := x; }\n"
    with DafnyVerifier(workers=1, backend="cli") as v:
        verdict = v.check(TASK, Candidate("inc", cheat))
    assert verdict.status == "rejected" and verdict.reason.startswith("dafny:added:bodyless"), verdict
