"""The reward service with the real Dafny: each of the five verdicts maps to its reward, `error` to None."""

from __future__ import annotations

import pytest

from dafny_env.toolchain import DafnyNotFound, detect
from verifier_core.records import Task
from prover.evaluation.backends import local_factory
from prover.train.rewards import RewardConfig, RewardService, reward_for

try:
    TC = detect()
except DafnyNotFound:
    TC = None
needs_dafny = pytest.mark.skipif(TC is None, reason="no Dafny installed (see `prover doctor`)")

INC = Task("inc", "dafny", "method Inc(x: int) returns (y: int)\n  ensures y == x + 1\n", kind="implement")
HANG = Task("hang", "dafny", "lemma Hang(x: int, y: int, z: int)\n"
            "  requires x > 0 && y > 0 && z > 0 && x*x + y*y == z*z\n"
            "  ensures (x*y) % 3 == 0 && (x*y) % 4 == 0\n")
BROKEN = Task("broken", "dafny", "lemma L( {\n")


def test_reward_table_and_penalties():
    cfg = RewardConfig(rejected=-0.5)
    assert [reward_for(s, cfg) for s in ("verified", "failed", "rejected", "timeout", "error")] == \
        [1.0, 0.0, -0.5, 0.0, None]
    with pytest.raises(ValueError):
        reward_for("maybe", cfg)


@needs_dafny
def test_five_statuses_from_the_real_dafny(tmp_path, monkeypatch):
    monkeypatch.setenv("PROVER_CACHE_DIR", str(tmp_path))  # a fresh verdict cache: every check runs
    # a generous limit for the ordinary checks (a shared, loaded machine), a short one for the hang
    service = RewardService(local_factory("dafny", {"timeout": 120}), RewardConfig(rejected=-1.0), workers=2)
    short = RewardService(local_factory("dafny", {"timeout": 3}), RewardConfig(rejected=-1.0), workers=1)
    try:
        # completion-style raw outputs: the text after the body's opening brace
        cases = [
            (INC, "  y := x + 1;\n}\n```", "verified", 1.0),
            (INC, "  y := x;\n}\n```", "failed", 0.0),
            (INC, "  assume false;\n}\n```", "rejected", -1.0),
            (INC, "I think the answer is", "failed", 0.0),  # garbage: nothing to extract, no verifier call
            (BROKEN, "}\n```", "error", None),  # the task itself is unreadable: our problem, not the proof
        ]
        got = service.score_many([c[0] for c in cases], [c[1] for c in cases], ["completion"] * len(cases))
        hang = short.score_many([HANG], ["}\n```"], ["completion"])[0]
        assert hang.verdict.status == "timeout" and hang.reward == 0.0, hang.verdict.reason
        assert [g.verdict.status for g in got] == [c[2] for c in cases], [g.verdict.reason for g in got]
        assert [g.reward for g in got] == [c[3] for c in cases]
        assert got[0].candidate == "{  y := x + 1;\n}" and got[0].verdict.seconds > 0
        assert got[3].reason and got[3].candidate == ""
        counts, secs = service.take_counts()
        assert counts == {"verified": 1, "failed": 2, "rejected": 1, "timeout": 0, "error": 1} and secs > 0
        assert short.take_counts()[0]["timeout"] == 1
        # the same candidate again is not checked again (service dedupe), and keeps its verify seconds
        again = service.score_many([INC], ["  y := x + 1;\n}\n```"], ["completion"])[0]
        assert again.verdict.status == "verified" and again.verdict.seconds == got[0].verdict.seconds
        assert service.take_counts()[1] == 0.0
    finally:
        service.close()
        short.close()


@needs_dafny
def test_a_tasks_completions_share_one_request_in_the_fast_mode(monkeypatch):
    """What training runs: one task's completions reach the verifier together and, in the fast
    mode, Dafny checks them in one request (`dafny_env/batching.py`), rewards unchanged: the two
    it verifies are then re-checked alone."""
    from dafny_env.verifier import DafnyVerifier

    monkeypatch.setenv("PROVER_NO_CACHE", "1")
    requests: list[str] = []
    real = DafnyVerifier.run_program

    def spy(self, program, *args, **kwargs):
        if kwargs.get("command", "verify") == "verify":
            requests.append(program)
        return real(self, program, *args, **kwargs)

    monkeypatch.setattr(DafnyVerifier, "run_program", spy)
    service = RewardService(local_factory("dafny", {"timeout": 120, "confirm_failures": False}), workers=1)
    raws = ["  y := x + 1;\n}\n```", "  y := x;\n}\n```", "  y := 1 + x;\n}\n```", "  y := x + 2;\n}\n```"]
    try:
        got = service.score_many([INC] * 4, raws, ["completion"] * 4)
    finally:
        service.close()
    assert [g.reward for g in got] == [1.0, 0.0, 1.0, 0.0], [g.verdict.reason for g in got]
    assert len(requests) == 3 and "IncBq" in requests[0] and not any("Bq" in r for r in requests[1:])


@needs_dafny
def test_a_cache_hit_keeps_the_original_seconds(tmp_path):
    from verifier_core.cache import VerdictCache
    from verifier_core.records import Candidate
    from prover.verifiers import get_verifier

    cache = VerdictCache(str(tmp_path / "v.sqlite"))
    v = get_verifier("dafny", cache=cache, workers=1, timeout=30)
    try:
        first = v.check(INC, Candidate("inc", "{ y := x + 1; }"))
        hit = v.check(INC, Candidate("inc", "{ y := x + 1; }"))
    finally:
        v.close()
    assert first.status == hit.status == "verified" and hit.cached and not first.cached
    assert hit.seconds == first.seconds > 0


@needs_dafny
@pytest.mark.slow
@pytest.mark.ray
def test_reward_service_on_ray_actors():
    ray = pytest.importorskip("ray")
    from prover.evaluation.backends import ray_factory

    try:
        service = RewardService(ray_factory("dafny", {"timeout": 120}, None, 1), workers=1)
        try:
            got = service.score_many([INC, INC], ["  y := x + 1;\n}\n```", "  y := x;\n}\n```"],
                                     ["completion", "completion"])
        finally:
            service.close()
        assert [g.verdict.status for g in got] == ["verified", "failed"]
        assert [g.reward for g in got] == [1.0, 0.0]
    finally:
        ray.shutdown()
