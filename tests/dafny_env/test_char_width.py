"""Issue 23, class E, with the real Dafny: the 4 -> 2.3 bridge may not change what `char` means.

Dafny 2.3's `char` is a 16-bit code unit; Dafny 4's reaches U+10FFFF. On d038b22,
`lemma CharBound(c: char) ensures c as int < 0x10000` (false in Dafny 4) verified with `{}`. A
statement whose meaning may depend on the width (`dialect.char_width_dependence`) is now excluded:
every candidate gets `error` with a `task:char-width` reason. Statements that relate chars only to
each other and to low literals are checked as before.
"""

from __future__ import annotations

import pytest

from dafny_env.dialect import char_width_dependence
from verifier_core.records import Candidate, Task
from tests.dafny_env.test_attacks_name_rebinding import verifier  # noqa: F401 (the shared fixture)
from tests.dafny_env.test_batching import needs_server

BOUND = "lemma CharBound(c: char)\n  ensures c as int < 0x10000\n"
HIGH = "lemma High(s: string)\n  ensures forall i :: 0 <= i < |s| ==> s[i] <= '\\U{FFFF}'\n"
LOW = "lemma Low(s: string)\n  requires forall i :: 0 <= i < |s| ==> 'a' <= s[i] <= 'z'\n  ensures forall i :: 0 <= i < |s| ==> s[i] != 'A'\n"


@needs_server
@pytest.mark.parametrize("spec", [BOUND, HIGH], ids=["as-int", "high-literal"])
def test_a_statement_that_depends_on_char_width_is_excluded(verifier, spec):
    verdict = verifier.check(Task("t", "dafny", spec), Candidate("c", "{\n}"))
    assert verdict.status == "error" and verdict.reason.startswith("task:char-width"), verdict


@needs_server
def test_a_width_independent_char_statement_is_checked(verifier):
    assert verifier.check(Task("t", "dafny", LOW), Candidate("c", "{\n}")).status == "verified"
    # the proof may use what it likes about chars: the statement means the same at both widths
    body = "{\n  var k := 'a' as int;\n  assert k < 0x10000;\n}"
    assert verifier.check(Task("t", "dafny", LOW), Candidate("c", body)).status == "verified"


def test_what_counts_as_width_dependent():
    assert char_width_dependence("lemma L(x: real) ensures x.Floor as real <= x") is None  # no chars
    assert char_width_dependence("lemma L(s: string) ensures |s| >= 0") is None
    assert char_width_dependence("lemma L(c: char) ensures (c as int) / 256 < 256")  # any conversion beside chars
    assert char_width_dependence("lemma L(c: char) ensures c <= '\\uFFFF'")  # a Dafny-2 escape, as written
