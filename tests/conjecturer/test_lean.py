"""Lean self-play without Lean: mutation, the conjecturer's output parsing, validation logic on the
REPL's recorded transcripts (through the replay double), dedup, vacuity candidates, and the loop."""

from __future__ import annotations

import json
import random
from types import SimpleNamespace

import pytest

from conjecturer.config import ConjecturerConfig, ValidationConfig
from conjecturer.generate import conjecture_completion, conjecturer_prompt, parse_output
from conjecturer.mutate import mutation_conjectures
from conjecturer.records import Conjecture, Seed
from conjecturer.validate import Deduper, validate
from lean_env.conjecture_checks import LeanChecks, lean_elaboration_verdict
from lean_env.mutation import lean_mutants
from lean_env.repl import ReplProcess, ReplResponse
from verifier_core.records import Task
from tests.helpers.lean_transcripts import double, label_pairs, transcript

HEADER = "import Mathlib\nimport Aesop\n\nset_option maxHeartbeats 400000\n\nopen BigOperators Real Nat Topology Rat\n\n"
STMT = "theorem lw_1 (x y : ℝ) (h₀ : 0 < x) (h₁ : x ≤ y) : x ^ 2 ≤ y ^ 2 + 3 := by"


def seed() -> Seed:
    return Seed(Task("lw_1", "lean", STMT, header=HEADER), "\n  nlinarith [sq_nonneg (x - y)]", [], 0.5)


def test_mutants_change_one_thing_and_keep_the_form():
    body = STMT[len("theorem lw_1"):-len(":= by")]
    bound = list(lean_mutants(body, "bound"))
    assert " (x y : ℝ) (h₀ : 0 < x) (h₁ : x < y) : x ^ 2 ≤ y ^ 2 + 3 " in bound
    consts = list(lean_mutants(body, "constant"))
    assert any("+ 4" in m for m in consts) and any("y ^ 3" in m for m in consts)
    dropped = list(lean_mutants(body, "drop_hypothesis"))
    assert any("h₀" not in m and "h₁" in m for m in dropped)
    conjs = mutation_conjectures([seed()], ConjecturerConfig(per_seed=50, max_per_round=100), random.Random(0), 2, "lean")
    assert len(conjs) == len({c.statement for c in conjs}) > 5
    for c in conjs:
        assert c.statement.startswith(f"theorem {c.target} ") and c.statement.endswith(":= by")
        assert c.target.startswith("lw_1_c") and c.header == HEADER and c.id.startswith("r002/lw_1/")
    again = mutation_conjectures([seed()], ConjecturerConfig(per_seed=50, max_per_round=100), random.Random(0), 2, "lean")
    assert [c.statement for c in again] == [c.statement for c in conjs]  # deterministic under the seed


def test_conjecturer_prompt_and_output_parsing():
    prompt, _ = conjecturer_prompt(seed(), "")
    assert "<easy theorem>" in prompt and "nlinarith [sq_nonneg (x - y)]" in prompt
    assert prompt.endswith("<hard theorem>\n```lean4\ntheorem ")
    raw = "lw_hard (a : ℝ) (h : 1 < a) : a ^ 3 > a := by\n  nlinarith\n```"
    stmt, name, err = parse_output(raw, seed(), "")
    assert (stmt, name, err) == ("theorem lw_hard (a : ℝ) (h : 1 < a) : a ^ 3 > a := by", "lw_hard", "")
    assert parse_output("just words, no statement", seed(), "")[2]
    c = Conjecture("c", "lean", stmt, "lw_1", "policy:x", header=HEADER, target=name, prompt=prompt)
    assert conjecture_completion(c).startswith("lw_hard (a : ℝ)") and conjecture_completion(c).endswith("```")


def _responses(name: str) -> list[ReplResponse]:
    pair = next(p for p in label_pairs("v4.24.0") if p.input_path.name == f"{name}.in")
    return [ReplResponse.from_json(json.loads(r), r.decode()) for r in pair.responses]


