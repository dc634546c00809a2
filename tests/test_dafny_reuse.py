"""Reuse across candidates of one spec (DafnyServer's result cache under a stable file name), with
the real Dafny: whatever changes meaning between two requests must change the verdict."""

from __future__ import annotations

import pytest

from dafny_env import DafnyVerifier
from dafny_env.messages import parse_output
from dafny_env.pool import ServerPool
from dafny_env.toolchain import DafnyNotFound, detect
from dafny_env.verifier import _CACHED_IMPL
from prover.core import Candidate, Task

try:
    TC = detect()
except DafnyNotFound:  # pragma: no cover - depends on the machine
    TC = None
needs_server = pytest.mark.skipif(TC is None or TC.mode != "server", reason="needs Dafny 2.x with DafnyServer")

# A statement whose helper lemma has a body: that is what candidates can reuse.
HELPER = ("function {:opaque} F(x: int): int { x + 2 }\n"
          "lemma H(x: int) ensures F(x) > x { reveal_F(); }\n"
          "lemma T(x: int) ensures F(x) >= x + 2\n")
BODY_OK = "{\n  reveal_F();\n}"
BODY_BAD = "{\n  H(x);\n}"  # H says F(x) > x only: not enough for x + 2


@pytest.fixture
def fast():
    """One server, so every request of a test meets the same cache; fast mode (no CLI confirmation)."""
    with DafnyVerifier(workers=1, confirm_failures=False) as v:
        yield v


def _statuses(v: DafnyVerifier, pairs) -> list[str]:
    return [v.check(t, Candidate("c", text)).status for t, text in pairs]


@needs_server
def test_the_raw_server_cache_is_unsound_for_consts():
    """Why reuse is guarded: under one file name Boogie reuses a lemma's result after the `const`
    it depends on changed (Dafny 2.3). The verifier never relies on the raw cache (below)."""
    lemma = "lemma L(x: int) ensures x + K > x {}\n"
    with _pool() as pool:
        first = pool.run("const K := 1\n" + lemma, 60, name="same.dfy")
        second = pool.run("const K := 0\n" + lemma, 60, name="same.dfy")
        fresh = pool.run("const K := 0\n" + lemma, 60)
    outcome = lambda r: [i.outcome for i in parse_output(r.output, 2).impls]  # noqa: E731
    assert outcome(first) == ["verified"] and outcome(fresh) == ["error"]
    assert outcome(second) == ["verified"] and _CACHED_IMPL.search(second.output)


class _pool:
    def __enter__(self) -> ServerPool:
        self.pool = ServerPool(TC.server_argv, size=1)
        return self.pool

    def __exit__(self, *exc) -> None:
        self.pool.close()


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


@needs_server
@pytest.mark.parametrize("what", [w if w in ("const", "helper lemma") else pytest.param(w, marks=pytest.mark.slow)
                                  for w in sorted(STATEMENT_VARIANTS)])
def test_a_statement_that_changes_meaning_changes_the_verdict(fast, what):
    """Same task id, same candidate, the statement's definition changed: both orders, twice."""
    good, bad = STATEMENT_VARIANTS[what]
    body = "{\n  H(x);\n}" if what == "helper lemma" else "{\n}"
    a, b = Task("t", "dafny", good), Task("t", "dafny", bad)
    assert _statuses(fast, [(a, body), (b, body), (a, body), (b, body)]) == ["verified", "failed", "verified", "failed"]


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
def test_a_candidate_helper_that_changes_meaning_changes_the_verdict(fast, what):
    task = Task("t", "dafny", "lemma T(x: int) ensures x + 1 > x\n")
    good, bad = HELPER_PROGRAMS[what]
    assert _statuses(fast, [(task, good), (task, bad), (task, good), (task, bad)]) == ["verified", "failed", "verified", "failed"]


