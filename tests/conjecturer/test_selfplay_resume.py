"""SIGKILL inside every step of a self-play round, then `--resume`: the final state equals that of an
uninterrupted run with the same seeds. Fast with the Lean doubles (tests/helpers/selfplay_doubles.py); the
same with the real Dafny, the mutation conjecturer and the portfolio prover in a `slow` test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conjecturer.faults import KILL_ENV
from verifier_core.jsonl import read_records

ROOT = Path(__file__).resolve().parents[2]
HEADER = "import Mathlib\nimport Aesop\n\nset_option maxHeartbeats 400000\n\nopen BigOperators Real Nat Topology Rat\n\n"
LEAN_SEEDS = [
    "theorem lw_a (x y : ℝ) (h₀ : 0 < x) (h₁ : x ≤ y) : x ^ 2 ≤ y ^ 2 + 3 := by",
    "theorem lw_b (a b : ℝ) (h : a + b = 2) : a * b ≤ 1 := by",
    "theorem lw_c (n : ℕ) (h : 2 ≤ n) : n ^ 2 ≥ 2 * n := by",
    "theorem lw_d (x : ℝ) (hx : 1 < x) : x ^ 3 > x := by",
    "theorem lw_e (a b c : ℝ) (h₀ : 0 ≤ a) (h₁ : 0 ≤ b) : a * b ≥ 0 := by",
    "theorem lw_f (k : ℕ) (h : k = 5) : k + 3 = 8 := by",
]


def _without_timing(example: dict) -> dict:
    """An example without its verification seconds and the STP weight computed from them."""
    meta = {k: v for k, v in example.get("meta", {}).items() if k != "verify_seconds"}
    return {**{k: v for k, v in example.items() if k != "weight"}, "meta": meta}


def final_state(out: Path, same_timings: bool = True) -> dict:
    """Everything a run decided, without wall-clock times. A resumed run must also keep the
    verification seconds of what it did not redo (`same_timings`); two independent runs need not."""
    rounds = {}
    for rd in sorted((out / "rounds").iterdir()):
        attempts = sorted((r["task_id"], r["sample"], r["status"], r["text"]) for r in read_records(rd / "prove" / "attempts.jsonl"))
        ev = sorted((r["task_id"], r["sample"], r["status"]) for r in read_records(rd / "eval" / "attempts.jsonl"))
        sel = json.loads((rd / "selection.json").read_text())
        rounds[rd.name] = {
            "conjectures": [r["statement"] for r in read_records(rd / "conjectures.jsonl")],
            "validation": sorted((r["id"], r["status"]) for r in read_records(rd / "validation.jsonl")),
            "prove_tasks": [r["id"] for r in read_records(rd / "prove_tasks.jsonl")],
            "attempts": attempts, "eval": ev, "selection": sel,
            "examples": [[e if same_timings else _without_timing(e) for e in read_records(rd / f)]
                         for f in ("examples_prover.jsonl", "examples_conjecturer.jsonl")],
            "state": json.loads((rd / "state.json").read_text()),
        }
    metrics = [{k: v for k, v in r.items() if k != "seconds"} for r in read_records(out / "metrics.jsonl")]
    data = sorted(json.dumps({k: v for k, v in r.items() if k != "verify_seconds"}, sort_keys=True)
                  for f in sorted((out / "dataset").glob("*.jsonl")) for r in read_records(f))
    return {"rounds": rounds, "metrics": metrics, "dataset": data}


def run(argv: list[str], kill_at: str | None = None, timeout: float = 1800) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop(KILL_ENV, None)
    if kill_at:
        env[KILL_ENV] = kill_at
    p = subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True)
    if p.returncode not in (0, -9):
        raise AssertionError(f"{argv} ({kill_at}) exited {p.returncode}:\n{p.stderr[-3000:]}")
    return p.returncode


def killed_then_resumed(argv_for, out: Path, kills: list[str]) -> None:
    """One run killed at each fault point in turn (every one must really kill), then finished."""
    for k, kill in enumerate(kills):
        rc = run(argv_for(out, resume=k > 0), kill)
        assert rc == -9, f"the run was not killed at {kill}: it finished first"
    assert run(argv_for(out, resume=True)) == 0


def write_lean_seeds(path: Path) -> Path:
    """LEAN_SEEDS as a seeds JSONL file (miniF2F-style rows)."""
    path.write_text("".join(json.dumps({"name": s.split()[1], "header": HEADER, "formal_statement": s}) + "\n"
                            for s in LEAN_SEEDS), encoding="utf-8")
    return path


def lean_config(tmp_path: Path) -> Path:
    seeds = write_lean_seeds(tmp_path / "lean_seeds.jsonl")
    cfg = tmp_path / "lean.yaml"
    cfg.write_text(f"""lang: lean
