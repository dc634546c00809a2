"""Red team, round 4, with the real Dafny: what a `verified` can rest on besides the candidate's own
checked body. Every attack's last candidate must not come back `verified`; the honest look-alikes must.

Found and closed here:
* Dafny emits an iterator's implementation only when its body makes an assertion of its own (the
  translator's `EmitImplementation`: "only when there are proof obligations"); the check that the
  iterator's `ensures` holds when the body ends is not one. So `iterator Gen(...) ensures false { }`
  (or any body of plain local assignments) came back verified, in both modes and from stock
  `dafny`, without the body ever reaching Boogie; a full-program candidate could add such an
  iterator and prove anything from its `MoveNext`. `verified` now needs Dafny's report of a check
  of every iterator body (`verifier._unchecked_iterators`); an iterator whose body makes no
  assertion is `failed` (a false negative only for an iterator whose spec holds trivially).

Probed and found closed (the fast mode's reuse of DafnyServer's cache, `confirm_failures=False`;
that reuse is gone since, replaced by batching, `dafny_env/batching.py`, which takes neither of
these statements, and the attacks stay as regressions of the verdict):
the recursion family of rounds 1 and 3 needs an edge into the target that neither names it nor is
`new C(...)`. A function target's callers are re-verified (Boogie's dependency checksum holds the
function's body): `{:autocontracts}` adds `requires Valid()` to a function without naming `Valid`,
and a `Valid` body that closes the cycle through that function fails as stock Dafny does. An
iterator referred to only as `Gen?` escapes the name rule, but a caller of its `MoveNext` is
re-verified when the iterator's body changes, and a cycle through it fails as stock Dafny does.
"""

from __future__ import annotations

import pytest

from dafny_env import DafnyVerifier
from verifier_core.records import Candidate, Task
from tests.dafny_env.test_attacks_hidden_axioms import MUL, TEAM, full, task_for
from tests.dafny_env.test_batching import needs_server

# A target iterator whose `ensures` no body can make true.
ITER = "iterator Gen(n: nat) yields (y: int)\n  yield ensures y == n\n  ensures false\n"
UNCHECKED = ["{\n}", "{\n  var k := n;\n}"]  # no assertion of the body's own: Dafny emits no implementation
CHECKED_FAIL = "{\n  yield;\n}"  # the yield makes Dafny emit (and check) the body: fails as it must
COUNT = "iterator Count(n: nat) yields (y: int)\n  yield ensures y < n\n"
COUNT_BODY = "{\n  var i := 0;\n  while i < n\n    invariant i <= n\n  {\n    y := i;\n    yield;\n    i := i + 1;\n  }\n}"

# A full-program candidate: an added iterator that Dafny never checks proves Multiply's goal.
ADDED = "iterator It() yields (x: int)\n  yield ensures 0 == 1\n  ensures 0 == 1\n{\n}\n"  # `false` spelled past the gate's ensures:trivial
USE_ADDED = "var it := new It();\n  var more := it.MoveNext();\n  r := 0;"


@pytest.fixture(scope="module")
def fast():
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        yield v


@needs_server
def test_an_iterator_body_dafny_never_checked_is_not_verified(fast):
    task = Task("t", "dafny", ITER)
    for body in UNCHECKED:
        verdict = fast.check(task, Candidate("c", body))
        assert verdict.status == "failed" and "iterator-unchecked" in verdict.reason, verdict
    verdict = fast.check(task, Candidate("c", CHECKED_FAIL))
    assert verdict.status == "failed" and "postcondition" in verdict.reason, verdict


@needs_server
def test_an_added_unchecked_iterator_proves_nothing(fast):
    verdict = fast.check(task_for(MUL), Candidate("c", full(MUL, USE_ADDED, after=ADDED)))
    assert verdict.status == "failed" and "iterator-unchecked" in verdict.reason, verdict


@needs_server
def test_an_honest_iterator_verifies_and_a_trivial_one_is_a_known_false_negative(fast):
    task = Task("t", "dafny", COUNT)
    assert fast.check(task, Candidate("c", COUNT_BODY)).status == "verified"
    trivial = fast.check(task, Candidate("c", "{\n}"))  # true, but Dafny checked nothing: no evidence
    assert trivial.status == "failed" and "iterator-unchecked" in trivial.reason


@needs_server
@pytest.mark.slow
def test_the_exact_mode_does_not_verify_an_unchecked_iterator():
    with DafnyVerifier(workers=1, confirm_failures=True) as v:
        out = [v.check(Task("t", "dafny", ITER), Candidate("c", b)) for b in UNCHECKED]
        honest = v.check(Task("t", "dafny", COUNT), Candidate("c", COUNT_BODY))
    assert [x.status for x in out] == ["failed", "failed"] and all("iterator-unchecked" in x.reason for x in out)
    assert honest.status == "verified"


@needs_server
@pytest.mark.slow
def test_stock_dafny_never_checks_a_trivial_iterator_body():
    """The reference: `dafny` itself reports no implementation of `Gen` and 0 errors."""
    from dafny_env.cli_backend import verify_program

    outcome = verify_program(ITER + UNCHECKED[0] + "\n")
    assert outcome.status == "verified" and "Impl$$_module.Gen" not in outcome.output
    checked = verify_program(ITER + CHECKED_FAIL + "\n")
    assert checked.status == "verify_errors" and "Impl$$_module.Gen" in checked.output


# Closed, kept as regressions: implicit edges into the target that the name rule does not see.
AUTOCONTRACTS = ("class {:autocontracts} C {\n  var x: int\n  var next: C?\n  predicate Valid()\n\n"
                 "  function G(): int\n  { 1 }\n\n"
                 "  method Inc()\n    ensures x == old(x) + 1\n  { x := x + 1; }\n}\n")
GEN_NULLABLE = ("iterator Gen(n: nat) yields (y: int)\n  yield ensures false\n  ensures false\n  decreases n + 1\n\n"
                "method H(g: Gen?)\n  requires g != null && g.Valid()\n  modifies g, g._modifies, g._new\n"
                "  decreases 0\n  ensures false\n{\n  var more := g.MoveNext();\n}\n")
CLOSED = [
    # G's implicit `requires Valid()` calls the target; the cycle's edge in G is re-checked
    ("autocontracts-valid", AUTOCONTRACTS, "{\n  x >= 0\n}", "{\n  x >= 0 && (next != null ==> next.G() == 1)\n}",
     "termination"),
    # `Gen?` is not the token `Gen`; H's call of MoveNext is checked with the candidate's body
    ("iterator-nullable-type", GEN_NULLABLE, "{\n  yield;\n}", "{\n  var g := new Gen(n + 1);\n  H(g);\n}",
     "decrease"),
]


@needs_server
@pytest.mark.slow
@pytest.mark.parametrize("statement,honest,attack,why", [pytest.param(*c[1:], id=c[0]) for c in CLOSED])
def test_implicit_edges_into_the_target_are_rechecked(statement, honest, attack, why):
    task = Task("t", "dafny", statement)
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        v.check(task, Candidate("c", honest))
        verdict = v.check(task, Candidate("c", attack))
    assert verdict.status == "failed" and why in verdict.reason, verdict


def test_team_tasks_hold_no_iterator():
    """The trivial-iterator false negative costs the bundled tasks nothing."""
    assert not any("iterator" in d["statement"] for d in TEAM.values())