def _recording(v: DafnyVerifier, monkeypatch) -> list[tuple[str | None, str]]:
    """(name, output) of every verify request the verifier makes."""
    calls: list[tuple[str | None, str]] = []
    real = v.run_program

    def run_program(program, fresh=False, cli=False, command="verify", name=None):
        reply = real(program, fresh=fresh, cli=cli, command=command, name=name)
        if command == "verify":
            calls.append((name, reply.output))
        return reply

    monkeypatch.setattr(v, "run_program", run_program)
    return calls


@needs_server
def test_candidates_reuse_the_statements_members(fast, monkeypatch):
    """The helper lemma H of the statement is verified once; later candidates take it from the
    cache, and the verdicts are those of a fresh check."""
    task = Task("t", "dafny", HELPER)
    calls = _recording(fast, monkeypatch)
    assert _statuses(fast, [(task, BODY_OK), (task, BODY_BAD), (task, "{\n  reveal_F(); assert x + 2 >= x + 2;\n}")]) == \
        ["verified", "failed", "verified"]
    names = [n for n, _ in calls]
    assert names[0] and names[0].startswith("task-") and len(set(names)) == 1, names  # statement, then 3 candidates
    assert all("Impl$$_module.__default.H" in _CACHED_IMPL.findall(out) for _, out in calls[1:]), calls


@needs_server
def test_reuse_can_be_turned_off(monkeypatch):
    """`reuse_statements=False`: fresh names only, no statement request, the same verdicts."""
    task = Task("t", "dafny", HELPER)
    with DafnyVerifier(workers=1, confirm_failures=False, reuse_statements=False) as v:
        calls = _recording(v, monkeypatch)
        assert _statuses(v, [(task, BODY_OK), (task, BODY_BAD)]) == ["verified", "failed"]
    assert [n for n, _ in calls] == [None, None], calls


@needs_server
def test_the_targets_own_result_never_comes_from_the_cache(fast, monkeypatch):
    """The same body twice (verdict cache off): Boogie would serve the target's implementation
    from its cache; the verifier re-verifies under a new name instead."""
    task = Task("t", "dafny", HELPER)
    calls = _recording(fast, monkeypatch)
    assert _statuses(fast, [(task, BODY_OK), (task, BODY_OK)]) == ["verified", "verified"]
    stable = calls[0][0]
    assert [n == stable for n, _ in calls] == [True, True, True, False], [n for n, _ in calls]
    assert "Impl$$_module.__default.T" in _CACHED_IMPL.findall(calls[2][1])


@needs_server
def test_names_differ_by_statement_and_toolchain(fast):
    a, b = Task("t", "dafny", "lemma T() ensures true\n"), Task("t", "dafny", "lemma T() ensures 1 == 1\n")
    assert fast._reuse_name(a) != fast._reuse_name(b)
    with DafnyVerifier(workers=1, confirm_failures=True) as exact:
        assert exact._reuse_name(a) != fast._reuse_name(a)  # the fast mode's stamp is part of the name


@needs_server
def test_a_silent_drop_stays_refused_with_reuse(fast):
    """A `forall` statement holding a `while` loop: Dafny 2.3 prints `0 verified, 0 errors` for
    this false lemma; after the reference filled the cache it must still not be `verified`."""
    task = Task("t", "dafny", "lemma T(n: nat)\n  ensures forall i :: 0 <= i < n ==> i < 0\n")
    drop = ("{\n  forall i | 0 <= i < n\n    ensures i < 0\n  {\n    var j := 0;\n"
            "    while j < 1 { j := j + 1; }\n  }\n}")
    ok = Task("t", "dafny", "lemma T(n: nat)\n  ensures forall i :: 0 <= i < n ==> i >= 0\n")
    assert fast.check(ok, Candidate("c", "{\n}")).status == "verified"
    assert fast.check(task, Candidate("c", drop)).status != "verified"
    assert fast.check(task, Candidate("c", drop)).status != "verified"


@needs_server
def test_fast_mode_is_stamped_on_every_verdict(fast):
    verdict = fast.check(Task("t", "dafny", "lemma T() ensures true\n"), Candidate("c", "{\n}"))
    assert "fast:" in verdict.toolchain and "false negatives" in verdict.toolchain
    with DafnyVerifier(workers=1) as exact:
        assert "fast" not in exact.toolchain()


