"""Issue 23, class B, with the real Dafny: the guard on miniF2F-Dafny's known-inconsistent `pos` is
decided on Dafny's resolution, not on text.

On d038b22 a mention of an unsound header name other than a call counted only when the text bound
that name nowhere, so `lemma Helper(pos: real) {}` anywhere in the candidate hid `var p := pos;
var b := p(-1.0);` in the target's body, which proves `false`. Now, where the text binds such a
name, the program is resolved by Dafny against the header with those declarations renamed: each
mention Dafny resolved to one of them is an error on its line, counted against the statement's own.
"""

from __future__ import annotations

import pytest

from dafny_env import header as H
from verifier_core.records import Candidate, Task
from tests.dafny_env.test_attacks_name_rebinding import verifier  # noqa: F401 (the shared fixture)
from tests.dafny_env.test_minif2f_dafny import HEADER, needs_dafny

FALSE = "lemma t(x: real)\n  requires x > 0.0\n  ensures x < 0.0\n"
WITH_E = "lemma s(e: real)\n  requires e > 0.0\n  ensures e * e > 0.0\n"


def _task(statement: str) -> Task:
    return Task("t", "dafny", statement, header=HEADER, kind="prove")


@needs_dafny
@pytest.mark.parametrize("bypass", [
    "{\n  var p := pos;\n  var b := p(-1.0);\n}\nlemma Helper(pos: real) {}\n",
    "{\n  var b := (pos)(-1.0);\n}\nlemma Helper(pos: real) {}\n",
    "{\n  var f := (q: real) => pos(q);\n  var b := f(-1.0);\n}\nlemma Helper(pos: real) {}\n",
])
def test_a_binder_elsewhere_does_not_hide_a_reach_of_pos(verifier, bypass):
    verdict = verifier.check(_task(FALSE), Candidate("c", FALSE + bypass))
    assert verdict.status == "rejected" and "header:unsound-axiom" in verdict.reason, verdict
    assert "pos" in verdict.reason


@needs_dafny
def test_a_variable_named_like_a_header_function_is_not_the_function(verifier):
    """miniF2F names variables `e` (also a header function whose contract reaches the unsound `limit`)."""
    verdict = verifier.check(_task(WITH_E), Candidate("c", "{\n  assert e * e > 0.0;\n}"))
    assert verdict.status == "verified", verdict
    verdict = verifier.check(_task(WITH_E), Candidate("c", WITH_E + "{\n  assert e * e > 0.0;\n}\n"
                                                              "lemma u() { var x := e(); }\n"))
    assert verdict.status == "rejected" and "header:unsound-axiom" in verdict.reason, verdict


def test_binders_are_seen_in_every_form():
    for text in ["lemma H(pos: real) {}", "lemma H(a: int, pos: real) {}", "method M() { var pos := 1; }",
                 "function F(): bool { forall pos :: pos > 0 }", "function F(): int { var f := pos => pos; 0 }"]:
        assert H.binds_unsound_name(HEADER, text), text
    assert not H.binds_unsound_name(HEADER, "lemma l() ensures false { var b := pos(-1.0); }")
