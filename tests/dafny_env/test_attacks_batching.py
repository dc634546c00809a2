"""Red team, round 5, with the real Dafny: the fast mode's batches (`dafny_env/batching.py`: one
DafnyServer request holds a renamed copy of the target per candidate). Every attack's candidate
must not come back `verified` where stock Dafny on it alone does not, and a batched verdict must
be the verdict the candidate gets alone (`batch_size=1`); the honest look-alikes must verify.

Found and closed here:
* Forged end of a DafnyServer reply. The client cut a reply at the first `[[DAFNY-SERVER: EOM]]`
  in the stream, and Dafny prints an `{:error "..."}` message verbatim (a verbatim string may hold
  line breaks). A candidate whose failing assertion carries `Verifying Impl$$_module.__default.T
  ... verified`, `Verification completed successfully!` and the marker ended the batch's reply
  inside its own block: every later copy's view held only the forged statement-owned "T verified"
  block and a completion line, which `_verdict` took for `verified`; the rest of the real reply
  stayed in the pipe and answered the next request, so every later request on that server read
  the previous one's reply. With the statement's symbols already known (every training step after
  the first), the batch [forger, `{ }`, `{ assert false; }`] came back [failed, error, verified]:
  the honest copy's `symbols` request read the rest of the batch's reply (`error`), and the
  `assert false` copy's read the honest copy's symbols, which Dafny's evidence check accepted. A program that holds the marker is now
  `rejected` (`gate:protocol:server-marker`) before any process sees it; GATE_VERSION 5. Dafny
  prints a message's escapes undecoded (`"\\u005b"` stays as written) and refuses `"a" + "b"` in
  `{:error}` (internal error), so the marker cannot be spelled any other way.
* A batch mate changed how the dialect bridge translated the statement. The bridge compiles a plain
  function (`function method` in 2.3) when compiled code of the program uses it, decided over the
  whole program: in a batch, one copy's `r := F(x)` compiled `F` for every copy, so a copy whose
  `r := this.F(x)` does not resolve alone (the bridge does not see `.F` as a use) resolved in the
  batch; only Dafny's `symbols` reading of its own program (which fails to resolve: no symbols)
  stopped a `verified`, and the candidate came back `rejected` (`spec:missing`) instead of its
  `failed` (resolution). A copy whose statement lines in the translated batch differ from its own
  translation is now checked alone, and a target must start its own line (so no statement text
  shares a line with a copy).

* A batch mate failed every honest copy. A line-broken `{:error}` message prints its own lines
  into the reply: after a `Verifying Impl$$_module.__default.Other ...` line (no copy's name, so
  the statement's, in every view) an `Error: boom` line failed each honest batch mate, which
  verifies alone. A candidate with a line break in a literal (or any line break other than "\n",
  which `str.splitlines` splits at) is now checked alone (`batching.prints_lines`), where its
  lines only fail itself (its own block, outcome line first, already holds its error; forged
  `verified` lines only add to a view, and one-line messages cannot start a line).

Probed and found closed (kept as regressions): the target's modifiers (`static`, `ghost`) are part of its
header and so of every copy; the target's name inside a string or char literal is not renamed;
lambdas and let-such-that in one copy (Boogie lifts them to global axioms) help no other copy;
`{:autocontracts}`, module and refinement statements give the verdicts they give alone.
Left unexplored: z3's state across copies in one process (push/pop), beyond the honest checks.
"""

from __future__ import annotations

import pytest

from dafny_env import DafnyVerifier, batching
from verifier_core.records import Candidate, Task
from tests.dafny_env.test_batching import needs_server

NL = "\n"


def _verbatim(text: str) -> str:
    return '@"' + text.replace('"', '""') + '"'


def _failing_with(message: str) -> str:
    """A body whose failing assertion makes Dafny print `message` verbatim."""
    return "{\n  assert {:error " + _verbatim(message) + "} x < 0;\n}"


EOM = "[[DAFNY-SERVER: EOM]]"
FAKE_T_VERIFIED = NL.join(["x", "Verifying Impl$$_module.__default.T ...", "  [1 proof obligation]  verified"])
FORGER = _failing_with(FAKE_T_VERIFIED + NL + "Verification completed successfully!" + NL + "[SUCCESS] " + EOM)
INJECTOR = _failing_with(FAKE_T_VERIFIED + NL + "Verification completed successfully!")  # no marker
HONEST = "{\n}"
FAILING = "{\n  assert false;\n}"
PLUS_ONE = "lemma T(x: int) ensures x + 1 > x\n"


