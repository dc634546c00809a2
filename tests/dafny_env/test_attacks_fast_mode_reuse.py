"""Red team, round 3: the fast mode's reuse of DafnyServer's cache across candidates of one task
(`DafnyVerifier(confirm_failures=False)`, what RL training runs), with the real Dafny.

Many candidates per task go through one long-lived verifier, in any order and concurrently; the
statement's own verified implementations may come from Boogie's cache. Every attack here is a
sequence whose last candidate stock Dafny refuses; none may come back `verified`. The honest
look-alikes must verify.

Found and closed here:
* A constructor target is called as `new C(...)`, which never names it, so the rule "no reuse when
  the statement names its target" (commit 6edc4fb) did not see a helper method that allocates a
  `C`. A constructor body that calls that helper closes a recursion whose non-decreasing edge is
  in the helper; the helper's cached result (verified without the cycle) stood in for the
  termination check, and a constructor ensuring `0 == 1` verified (also on the second of two
  servers under concurrency). No reuse for constructor targets then; the reuse is gone since
  (replaced by batching, `dafny_env/batching.py`, which never takes a constructor target), and
  these attacks stay as regressions of the fast mode's verdicts.
* The verdict cache's key left out `task.meta["allow_decreases_star"]`, which the gate reads: a
  `verified` for a task that allows `decreases *` answered a task with the same statement that
  does not. The flag is part of the key now (only when set, so no other key changed).
"""

from __future__ import annotations

import pytest

from dafny_env import DafnyVerifier, batching
from verifier_core.cache import VerdictCache
from verifier_core.records import Candidate, Task
from tests.dafny_env.test_batching import needs_server

# `H` allocates a `C` with a larger argument: `new C(n + 1)` calls the constructor without naming it.
CTOR_CYCLE = ("class C {\n  var x: int\n  constructor (n: nat)\n    decreases n + 1\n    ensures x == n && 0 == 1\n}\n\n"
              "method H(n: nat) returns (c: C)\n  ensures 0 == 1\n{\n  c := new C(n + 1);\n}\n")
HONEST_FIRST = "{\n  x := n;\n}"  # fails honestly (0 == 1), and seeds the statement's reuse
CYCLE = "{\n  var c := H(n);\n  x := n;\n}"  # C(n) -> H(n) -> C(n + 1): H's call does not decrease
CYCLE_AGAIN = "{\n  var d := H(n);\n  x := n + 0;\n}"

CTOR_HONEST = ("class C {\n  var x: int\n  constructor (n: nat)\n    ensures x == n\n}\n\n"
               "method Make(n: nat) returns (c: C)\n  ensures c.x == n\n{\n  c := new C(n);\n}\n")


@pytest.fixture
def fast():
    """One server: every candidate meets the cache the earlier ones left."""
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        yield v


def _check(v: DafnyVerifier, task: Task, body: str):
    return v.check(task, Candidate("c", body))


@needs_server
def test_a_constructor_that_closes_a_recursion_through_a_helper_is_not_verified(fast):
    task = Task("t", "dafny", CTOR_CYCLE)
    first = _check(fast, task, HONEST_FIRST)
    assert first.status == "failed" and "postcondition" in first.reason
    for body in (CYCLE, CYCLE_AGAIN):
        verdict = _check(fast, task, body)
        assert verdict.status == "failed" and "termination" in verdict.reason, verdict
    assert batching.target_of(task.statement) is None  # never batched: no copy stands in for the target


@needs_server
@pytest.mark.slow
def test_the_constructor_cycle_is_not_verified_under_concurrency():
    """Two servers: the candidate that lands on the server holding the statement's results was
    the one that verified before the fix."""
    task = Task("t", "dafny", CTOR_CYCLE)
    bodies = [HONEST_FIRST, CYCLE, CYCLE_AGAIN, "{\n  var e := H(n);\n  x := n;\n}"]
    with DafnyVerifier(workers=2, confirm_failures=False) as v:
        out = v.check_many([(task, Candidate(f"c{i}", b)) for i, b in enumerate(bodies)])
    assert [x.status for x in out] == ["failed"] * 4, [(x.status, x.reason) for x in out]
    assert all("termination" in x.reason for x in out[1:]), [x.reason for x in out]


@needs_server
@pytest.mark.slow
def test_stock_dafny_refuses_the_constructor_cycle():
    """The reference: one `dafny` process on the assembled program reports the termination error."""
    from dafny_env import soundness
    from dafny_env.cli_backend import verify_program

    gate = soundness.gate(Task("t", "dafny", CTOR_CYCLE), CYCLE)
    outcome = verify_program(gate.program)
    assert gate.ok and outcome.status == "verify_errors" and "cannot prove termination" in outcome.output


@needs_server
def test_honest_constructor_bodies_verify(fast):
    task = Task("t", "dafny", CTOR_HONEST)
    assert [_check(fast, task, b).status for b in ("{\n  x := n;\n}", "{\n  x := n + 0;\n}")] == ["verified", "verified"]


STAR = "method T(n: int) returns (r: int)\n  decreases *\n  ensures r == 2 * n\n"
SPIN = "{\n  r := 1;\n  while true\n    decreases *\n  {\n  }\n}"  # never returns: partial correctness only


@needs_server
def test_a_task_that_allows_decreases_star_never_answers_for_one_that_does_not():
    allowing = Task("a", "dafny", STAR, meta={"allow_decreases_star": True})
    strict = Task("b", "dafny", STAR)
    with DafnyVerifier(workers=1, confirm_failures=False, cache=VerdictCache()) as v:
        out = [v.check(t, Candidate("c", SPIN)) for t in (allowing, strict, allowing, strict)]
    assert [x.status for x in out] == ["verified", "rejected", "verified", "rejected"], [(x.status, x.reason) for x in out]
    assert "decreases-star" in out[1].reason
