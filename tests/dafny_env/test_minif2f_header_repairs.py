"""Issue 23, class A, with the real Dafny: miniF2F-Dafny's trusted header no longer proves `false`.

On d038b22 any miniF2F-Dafny problem verified with one line that reaches an inconsistent axiom of
the header (`var l := log(0.0);`, `rat_mul_inv(Rational(1, 2));`, `pos(-1.0)`, a `*_seq_to_set`
lemma on `[0, 0]`). The port's `repairs` (`dafny2/port.json`, listed in `CHANGES.md` with their
counter-models) close each; the faithful port (`Port.text(repaired=False)`) still shows them, so
each attack is checked to verify there and to fail here.
"""

from __future__ import annotations

import json

import pytest

from dafny_env import header as H
from verifier_core.records import Candidate, Task
from tests.dafny_env.test_attacks_name_rebinding import verifier  # noqa: F401 (the shared fixture)
from tests.dafny_env.test_minif2f_dafny import HEADER, PORT, needs_dafny

FALSE = "lemma t(x: real)\n  requires x > 0.0\n  ensures x < 0.0\n"
ATTACKS = {
    "log(0)": "{\n  var l := log(0.0);\n}",
    "logb(0.5, 2)": "{\n  var l := logb(0.5, 2.0);\n  var a := log(2.0);\n  var b := log(0.5);\n}",
    "rat_mul_inv": "{\n  rat_mul_inv(Rat.Rational(1, 2));\n}",
    "seq_to_set duplicates": ("{\n  var f := (k: int) => 1;\n  int_sum_seq_to_set([0, 0], f);\n"
                              "  assert int_sum_seq([0, 0], f) == 2;\n  assert (set k | k in [0, 0]) == {0};\n"
                              "  assert {0} - {0} == {};\n}"),
    "rat_mul_zero": "{\n  rat_mul_zero(Rat.Rational(1, 2));\n}",
}


@needs_dafny
@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_inconsistency_of_the_original_no_longer_proves_anything(verifier, name):
    program = FALSE + ATTACKS[name] + "\n"
    original = H.compose(HEADER, program, 2, repaired=False).text
    reply = verifier.run_program(original, cli=True)
    assert "0 errors" in reply.output and " 0 verified" not in reply.output, (name, reply.output[-800:])
    verdict = verifier.check(Task("t", "dafny", FALSE, header=HEADER, kind="prove"), Candidate("c", ATTACKS[name]))
    assert verdict.status == "failed", (name, verdict)


def test_every_repair_applies_once_and_is_documented():
    port = H.port_for(HEADER)
    manifest = json.loads((PORT / "dafny2" / "port.json").read_text())
    changes = (PORT / "CHANGES.md").read_text()
    assert {r["member"] for r in port.repairs} >= {
        "log", "logb", "rat_mul_inv", "divisors", "pos", "eventually_within_eps", "int_sum_seq_to_set",
        "int_prod_seq_to_set", "rat_sum_seq_to_set", "rat_prod_seq_to_set", "real_sum_seq_to_set",
        "real_prod_seq_to_set", "complex_sum_seq_to_set"}
    repaired, faithful = port.text(), port.text(repaired=False)
    for r in manifest["repairs"]:
        assert faithful.count(r["old"]) == 1 and r["new"] in repaired and r["old"] not in repaired, r["member"]
        assert r["counter_model"] and f"`{r['member']}`" in changes, r["member"]


@needs_dafny
def test_honest_uses_of_the_repaired_members_still_verify(verifier):
    task = Task("t", "dafny", "lemma u()\n  ensures log(1.0) == 0.0\n  ensures pos(2.0)\n", header=HEADER, kind="prove")
    assert verifier.check(task, Candidate("c", "{\n}")).status == "verified"
    seq = ("lemma w()\n  ensures int_sum_seq([1, 2], (k: int) => k) == Int.sum({1, 2}, (k: int) => k)\n")
    body = "{\n  int_sum_seq_to_set([1, 2], (k: int) => k);\n  assert (set k | k in [1, 2]) == {1, 2};\n}"
    assert verifier.check(Task("s", "dafny", seq, header=HEADER, kind="prove"), Candidate("c", body)).status == "verified"


def test_the_problems_a_repair_can_change_are_found_through_the_header():
    """The coverage re-run (`bench/minif2f_dafny_coverage.py --reaching-repairs`) picks problems so."""
    assert H.repaired_members_reached(HEADER, "lemma p(x: real) requires x > 1.0 ensures log(x) > 0.0") == ["log"]
    assert "pos" in H.repaired_members_reached(HEADER, "lemma q() ensures limit((n: nat) => 0.0, 0.0)")
    assert H.repaired_members_reached(HEADER, "lemma r(x: real) ensures sqrt(x * x) >= 0.0") == []
