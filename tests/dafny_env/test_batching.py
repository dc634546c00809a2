"""Several candidates of one task in one DafnyServer request (`dafny_env/batching.py`, the fast
mode), with the real Dafny: a batched verdict is the verdict the candidate gets alone, and a batch
decides failures only (every `verified` comes from the candidate's own program)."""

from __future__ import annotations

import pytest

from dafny_env import DafnyVerifier, batching
from dafny_env.dialect import to_dafny2
from dafny_env.messages import parse_output
from dafny_env.soundness import gate
from dafny_env.toolchain import DafnyNotFound, detect
from verifier_core.records import Candidate, Task

try:
    TC = detect()
except DafnyNotFound:  # pragma: no cover - depends on the machine
    TC = None
needs_server = pytest.mark.skipif(TC is None or TC.mode != "server", reason="needs Dafny 2.x with DafnyServer")

# A statement with a helper lemma of its own, verified once per batch for every candidate.
HELPER = ("function {:opaque} F(x: int): int { x + 2 }\n"
          "lemma H(x: int) ensures F(x) > x { reveal_F(); }\n"
          "lemma T(x: int) ensures F(x) >= x + 2\n")
BODY_OK = "{\n  reveal_F();\n}"
BODY_BAD = "{\n  H(x);\n}"  # H says F(x) > x only: not enough for x + 2
# Recursion on the target itself: alone, Dafny reports that the call may not terminate.
SELF_CALL = "{\n  reveal_F();\n  T(x);\n}"
UNRESOLVED = "{\n  reveal_F();\n  Nope(x);\n}"
MIXED = [BODY_OK, BODY_BAD, SELF_CALL, "{\n  reveal_F();\n  assert false;\n}",
         "{\n  reveal_F();\n  assert x + 2 >= x + 2;\n}", "{\n}"]


@pytest.fixture
def fast():
    """One server; fast mode (no CLI confirmation), which batches."""
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        yield v


def _requests(v: DafnyVerifier, monkeypatch) -> list[str]:
    """The program of every verify request the verifier makes."""
    programs: list[str] = []
    real = v.run_program

    def run_program(program, fresh=False, cli=False, command="verify", timeout=None):
        if command == "verify":
            programs.append(program)
        return real(program, fresh=fresh, cli=cli, command=command, timeout=timeout)

    monkeypatch.setattr(v, "run_program", run_program)
    return programs


def _alone(pairs) -> list:
    with DafnyVerifier(workers=1, confirm_failures=False, batch_size=1) as v:
        return v.check_many(pairs)


@needs_server
def test_a_batch_gives_every_candidate_its_verdict_alone_in_one_request(fast, monkeypatch):
    task = Task("t", "dafny", HELPER)
    pairs = [(task, Candidate(f"c{i}", body)) for i, body in enumerate(MIXED)]
    requests = _requests(fast, monkeypatch)
    batched = fast.check_many(pairs)
    # one program with renamed copies of T, then each of the two it verifies alone, as written
    assert len(requests) == 3 and "Bq" in requests[0] and not any("Bq" in r for r in requests[1:])
    assert requests[1:] == [fast._prepare(task, MIXED[0]).program, fast._prepare(task, MIXED[4]).program]
    alone = _alone(pairs)
    assert [v.status for v in batched] == [v.status for v in alone] == \
        ["verified", "failed", "failed", "failed", "verified", "failed"]
    assert "terminat" in batched[2].reason  # the copy's call of itself is its own recursion
    for b, a in zip(batched, alone):
        # Dafny's own messages, on the candidate's own lines, and the reason built from them
        assert [(m.line, m.severity, m.text) for m in b.messages] == [(m.line, m.severity, m.text) for m in a.messages]
        assert b.reason == a.reason
        assert "Bq" not in b.reason and all("Bq" not in m.text for m in b.messages)