def test_elaboration_verdict_on_recorded_responses():
    assert lean_elaboration_verdict(_responses("assumption_proof")[0]) is None  # sorry warning only
    assert lean_elaboration_verdict(_responses("app_type_mismatch")[1]) is None  # `example : 1 = 0 := sorry`
    status, detail = lean_elaboration_verdict(_responses("no_goal_sorry")[0])
    assert status == "ill_formed" and "type expected" in detail
    status, detail = lean_elaboration_verdict(_responses("unknown_environment")[0])
    assert status == "error" and "Unknown environment" in detail
    status, _ = lean_elaboration_verdict(_responses("app_type_mismatch")[0])  # error, no sorry
    assert status == "ill_formed"


def test_well_formed_check_through_the_replay_double():
    proc = ReplProcess(double(transcript("v4.24.0", "assumption_proof.in")), memory_mb=None)
    sent = []

    def run_command(header, request):
        sent.append(request)
        return SimpleNamespace(status="ok", response=proc.send(request, timeout=20), detail="")

    try:
        checks = LeanChecks(lambda pairs: [], ValidationConfig(), run_command)
        conj = Conjecture("c", "lean", "theorem aa (x : Nat) (h1 : x  = 2) : x = 2 := by", "s", "hand", target="aa")
        assert checks.well_formed(conj.task()) is None
        assert sent == [{"cmd": "theorem aa (x : Nat) (h1 : x  = 2) : x = 2 := by sorry"}]
    finally:
        proc.kill()
    no_repl = LeanChecks(lambda pairs: [], ValidationConfig(), None)
    assert no_repl.well_formed(conj.task())[0] == "error"


def test_gate_duplicates_and_vacuity_candidates():
    verdicts = []

    def check_many(pairs):
        verdicts.append([c.text for _, c in pairs])
        return [SimpleNamespace(status="verified" if "linarith" in c.text else "failed", reason="") for _, c in pairs]

    ok = SimpleNamespace(status="ok", response=_responses("assumption_proof")[0], detail="")
    checks = LeanChecks(check_many, ValidationConfig(vacuity_proofs=2), lambda h, r: ok)
    d = Deduper("lean")
    d.register(STMT, "lw_1")
    conjs = [
        Conjecture("dup", "lean", STMT.replace("lw_1", "other").replace(" : ", "  :  "), "s", "m", target="other"),
        Conjecture("near", "lean", "theorem n2 (a b : ℝ) (h₀ : 0 < a) (h₁ : a ≤ b) : a ^ 2 ≤ b ^ 2 + 3 := by", "s", "m", target="n2"),
        Conjecture("gate", "lean", "theorem g (x : ℕ) (h : x = sorry) : x = x := by", "s", "m", target="g"),
        Conjecture("vac", "lean", "theorem v (x : ℝ) (h : 0 < x ∧ x < 0) : x = 7 := by", "s", "m", target="v"),
        Conjecture("none", "lean", "", "s", "m", parse_error="no `:=`"),
    ]
    res = {r.id: r.status for r in validate(conjs, checks, d, {}, lambda r: None)}
    assert res == {"dup": "duplicate", "near": "near_duplicate", "gate": "gate", "vac": "vacuous", "none": "unparsed"}
    assert verdicts == [["\n  exfalso\n  linarith", "\n  exfalso\n  nlinarith"]]


def test_shipped_configs_load_and_typos_are_refused(tmp_path):
    from pathlib import Path

    from conjecturer.config import SelfPlayConfig
    from prover.configfile import ConfigError, load_config

    configs = sorted((Path(__file__).resolve().parents[2] / "configs").glob("selfplay-*.yaml"))
    assert len(configs) >= 2
    for path in configs:
        cfg = load_config(SelfPlayConfig, path)
        assert cfg.rounds >= 1 and cfg.canaries.enabled
    bad = tmp_path / "bad.yaml"
    bad.write_text("lang: dafny\nselection: {barely_max_pas_rate: 0.3}\n")
    with pytest.raises(ConfigError, match="barely_max_pass_rate"):
        load_config(SelfPlayConfig, bad)
    bad.write_text("lang: lean\nseeds: {benchmarks: [minif2f-test]}\n")
    with pytest.raises(ConfigError, match="never a seed"):
        load_config(SelfPlayConfig, bad)