@needs_server
def test_a_reused_verified_with_a_declaration_the_statement_lacks_is_rechecked(fast, monkeypatch):
    """Dafny's reading of the program declares something the statement does not (a body that
    smuggled a declaration past our scanner): the verdict is re-decided without any reuse and the
    task's name is retired. Simulated by hiding the helper H from the statement's symbols."""
    task = Task("t", "dafny", HELPER)
    real_spec = fast._spec_symbols

    def spec_without_h(t):
        statement, symbols = real_spec(t)
        return statement, [s for s in symbols if s.name != "H"]

    monkeypatch.setattr(fast, "_spec_symbols", spec_without_h)
    calls = _recording(fast, monkeypatch)
    assert _statuses(fast, [(task, BODY_OK), (task, BODY_OK)]) == ["verified", "verified"]
    stable = calls[0][0]
    assert [n == stable for n, _ in calls] == [True, True, False, False], [n for n, _ in calls]


@needs_server
def test_no_statement_request_when_nothing_can_be_reused(fast, monkeypatch):
    """A statement without a body of its own has nothing to reuse: no request for it, fresh names.
    One whose bodies verify to nothing (a non-recursive function) is asked once, then never again."""
    calls = _recording(fast, monkeypatch)
    bare = Task("t", "dafny", "lemma T(x: int) ensures x + 1 > x\n")
    assert _statuses(fast, [(bare, "{\n}"), (bare, "{\n  assert x + 1 > x;\n}")]) == ["verified", "verified"]
    assert [n for n, _ in calls] == [None, None]
    calls.clear()
    plain = Task("t", "dafny", "function Abs(x: int): int { if x < 0 then -x else x }\nlemma T(x: int) ensures Abs(x) >= 0\n")
    assert _statuses(fast, [(plain, "{\n}"), (plain, "{\n  assert Abs(x) >= 0;\n}")]) == ["verified", "verified"]
    names = [n for n, _ in calls]
    assert names[0] and names[0].startswith("task-") and names[1:] == [None, None], names


@needs_server
def test_concurrent_candidates_verify_the_statement_once(monkeypatch):
    """Two workers start on the same new statement: one verifies it, the other checks its candidate
    without reuse instead of verifying the statement a second time."""
    bodies = [BODY_OK, BODY_BAD, "{\n  reveal_F(); assert x + 2 >= x + 2;\n}", "{\n  reveal_F(); assert true;\n}"]
    with DafnyVerifier(workers=2, confirm_failures=False) as v:
        programs: list[str] = []
        real = v.run_program

        def run_program(program, fresh=False, cli=False, command="verify", name=None):
            if command == "verify":
                programs.append(program)
            return real(program, fresh=fresh, cli=cli, command=command, name=name)

        monkeypatch.setattr(v, "run_program", run_program)
        task = Task("t", "dafny", HELPER)
        out = v.check_many([(task, Candidate(f"c{i}", b)) for i, b in enumerate(bodies)])
    assert [x.status for x in out] == ["verified", "failed", "verified", "verified"]
    assert programs.count(HELPER) == 1, len(programs)


CIRCULAR = ("lemma H(n: nat)\n  ensures n < 0\n{\n  T(n + 1);\n}\n\n"
            "lemma T(n: nat)\n  decreases n + 1\n  ensures n < 0\n")


@needs_server
def test_a_body_that_closes_a_recursion_through_a_helper_is_not_verified(fast):
    """H calls T in the statement; a body of T that calls H makes them one recursion, and H's call
    to T does not decrease. Stock Dafny reports the termination error in H; H's result from the
    statement alone (no cycle there) must not stand in for it, after any other candidate."""
    task = Task("t", "dafny", CIRCULAR)
    assert _statuses(fast, [(task, "{\n}"), (task, "{\n  H(n);\n}")]) == ["failed", "failed"]
    assert fast._reusable_impls(task, fast._reuse_name(task)) is None