@needs_server
def test_a_candidate_that_does_not_resolve_sends_every_candidate_alone(fast, monkeypatch):
    task = Task("t", "dafny", HELPER)
    requests = _requests(fast, monkeypatch)
    out = fast.check_many([(task, Candidate(f"c{i}", b)) for i, b in enumerate([BODY_OK, UNRESOLVED, BODY_BAD])])
    assert [v.status for v in out] == ["verified", "failed", "failed"]
    assert out[1].reason.startswith("resolution") and "Nope" in out[1].reason
    assert len(requests) == 4  # the batch (its reply decides nothing), then each alone


@needs_server
@pytest.mark.parametrize("what", [w if w in ("const", "helper lemma") else pytest.param(w, marks=pytest.mark.slow)
                                  for w in sorted({"const", "helper lemma", "spec function", "predicate",
                                                   "transitive function"})])
def test_a_statement_that_changes_meaning_changes_the_verdict(fast, what):
    """Same task id, same candidates, the statement's definitions changed: batches of each, in turn."""
    good, bad = STATEMENT_VARIANTS[what]
    bodies = ["{\n  H(x);\n}", "{\n  H(x); assert true;\n}"] if what == "helper lemma" else ["{\n}", "{\n  assert true;\n}"]
    a, b = Task("t", "dafny", good), Task("t", "dafny", bad)
    for task, want in ((a, "verified"), (b, "failed"), (a, "verified")):
        assert [v.status for v in fast.check_many([(task, Candidate(f"c{i}", x)) for i, x in enumerate(bodies)])] == [want] * 2


STATEMENT_VARIANTS = {
    # (statement that the body proves, same names but another meaning)
    "spec function": ("function F(x: int): int { x + 1 }\nlemma T(x: int) ensures F(x) > x\n",
                      "function F(x: int): int { x - 1 }\nlemma T(x: int) ensures F(x) > x\n"),
    "predicate": ("predicate P(x: int) { x > 0 }\nlemma T(x: int) requires x > 5 ensures P(x)\n",
                  "predicate P(x: int) { x > 10 }\nlemma T(x: int) requires x > 5 ensures P(x)\n"),
    "helper lemma": ("function {:opaque} F(x: int): int { x + 1 }\nlemma H(x: int) ensures F(x) > x { reveal_F(); }\n"
                     "lemma T(x: int) ensures F(x) > x\n",
                     "function {:opaque} F(x: int): int { x + 1 }\nlemma H(x: int) ensures true { reveal_F(); }\n"
                     "lemma T(x: int) ensures F(x) > x\n"),
    "const": ("const K := 1\nlemma T(x: int) ensures x + K > x\n", "const K := 0\nlemma T(x: int) ensures x + K > x\n"),
    "transitive function": ("function G(x: int): int { x + 1 }\nfunction F(x: int): int { G(x) }\nlemma T(x: int) ensures F(x) > x\n",
                            "function G(x: int): int { x - 1 }\nfunction F(x: int): int { G(x) }\nlemma T(x: int) ensures F(x) > x\n"),
}


HELPER_PROGRAMS = {
    # whole-program candidates (not a body alone): a helper of the candidate's own changes meaning
    "helper lemma": ("lemma Aux(x: int) ensures x + 1 > x {}\nlemma T(x: int) ensures x + 1 > x { Aux(x); }\n",
                     "lemma Aux(x: int) ensures x + 1 > x + 1 {}\nlemma T(x: int) ensures x + 1 > x { Aux(x); }\n"),
    "helper const": ("const C := 1\nlemma Aux(x: int) ensures x + C > x {}\nlemma T(x: int) ensures x + 1 > x { Aux(x); }\n",
                     "const C := 0\nlemma Aux(x: int) ensures x + C > x {}\nlemma T(x: int) ensures x + 1 > x { Aux(x); }\n"),
}


@needs_server
@pytest.mark.parametrize("what", [w if w == "helper const" else pytest.param(w, marks=pytest.mark.slow)
                                  for w in sorted(HELPER_PROGRAMS)])