rounds: 2
seeds: {{benchmarks: [], files: [{json.dumps(str(seeds))}], heldout_fraction: 0.34}}
conjecturer: {{kind: mutation, per_seed: 3, max_per_round: 12}}
prover: {{policy: portfolio, samples: 6, workers: 2}}
heldout: {{samples: 2}}
canaries: {{count: 2}}
""", encoding="utf-8")
    return cfg


@pytest.mark.timeout(1800)  # 8 subprocess runs: about 40 s on idle cores, many minutes on a crowded box
def test_lean_loop_with_doubles_resumes_to_the_same_state(tmp_path):
    pytest.importorskip("yaml")
    cfg = lean_config(tmp_path)

    def argv(out, resume=False):
        return ["-m", "tests.helpers.selfplay_doubles", str(cfg), str(out)] + (["--resume"] if resume else [])

    whole = tmp_path / "whole"
    assert run(argv(whole)) == 0
    ref = final_state(whole)
    r1 = ref["metrics"][1]
    # the loop really did something in round 1: conjectures from proved seeds, some barely provable
    assert ref["metrics"][0]["proposed"] == 0 and r1["proposed"] > 0 and r1["valid"] > 0
    assert r1["selected"] > 0 and r1["audit"]["verified"] == r1["selected"]
    assert r1["canaries"] and r1["heldout_pass_rate"] is not None
    from conjecturer import dataset

    rows = dataset.load(whole)  # the `datasets` library reads what self-play found
    assert len(rows) == len(ref["dataset"]) > 0 and set(rows["source"]) == {"original", "conjecture"}
    # round 0 proposes nothing (no proofs yet), so the kills land in round 1's steps, one each
    kills = ["conjecture:2", "validate:2", "prove:5", "select:1", "eval:1", "finish:1"]
    killed_then_resumed(argv, tmp_path / "killed", kills)
    assert final_state(tmp_path / "killed") == ref


def test_resume_refuses_another_config_and_a_missing_flag(tmp_path):
    from conjecturer.config import SelfPlayConfig
    from conjecturer.selfplay import RunDirMismatch, SelfPlay

    out = tmp_path / "run"
    (out).mkdir()
    SelfPlay(SelfPlayConfig(rounds=1), out)._open()
    (out / "metrics.jsonl").write_text('{"round": 0}\n')  # some work: a run that did none starts afresh
    with pytest.raises(RunDirMismatch, match="--resume"):
        SelfPlay(SelfPlayConfig(rounds=1), out)._open()
    with pytest.raises(RunDirMismatch, match="rounds"):
        SelfPlay(SelfPlayConfig(rounds=2), out, resume=True)._open()
    SelfPlay(SelfPlayConfig(rounds=1), out, resume=True)._open()


def test_dafny_proving_uses_the_fast_mode_and_validation_and_eval_the_exact_one(tmp_path, monkeypatch):
    from conjecturer.config import SelfPlayConfig
    from conjecturer.selfplay import SelfPlay
    from dafny_env.verifier import FAST_MODE_FALSE_NEGATIVES
    from prover.configfile import ConfigError, from_dict
    from prover.evaluation import backends

    made = []
    monkeypatch.setattr(backends, "local_factory", lambda lang, options: made.append(options) or (lambda: None))
    sp = SelfPlay(SelfPlayConfig(), tmp_path / "run")
    for step in ("validate", "prove", "eval"):
        sp.resources.checker_factory_for(step)
    assert [o["confirm_failures"] for o in made] == [True, False, True]
    mode = sp.resources.verifier_mode
    assert mode("prove") == f"fast: {FAST_MODE_FALSE_NEGATIVES}" and mode("eval") == "exact"
    exact = SelfPlay(from_dict(SelfPlayConfig, {"prover": {"confirm_failures": True}}), tmp_path / "run2")
    assert exact.resources.verifier_mode("prove") == "exact"
    with pytest.raises(ConfigError, match="did you mean 'confirm_failures'"):
        from_dict(SelfPlayConfig, {"heldout": {"confirm_failure": False}})
    assert SelfPlay(SelfPlayConfig(lang="lean"), tmp_path / "run3").resources.verifier_mode("prove") == ""


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.skipif(shutil.which("dafny") is None, reason="needs the dafny verifier")
def test_dafny_smoke_shrunk_resumes_to_the_same_state(tmp_path):
    cfg = tmp_path / "dafny.yaml"
    cfg.write_text("""lang: dafny
rounds: 2
seeds: {benchmarks: [dafny-team], limit: 4, heldout_limit: 1, heldout_fraction: 0.25}
conjecturer: {kind: mutation, per_seed: 1, max_per_round: 3}
prover: {policy: portfolio, samples: 5, workers: 2, timeout: 20, confirm_failures: false}
validation: {vacuity_proofs: 1}
heldout: {samples: 1}
canaries: {count: 1}
""", encoding="utf-8")

    def argv(out, resume=False):
        return ["-m", "prover.cli", "selfplay", "--config", str(cfg), "--out", str(out), "--no-progress"] + (
            ["--resume"] if resume else [])

    whole = tmp_path / "whole"
    assert run(argv(whole)) == 0
    ref = final_state(whole)
    kills = ["conjecture:1", "validate:2", "prove:9", "eval:1", "finish:1", "prove:6"]
    killed_then_resumed(argv, tmp_path / "killed", kills)
    assert final_state(tmp_path / "killed") == ref


@pytest.mark.ray
@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.skipif(shutil.which("dafny") is None, reason="needs the dafny verifier")
def test_ray_actors_give_the_same_state_as_local(tmp_path, monkeypatch):
    """`--ray-address local`: the portfolio on 2 rollout actors and the verifier on ray actors."""
    pytest.importorskip("ray")
    cfg = tmp_path / "dafny.yaml"
    cfg.write_text("""lang: dafny
rounds: 1
seeds: {benchmarks: [dafny-team], limit: 5, heldout_limit: 1, heldout_fraction: 0.25}
conjecturer: {kind: mutation, per_seed: 1, max_per_round: 3}
prover: {policy: portfolio, samples: 5, workers: 2, timeout: 20, confirm_failures: false, rollout_actors: 2}
validation: {vacuity_proofs: 1}
heldout: {samples: 1}
canaries: {count: 1}
""", encoding="utf-8")
    base = ["-m", "prover.cli", "selfplay", "--config", str(cfg), "--no-progress"]
    assert run(base + ["--out", str(tmp_path / "local")]) == 0
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    assert run(base + ["--out", str(tmp_path / "ray"), "--ray-address", "local"]) == 0
    assert final_state(tmp_path / "ray", same_timings=False) == final_state(tmp_path / "local", same_timings=False)