def _alone(pairs) -> list:
    with DafnyVerifier(workers=1, confirm_failures=False, batch_size=1) as v:
        return v.check_many(pairs)


def _same_as_alone(batched, alone) -> None:
    assert [(v.status, v.reason) for v in batched] == [(v.status, v.reason) for v in alone]


@needs_server
def test_a_forged_end_of_reply_neither_verifies_nor_desynchronizes():
    task = Task("t", "dafny", PLUS_ONE)
    pairs = [(task, Candidate(f"c{i}", b)) for i, b in enumerate([FORGER, HONEST, FAILING, HONEST + " "])]
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        # as in training after the first step: the statement's symbols are known (`_spec_symbols`)
        assert v.check(task, Candidate("warm", "{\n  assert true;\n}")).status == "verified"
        out = v.check_many(pairs)
        # the same server answers the next checks with their own replies
        after = [v.check(task, Candidate("f", FAILING)), v.check(task, Candidate("h", HONEST))]
    # before the fix: ["failed", "error", "verified", ...], the `assert false` copy verified
    assert [x.status for x in out] == ["rejected", "verified", "failed", "verified"], out
    assert "server-marker" in out[0].reason
    assert [x.status for x in after] == ["failed", "verified"], after


@needs_server
def test_a_forged_end_of_reply_is_rejected_alone_too():
    with DafnyVerifier(workers=1, confirm_failures=False, batch_size=1) as v:
        verdict = v.check(Task("t", "dafny", PLUS_ONE), Candidate("c", "{\n}\n// " + EOM))  # even where Dafny never prints it
    assert verdict.status == "rejected" and "server-marker" in verdict.reason


# Prints a statement-owned block with an error: every view holds the statement's blocks.
POISON = _failing_with("x" + NL + "Verifying Impl$$_module.__default.Other ..." + NL + "prog0.dfy(1,1): Error: boom")


@needs_server
def test_a_candidate_that_prints_lines_of_its_own_is_checked_alone(monkeypatch):
    task = Task("t", "dafny", PLUS_ONE)
    bodies = [HONEST, POISON, INJECTOR, FAILING, HONEST + " "]
    pairs = [(task, Candidate(f"c{i}", b)) for i, b in enumerate(bodies)]
    assert [batching.prints_lines(b) for b in bodies] == [False, True, True, False, False]
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        requests = []
        real = v.run_program
        monkeypatch.setattr(v, "run_program", lambda program, **kw: (requests.append(program), real(program, **kw))[1])
        out = v.check_many(pairs)
    # before the fix: all five in one batch, and the honest ones `failed` ("boom")
    assert [x.status for x in out] == ["verified", "failed", "failed", "failed", "verified"], out
    batches = [r for r in requests if "Bq" in r]
    assert len(batches) == 1 and "Other" not in batches[0] and "boom" not in batches[0]
    _same_as_alone(out, _alone(pairs))


def test_line_breaks_a_reply_could_be_split_at():
    assert not batching.prints_lines('{\n  assert "a\\nb" != "";\n  // "x\n  var c := \'"\';\n}')
    for odd in ("\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"):
        assert batching.prints_lines('{\n  assert |"a' + odd + 'b"| > 0;\n}'), repr(odd)
    assert batching.prints_lines('{\n  assert {:error @"a\nb"} true;\n}')


# `this.F` is no use of `F` to the bridge: alone, `F` stays ghost and the call does not resolve.
COMPILED = "class C {\n  function F(x: int): int { x + 1 }\n  method T(x: int) returns (r: int) ensures r == F(x)\n}\n"


@needs_server
def test_a_batch_mate_does_not_change_how_the_statement_is_translated():
    task = Task("t", "dafny", COMPILED)
    pairs = [(task, Candidate("uses", "{\n  r := F(x);\n}")), (task, Candidate("this", "{\n  r := this.F(x);\n}"))]
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        out = v.check_many(pairs)
    assert [x.status for x in out] == ["verified", "failed"] and out[1].reason.startswith("resolution"), out
    _same_as_alone(out, _alone(pairs))