def test_whole_program_candidates_are_checked_alone(fast, what, monkeypatch):
    """A candidate with helpers of its own is not a body: it never shares a request."""
    task = Task("t", "dafny", "lemma T(x: int) ensures x + 1 > x\n")
    good, bad = HELPER_PROGRAMS[what]
    requests = _requests(fast, monkeypatch)
    out = fast.check_many([(task, Candidate("a", good)), (task, Candidate("b", bad))])
    assert [v.status for v in out] == ["verified", "failed"]
    assert requests == [r for r in requests if "Bq" not in r] and len(requests) == 2


@needs_server
def test_a_silent_drop_stays_refused_in_a_batch(fast):
    """A `forall` statement holding a `while` loop: Dafny 2.3 prints `0 verified, 0 errors` for
    this false lemma; beside an honest candidate in the same request it must still not verify."""
    task = Task("t", "dafny", "lemma T(n: nat)\n  ensures forall i :: 0 <= i < n ==> i < 0\n")
    drop = ("{\n  forall i | 0 <= i < n\n    ensures i < 0\n  {\n    var j := 0;\n"
            "    while j < 1 { j := j + 1; }\n  }\n}")
    out = fast.check_many([(task, Candidate("a", "{\n}")), (task, Candidate("b", drop)), (task, Candidate("c", drop + " "))])
    assert [v.status for v in out] != ["verified"] * 3 and all(v.status != "verified" for v in out[1:])


@needs_server
def test_fast_mode_is_stamped_on_every_verdict(fast):
    task = Task("t", "dafny", "lemma T() ensures true\n")
    for verdict in fast.check_many([(task, Candidate("a", "{\n}")), (task, Candidate("b", "{\n  assert true;\n}"))]):
        assert "fast:" in verdict.toolchain and "false negatives" in verdict.toolchain
    with DafnyVerifier(workers=1) as exact:
        assert "fast" not in exact.toolchain()


@needs_server
def test_a_method_in_a_class_batches_with_its_own_recursion(fast, monkeypatch):
    statement = ("class Counter {\n  var n: nat\n  method Down(k: nat)\n    modifies this\n    ensures n == 0\n}\n")
    task = Task("t", "dafny", statement)
    bodies = ["{\n  n := 0;\n}", "{\n  this.Down(k);\n}", "{\n  if k > 0 { Down(k - 1); } else { n := 0; }\n}",
              "{\n  n := 1;\n}"]
    requests = _requests(fast, monkeypatch)
    out = fast.check_many([(task, Candidate(f"c{i}", b)) for i, b in enumerate(bodies)])
    assert len(requests) == 3  # the batch, then its two `verified` alone
    assert [v.status for v in out] == [v.status for v in _alone([(task, Candidate(f"c{i}", b)) for i, b in enumerate(bodies)])]
    assert [v.status for v in out] == ["verified", "failed", "verified", "failed"]


CIRCULAR = ("lemma H(n: nat)\n  ensures n < 0\n{\n  T(n + 1);\n}\n\n"
            "lemma T(n: nat)\n  decreases n + 1\n  ensures n < 0\n")


@needs_server
def test_a_body_that_closes_a_recursion_through_a_helper_is_not_verified(fast):
    """H calls T in the statement; a body of T that calls H makes them one recursion, and H's call
    to T does not decrease. Stock Dafny reports the termination error in H. Such a statement is
    never batched (its helper names the target)."""
    task = Task("t", "dafny", CIRCULAR)
    assert batching.target_of(task.statement) is None
    out = fast.check_many([(task, Candidate("a", "{\n}")), (task, Candidate("b", "{\n  H(n);\n}"))])
    assert [v.status for v in out] == ["failed", "failed"]


