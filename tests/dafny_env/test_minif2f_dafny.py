"""miniF2F-Dafny: the trusted header (port, guard, stamp), canaries, a known solution, the benchmark.

The default tests use what ships in the repo (`dafny_env/minif2f/`: the original header files, their
Dafny 2.3 port and three problems); the ones that read the whole benchmark from ../shared skip
without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dafny_env import header as H
from dafny_env.toolchain import DafnyNotFound, detect
from prover.benchmarks import BenchmarkError, load_benchmark, minif2f_dafny_header, minif2f_dafny_task
from verifier_core.settings import data_dir
from verifier_core.records import Candidate, Task

PORT = Path(H.__file__).resolve().parent / "minif2f"
HEADER = minif2f_dafny_header(PORT / "original")
FIXTURE = {r["id"]: minif2f_dafny_task(r, HEADER, "fixture")
           for r in map(json.loads, (PORT / "fixture.jsonl").read_text().splitlines())}
SOLUTION = (PORT / "fixture_solution_amc12_2000_p6.dfy").read_text()


def _dafny_major() -> int | None:
    try:
        return detect().major
    except DafnyNotFound:
        return None


needs_dafny = pytest.mark.skipif(_dafny_major() is None, reason="no Dafny installed")


def task(statement: str, tid: str = "t") -> Task:
    return Task(tid, "dafny", statement, header=HEADER, kind="prove")


@pytest.fixture(scope="module")
def verifier():
    from dafny_env.verifier import DafnyVerifier

    v = DafnyVerifier(workers=2, timeout=60.0)
    yield v
    v.close()


# -- the port -----------------------------------------------------------------------------------


def test_port_is_keyed_by_the_original_header():
    port = H.port_for(HEADER)
    assert port is not None and port.text().count(H.CANDIDATE_MARK) == 1
    assert H.port_for(HEADER + "\n// changed") is None
    with pytest.raises(H.HeaderError):
        H.compose(HEADER + "\n// changed", "lemma x() {}\n", 2)


def _normalized(text: str, this: str) -> str:
    """Tokens of `text` with the port's renamings undone: `this` → the receiver parameter, member
    calls `X.m()` → `m(X)`, module-qualified `Rat.neg(` / `Complex.neg(` → `neg(`."""
    import re

    from dafny_env.syntax import code_tokens

    s = " ".join(t.text for t in code_tokens(text))
    s = re.sub(r"\bthis\b", this, s)
    s = re.sub(r"(\w+) \. (neg|inv|to_real) \( \)", r"\2 ( \1 )", s)
    s = re.sub(r"Rational \( 1 , 1 \) \. (neg|inv) \( \)", r"\1 ( Rational ( 1 , 1 ) )", s)
    return re.sub(r"\b(?:Rat|Complex) \. (neg|inv|to_real) \(", r"\1 (", s)


def test_port_keeps_every_declaration_meaning():
    """Each callable of the original is in the port with the same contract (requires/ensures/...),
    and each function the same body, up to the renamings CHANGES.md lists; nothing is added."""
    from dafny_env.syntax import parse

    orig = parse(H._without_includes(HEADER))
    port = parse(H.port_for(HEADER).text(repaired=False))  # the faithful port (issue 23's repairs on top)
    ported = {d.name: [] for d in port.walk()}
    for d in port.walk():
        ported[d.name].append(d)
    o_callables = [d for d in orig.walk() if d.is_callable]
    assert len(o_callables) == len([d for d in port.walk() if d.is_callable])
    for d in o_callables:
        this = "a" if ".rat." in d.qualname else "w" if ".complex." in d.qualname else "this"
        want = _normalized(orig.text[d.start:d.header_end], this).replace(f"{d.name} (", f"{d.name} ( ", 1)
        same = []
        for p in ported.get(d.name, []):
            got = _normalized(port.text[p.start:p.header_end], this)
            # a former member takes its receiver as the first parameter
            got = got.replace(f"( {this} : rat )", "( )").replace(f"( {this} : complex )", "( )")
            got = got.replace(f"( {this} : rat ,", "(").replace(f"( {this} : complex ,", "(")
            same.append(got.split() == want.split())
            if got.split() == want.split() and d.base in ("function", "predicate"):
                assert _normalized(d.body(orig.text), this) == _normalized(p.body(port.text), this), d.qualname
        assert any(same), (d.qualname, want)


def test_member_calls_are_rewritten_by_receiver_type():
    port = H.port_for(HEADER)
    text = ("lemma l(m: rat, e: complex, q: real)\n  requires m.to_real() > 0.0\n"
            "  ensures Complex.add(e.neg(), Rat.Rational(1, 2).neg().num as real) == q.neg()\n")
    out = H.rewrite_members(text, port)
    assert "Rat.to_real(m)" in out and "Complex.neg(e)" in out
    assert "Rat.neg(Rat.Rational(1, 2)).num" in out
    assert "q.neg()" in out  # a real has no such member: left for Dafny to reject
    assert out.count("\n") == text.count("\n")


def test_trusted_compose_marks_and_prunes_only_the_header():
    program = "lemma mine()\n  ensures sqrt(4.0) >= 0.0\n{}\n"
    c = H.compose(HEADER, program, 2)
    lines = c.text.split("\n")
    assert "\n".join(lines[c.line_offset: c.line_offset + 3]) == program.rstrip("\n")
    assert "function {:verify false} {:axiom} sqrt" in c.text
    assert "lemma mine" in c.text and "{:verify false} mine" not in c.text
    assert "exp_add" not in c.text  # not reachable from the program: pruned
    whole = H.compose(HEADER, program, 2, trusted=False).text
    assert "{:verify false} exp_add" not in whole and "lemma exp_add" in whole


def test_compose_for_dafny4_uses_the_original():
    """Dafny 3+ reads the original: its `include` is dropped, members marked, lemma bodies kept (a
    bodyless lemma needs `{:axiom}` there); no Dafny 4 here, so this checks the text only."""
    program = "lemma mine()\n  ensures exp(0.0) == 1.0\n{ exp_zero(); }\n"
    c = H.compose(HEADER, program, 4)
    assert 'include "definitions.dfy"' not in c.text and "module MiniF2F" not in c.text
    assert "lemma {:verify false} exp_zero()" in c.text and "var c := cexp(Complex.zero());" in c.text
    assert "datatype rat = Rational(num: int, denom: PosInt) {" in c.text
    assert c.text.split("\n")[c.line_offset] == "lemma mine()"
    assert H.before_bridge(HEADER, "lemma x(m: rat) ensures m.to_real() > 0.0 {}", 4).count("m.to_real()") == 1


@pytest.mark.skipif(H.recorded_check(HEADER) is None,
                    reason="the header's one-time check is not recorded yet: run `python bench/minif2f_dafny_header_check.py "
                           "dafny_env/minif2f/original/definitions.dfy dafny_env/minif2f/original/library.dfy` and commit "
                           "dafny_env/minif2f/header_check.json")
def test_recorded_header_check():
    rec = H.recorded_check(HEADER)
    assert rec["reply"] == "done" and rec["frontend_errors"] == 0
    # every implementation has one outcome, and each that is not `verified` is named
    assert sum(rec["implementations"].values()) == rec["implementations_listed"] > 200
    assert "missing" not in rec["implementations"] and rec["implementations"].get("skipped") == 3
    assert len(rec["not_verified"]) == rec["implementations_listed"] - rec["implementations"].get("verified", 0)


@needs_dafny
def test_header_check_accounts_for_every_implementation():
    """The check's parts are named Boogie implementations; a part that lost an outcome (a killed
    process) leaves that implementation `missing`, never verified; one part really runs."""
    listed = H.header_implementations(HEADER)
    names = [n for n, checked in listed.items() if checked]
    skipped = sorted(n for n, checked in listed.items() if not checked)  # the original's {:verify false}
    assert len(names) > 200 and "Impl$$_9_MiniF2F.__default.exp__zero" in names
    assert skipped == [f"CheckWellformed$$_9_MiniF2F.__default.{f}" for f in ("digits__aux", "gcd", "of__digits")]
    everything = list(listed)
    parts = [everything[k:k + 8] for k in range(0, len(everything), 8)]
    done = {H.part_key(q, 120): {"names": q, "time_limit": 120, "reply": "done", "seconds": 1.0, "frontend_errors": 0,
                                 "outcomes": {n: "verified" for n in q if n != names[0] and listed[n]}, "impl_seconds": {},
                                 "errors": []} for q in parts}
    rec = H.check_header(HEADER, 120, part_size=8, done=done)  # every part is done: nothing runs
    assert rec["implementations"] == {"verified": len(names) - 1, "missing": 1, "skipped": 3}
    assert rec["not_verified"] == {names[0]: "missing", **{n: "skipped" for n in skipped}}
    assert rec["reply"] == "incomplete"
    one = H.check_header_part(HEADER, ["Impl$$_9_MiniF2F.__default.exp__zero"], 60, 900)
    assert one["reply"] == "done" and one["outcomes"] == {"Impl$$_9_MiniF2F.__default.exp__zero": "verified"}


# -- the guard: the header cannot be altered or extended ---------------------------------------

STATEMENT = "lemma goal(x: real)\n  requires x > 0.0\n  ensures sqrt(x) > 0.0\n"
ALTERATIONS = {
    "redefine a definition": ("function sqrt(x: real): real { 1.0 }\n" + STATEMENT + "{}\n", "header:redefined"),
    "redefine a library lemma": ("lemma exp_pos(x: real)\n  ensures exp(x) > 0.0\n{}\n" + STATEMENT + "{}\n",
                                 "header:redefined"),
    "redefine a library function": ("function int_sum_seq(s: seq<int>, f: int -> int): int { 0 }\n" + STATEMENT
                                    + "{}\n", "header:redefined"),
    "shadow a type": ("datatype rat = R\n" + STATEMENT + "{}\n", "header:redefined"),
    "add an axiom": ("lemma {:axiom} helper(x: real)\n  ensures sqrt(x) > 0.0\n" + STATEMENT + "{ helper(x); }\n",
                     "attr:axiom"),
    "shadow a module": ("module Real {\n  function sqrt(x: real): real { 1.0 }\n}\n" + STATEMENT + "{}\n",
                        "added:module"),
    "include": ('include "definitions.dfy"\n' + STATEMENT + "{}\n", "include"),
    # the original's own inconsistent axiom: `pos(-1.0)` proves false (the control below shows it)
    "use an unsound axiom": (STATEMENT + "{\n  var b := pos(-1.0);\n}\n", "header:unsound-axiom"),
}


@needs_dafny
@pytest.mark.parametrize("way", sorted(ALTERATIONS))
def test_candidate_cannot_alter_the_header(verifier, way):
    candidate, rule = ALTERATIONS[way]
    v = verifier.check(task(STATEMENT), Candidate("t", candidate))
    assert v.status == "rejected", (way, v.status, v.reason)
    assert rule in v.reason, (way, v.reason)


def test_unsound_names_may_be_used_as_often_as_the_statement_does():
    statement = "lemma s(b: real)\n  requires pos(b)\n  ensures b > 0.0\n"
    assert H.guard(HEADER, statement + "{\n}\n", statement) is None
    rule, detail = H.guard(HEADER, statement + "{\n  var c := pos(-1.0);\n}\n", statement)
    assert rule == "header:unsound-axiom" and "pos" in detail
    assert {"pos", "eventually_within_eps", "limit"} <= set(H.unsound_names(HEADER))
    # `e` is a header function (its contract reaches `limit`) and a common parameter name
    with_e = "lemma s(e: real)\n  requires e > 0.0\n  ensures e * e > 0.0\n"
    assert H.guard(HEADER, with_e + "{\n  assert e * e > 0.0;\n}\n", with_e) is None
    assert H.guard(HEADER, with_e + "{\n  var x := e();\n}\n", with_e)[0] == "header:unsound-axiom"
    var_pos = "lemma s()\n  ensures false\n"
    assert H.guard(HEADER, var_pos + "{\n  var p := pos;\n}\n", var_pos)[0] == "header:unsound-axiom"


@needs_dafny
def test_the_unsound_axiom_is_real_without_the_guard(verifier):
    """Why the guard has the rule: against the header as given (the faithful port, without the
    repairs of issue 23; a Dafny 4 run reads it so), `pos(-1.0)` proves false."""
    program = "lemma l()\n  ensures false\n{\n  var b := pos(-1.0);\n}\n"
    text = H.compose(HEADER, program, verifier._tc.major, repaired=False).text
    reply = verifier.run_program(text, cli=True)
    assert "finished with 1 verified, 0 errors" in reply.output or "2 verified, 0 errors" in reply.output


# -- canaries: false statements must fail against the ported header ----------------------------

CANARIES = {
    "false": "ensures false",
    "reals": "ensures 1.0 == 2.0",
    "Int.pow": "ensures Int.pow(2, 3) == 9",
    "Real.pow": "ensures Real.pow(2.0, 2) == 5.0",
    "Int.sum": "ensures Int.sum({3}, (x: int) => x) == 4",
    "Rat": "ensures Rat.add(Rational(1, 2), Rational(1, 2)) == Rational(3, 4)",
    "Rat members": "ensures Rational(1, 2).to_real() == 1.0",
    "Rat neg/inv": "ensures Rational(2, 3).neg().num == 2",
    "Complex": "ensures Complex.mul(Complex.i(), Complex.i()) == Complex.one()",
    "sqrt": "ensures sqrt(4.0) < 0.0",
    "exp": "ensures exp(1.0) <= 0.0",
    "log": "ensures log(2.0) < 0.0",
    "trig": "ensures sin(1.0) > 1.0",
    "pi": "ensures pi() < 3.0",
    "floor": "ensures floor(1.5) == 2",
    "factorial": "ensures factorial(3) == 0",
    "prime": "ensures prime(4)",
    "choose": "ensures choose(3, 0) == 2",
    "gcd": "ensures gcd(4, 6) == 0",
    "digits": "ensures digits(10, 0) == [1]",
}
# True counterparts: the header is really in use (a canary does not fail for a missing name).
CONTROLS = {
    "Int.pow": "ensures Int.pow(2, 1) == 2",
    "Rat members": "ensures Rational(1, 2).to_real() == 0.5",
    "sqrt": "ensures sqrt(4.0) > 0.0",
    "pi": "ensures pi() > 3.0",
    "factorial": "ensures factorial(0) == 1",
}


@needs_dafny
def test_canaries_fail_and_controls_verify(verifier):
    pairs = [(task(f"lemma canary_{i}()\n  {c}\n", f"canary {k}"), Candidate("c", "{\n}"))
             for i, (k, c) in enumerate(sorted(CANARIES.items()))]
    pairs += [(task(f"lemma control_{i}()\n  {c}\n", f"control {k}"), Candidate("c", "{\n}"))
              for i, (k, c) in enumerate(sorted(CONTROLS.items()))]
    verdicts = verifier.check_many(pairs)
    got = {t.id: v for (t, _), v in zip(pairs, verdicts)}
    wrong = {k: (v.status, v.reason[:120]) for k, v in got.items()
             if (k.startswith("canary") and v.status not in ("failed", "timeout"))
             or (k.startswith("control") and v.status != "verified")}
    assert not wrong, wrong
    # A canary must fail as a proof failure, not by not resolving against the header.
    assert not [k for k, v in got.items() if v.reason.startswith(("resolution", "parse"))]


# -- whole checks: stamp, a known solution, line numbers ----------------------------------------


@needs_dafny
def test_known_solution_verifies_and_is_stamped(verifier):
    t = FIXTURE["amc12_2000_p6"]
    body = SOLUTION[SOLUTION.index("{", SOLUTION.index("lemma amc12_2000_p6")):]
    good, empty, trivial = verifier.check_many([
        (t, Candidate(t.id, body)), (t, Candidate(t.id, "{\n}")),
        (FIXTURE["mathd_algebra_304"], Candidate("m", "{\n}"))])
    assert good.status == "verified", good.reason
    assert empty.status == "failed" and empty.reason.startswith("verify")
    assert trivial.status == "verified", trivial.reason
    assert good.toolchain.endswith(f"+header:{H.header_id(HEADER)}")
    assert empty.messages and all(m.line >= 0 for m in empty.messages)


def test_stamp_and_cache_key_carry_the_header():
    from verifier_core.cache import verdict_key

    assert H.stamp("") == "" and H.header_id(HEADER) in H.stamp(HEADER)
    k1 = verdict_key("dafny 2.3" + H.stamp(HEADER), HEADER, "s", "c")
    k2 = verdict_key("dafny 2.3" + H.stamp(HEADER + " "), HEADER + " ", "s", "c")
    assert k1 != k2


def test_fixture_tasks_are_bodyless_lemmas():
    t = FIXTURE["mathd_algebra_304"]
    assert t.statement.rstrip().endswith("ensures 91*91 == 8281") and t.meta["given_body"] == "{}"
    with pytest.raises(BenchmarkError):
        minif2f_dafny_task({"id": "x", "statement": "lemma x()\n"}, HEADER, "fixture")


@needs_dafny
def test_eval_statement_check_reads_a_header_task_with_its_header():
    """The eval's up-front statement check (task files) reads a miniF2F statement against the
    header: the statement alone does not resolve, with the header it does, and a statement that is
    broken with the header too is refused with its own line."""
    from dafny_env.statement_check import dafny_statement_check

    check = dafny_statement_check(timeout=300)
    good = FIXTURE["aime_1991_p9"]
    assert check(good) == ""
    assert check(Task(good.id, "dafny", good.statement, kind="prove")).startswith("task:resolution")
    broken = check(task(good.statement.replace("tan(x) != 0.0", "tangent(x) != 0.0")))
    assert broken.startswith("task:resolution") and "line 4:" in broken, broken


# -- the benchmark from ../shared ---------------------------------------------------------------

SHARED = data_dir() / "minif2f_dafny" / "minif2f_dafny.jsonl"


@pytest.mark.skipif(not SHARED.exists(), reason=f"{SHARED} absent (the shared miniF2F-Dafny data)")
def test_benchmarks_load_with_the_shipped_header():
    from prover.benchmarks import data_revision

    for split in ("valid", "test"):
        tasks = load_benchmark(f"minif2f-dafny-{split}")
        assert len(tasks) == 244 and {t.meta["split"] for t in tasks} == {split}
        assert all(t.header == HEADER and t.kind == "prove" for t in tasks)
        verified = sum(t.meta["empty_proof_dafny_4_11"] == "verified" for t in tasks)
        assert verified == {"valid": 106, "test": 95}[split]
        assert not [t.id for t in tasks if H.guard(HEADER, t.statement, t.statement)]  # no statement clashes
        # a parameter named like a header function (`e`) may be used freely in the proof
        uses_e = [t for t in tasks if H.guard(HEADER, t.statement + "{\n  assert e == e;\n}\n", t.statement) is None]
        assert uses_e
    assert f"header:{H.header_id(HEADER)}" in data_revision("minif2f-dafny-valid")


def test_download_builds_the_benchmark_from_the_pinned_commit(tmp_path, monkeypatch):
    """Without ../shared the benchmark is fetched from dafny-lang/miniF2F (served here from the fixture)."""
    import prover.benchmarks as B

    full = "f8db1a6" + "0" * 33
    rows = [json.loads(line) for line in (PORT / "fixture.jsonl").read_text().splitlines()]
    files = {f"dataset/{r['split']}/{r['id']}.dfy": 'include "../definitions.dfy"\ninclude "../library.dfy"\n\n'
             + r["statement"] for r in rows}
    files["results/dafny/empty_proof/results.json"] = json.dumps(
        [{"id": f"dataset/{r['split']}/{r['id']}.dfy", "status": r["empty_proof_dafny_4_11"]} for r in rows])
    for name in ("definitions.dfy", "library.dfy"):
        files[f"dataset/{name}"] = (PORT / "original" / name).read_text()

    def fetch(url: str) -> bytes:
        if url.endswith("/commits/f8db1a6"):
            return json.dumps({"sha": full}).encode()
        if "/git/trees/" in url:
            assert full in url
            return json.dumps({"tree": [{"path": p, "type": "blob"} for p in files]}).encode()
        prefix = f"https://raw.githubusercontent.com/dafny-lang/miniF2F/{full}/"
        assert url.startswith(prefix), url
        return files[url[len(prefix):]].encode()

    monkeypatch.setattr(B, "_fetch", fetch)
    got = {t.id: t for split in ("valid", "test") for t in load_benchmark(f"minif2f-dafny-{split}", data_dir=tmp_path)}
    assert sorted(got) == sorted(FIXTURE)
    for tid, want in FIXTURE.items():
        assert (got[tid].statement, got[tid].header) == (want.statement, HEADER)
        assert got[tid].meta["empty_proof_dafny_4_11"] == want.meta["empty_proof_dafny_4_11"]