def test_a_target_that_shares_its_line_does_not_batch():
    assert batching.target_of("function F(): int { 1 } lemma T() ensures F() == 1\n") is None
    assert batching.target_of("function F(): int { 1 }\nlemma T() ensures F() == 1\n") is not None


# (name, statement, bodies): batched verdicts must be the verdicts alone.
CLOSED = [
    ("static-target", "class C {\n  var v: int\n  static method T() returns (r: int) ensures r == 0\n}\n",
     ["{\n  r := 0;\n}", "{\n  r := this.v - this.v;\n}"]),
    ("ghost-target", "class C {\n  var v: int\n  ghost method T() modifies this ensures v == 5\n}\n",
     ["{\n  v := 5;\n}", "{\n  assert true;\n  v := 5;\n}"]),
    ("name-in-literals", PLUS_ONE,  # `TBq<nonce>k<i>` has 17 characters: a renamed "T" would pass
     ["{\n  assert |\"T\"| == 1;\n}", "{\n  assert |\"T\"| == 17;\n}", "{\n  assert 'T' != 'U';\n}"]),
    ("lambda-and-let-such-that", "lemma T(x: int) ensures x > 0\n",
     ["{\n  ghost var y := var z :| z > 0 && z < 0; z;\n  assert y > 0;\n}",
      "{\n  var f := (y: int) => y * y;\n  assert f(x) >= 0;\n}", "{\n  var g := (y: int) => y * y;\n  assert g(x) > 0;\n}"]),
    ("autocontracts", "class {:autocontracts} C {\n  var v: int\n  predicate Valid() { v >= 0 }\n"
     "  constructor () { v := 0; }\n  method T() ensures v > 0\n}\n", ["{\n  v := 1;\n}", "{\n  v := -1;\n}"]),
    ("refinement", "abstract module A {\n  lemma T(x: int) ensures x + 1 > x\n}\nmodule B refines A {\n}\n",
     ["{\n}", "{\n  assert false;\n}"]),
]


@needs_server
@pytest.mark.parametrize("statement,bodies", [pytest.param(*c[1:], id=c[0], marks=() if c[0] == "name-in-literals"
                                                           else pytest.mark.slow) for c in CLOSED])
def test_batched_verdicts_are_the_verdicts_alone(statement, bodies):
    task = Task("t", "dafny", statement)
    assert batching.target_of(statement) is not None
    pairs = [(task, Candidate(f"c{i}", b)) for i, b in enumerate(bodies)]
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        out = v.check_many(pairs)
    _same_as_alone(out, _alone(pairs))


@needs_server
@pytest.mark.slow
def test_stock_dafny_agrees_on_the_forger_and_the_translation_case():
    """The reference: `dafny` on the candidates' own programs."""
    from dafny_env.cli_backend import verify_program
    from dafny_env.dialect import to_dafny2
    from dafny_env.soundness import gate

    forger = verify_program(gate(Task("t", "dafny", PLUS_ONE), FORGER).program)
    assert forger.status == "verify_errors"
    alone = verify_program(to_dafny2(gate(Task("t", "dafny", COMPILED), "{\n  r := this.F(x);\n}").program).text)
    assert alone.status == "resolution_error"


def test_candidates_that_translate_the_statement_otherwise_never_share_a_batch():
    """Without Dafny: the bridge compiles `F` for the batch of both, which only the first's own
    translation does; `statement_lines` keeps them apart and `keeps_statement` would catch it."""
    from dafny_env.dialect import to_dafny2
    from dafny_env.soundness import gate

    task, target = Task("t", "dafny", COMPILED), batching.target_of(COMPILED)
    programs = [gate(task, b).program for b in ("{\n  r := F(x);\n}", "{\n  r := this.F(x);\n}")]
    own = [to_dafny2(p).text for p in programs]
    assert batching.statement_lines(COMPILED, target, own[0]) != batching.statement_lines(COMPILED, target, own[1])
    batch = batching.build(COMPILED, target, programs)
    translated = to_dafny2(batch.text).text
    assert [batching.keeps_statement(batch, translated, own[i], i) for i in range(2)] == [True, False]
    alike = [gate(task, b).program for b in ("{\n  r := this.F(x);\n}", "{\n  r := x + 1;\n}")]
    assert len({batching.statement_lines(COMPILED, target, to_dafny2(p).text) for p in alike}) == 1