@pytest.mark.parametrize("statement,batched", [
    ("lemma T(x: int) ensures x >= 0\n", True),
    ("class C {\n  var v: int\n  static method T() returns (r: int) ensures r > 0\n}\n", True),
    ("function T(x: int): int\nlemma L() ensures true {}\n", False),  # a function's body is visible to callers
    ("class C {\n  var x: int\n  constructor (n: int) ensures x == n\n}\n", False),  # called without its name
    ("least lemma T(x: int) ensures true\n", False),  # prefix lemmas
    ("twostate lemma T() ensures true\n", False),
    (CIRCULAR, False),  # named elsewhere
    ("lemma T(x: int) ensures x >= 0\nlemma U(x: int) ensures x >= 0\n", False),  # two targets
])
def test_which_statements_batch(statement, batched):
    assert (batching.target_of(statement) is not None) == batched


def test_a_batch_maps_every_line_back_to_the_candidates_own_program():
    task = Task("t", "dafny", "// spec\nfunction F(x: int): int { x }\n  lemma T(x: int)\n    ensures F(x) == x\n\nlemma After() {}\n")
    bodies = ["{\n}", "{\n  assert F(x) == x;\n  assert true;\n}", "{ T(x); }"]
    programs = [gate(task, b).program for b in bodies]
    b = batching.build(task.statement, batching.target_of(task.statement), programs, nonce="n0")
    lines = b.text.splitlines()
    assert b.suffixes == ("Bqn0k0", "Bqn0k1", "Bqn0k2") and "T(x);" not in b.text and "TBqn0k2(x);" in b.text
    for i, program in enumerate(programs):
        own = program.splitlines()
        mapped = {b.solo_line(i, n): lines[n - 1].replace(b.suffixes[i], "").strip()
                  for n in range(1, len(lines) + 1) if b.solo_line(i, n) is not None}
        assert mapped == {n: own[n - 1].strip() for n in range(1, len(own) + 1)}


SUM_PAIR = ("function SumSeq(s: seq<int>): int\n{\n  if |s| == 0 then 0 else s[0] + SumSeq(s[1..])\n}\n\n"
            "lemma {:induction false} SumPair(x: int, y: int)\n  ensures SumSeq([x]) == x && SumSeq([x, y]) == x + y\n")
# found by bench/dafny_rl_throughput.py: the middle body verifies beside the other two, not alone
SUM_PAIR_BODIES = ["{\n  assert false;\n  assert [x, y][1..] == [y];\n  assert [y][1..] == [];\n}",
                   "{\n  if x > 0 { SumPair(x - 1, y); }\n}",
                   "{\n  if x >= 2 { SumPair(x - 1, y); SumPair(x - 2, y); }\n}"]


@needs_server
def test_a_body_that_verifies_only_beside_its_batch_mates_is_not_verified(fast, monkeypatch):
    """z3 proves the middle body after a mate that asserts facts about its sequences, and not alone
    (stock `dafny` on the batch program verifies it as well, with `/restartProver` too; the copy's
    Boogie implementation is the same text either way). The candidate's own program decides."""
    task = Task("t", "dafny", SUM_PAIR)
    pairs = [(task, Candidate(f"c{i}", b)) for i, b in enumerate(SUM_PAIR_BODIES)]
    assert [v.status for v in _alone(pairs)] == ["failed", "failed", "failed"]
    prepared = [fast._prepare(task, b) for b in SUM_PAIR_BODIES]
    batch = batching.build(task.statement, batching.target_of(task.statement), [p.gate.program for p in prepared])
    impls = parse_output(fast.run_program(to_dafny2(batch.text).text).output, 2).impls
    assert {i.name: i.outcome for i in impls}[f"Impl$$_module.__default.SumPair{batch.suffixes[1]}"] == "verified"
    requests = _requests(fast, monkeypatch)
    assert [v.status for v in fast.check_many(pairs)] == ["failed", "failed", "failed"]
    assert len(requests) == 2 and requests[1] == prepared[1].program  # re-checked alone, and failed there
