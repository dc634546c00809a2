"""Red team, round 6 (gate v6 on 960c8c3), with the real Dafny 2.3: candidates that might come back
`verified` without proving the task's statement, and honest look-alikes that must still verify.

Surfaces tried: bitvector termination measures (loops, recursion, reached through `as`, a newtype,
a statement that has bitvectors), trait dispatch (recursion through the trait, a weaker `decreases`
in the class, a top-level function between the two), ex-falso helpers (called from a `decreases`
or a `requires`), names the statement resolves (a class named `_default`, constructors after a
leading `|` or before members), an unsatisfiable `:|`, Boogie's spelling of names with `'`/`?`, and
functions stored in objects (class/trait `const` fields, iterator parameters, through a synonym, a
datatype or a generic class), a member whose function value applies the member (directly and through
a trait), and Russell's set through an object's `iset` field (2.3 refuses the ghost argument).

Found and closed here:
* `bitvector` (gate v7): Dafny 2.3 translates the non-strict order of a bitvector termination
  measure backwards (`ge_bv64(t, t_init)` as the loop's free invariant, `ge_bv8` in the
  lexicographic call check; Dafny issue 2511, fixed after 2.3). `while t != 0 decreases t { t := 0; }`
  with `t: bv64 := 1` leaves `false` behind it, and mutual recursion through bitvector parameters
  passes its termination check: stock `dafny` and the verifier both said `verified` for `{ <that
  loop> }` as the proof of any lemma. A program may now use bitvector types only where the statement
  or its header does. Where the statement does, the loop still proves anything: `HOLES` (xfail).
* `field:function` (gate v7): Dafny 2.3 checks strict positivity for datatypes only, not through
  objects. `class Box { const f: Box -> bool }` built as `new Box(G)` with `G(x) = !x.f(x)` gives
  `G(x) == !G(x)` in any method (a `const` needs no `reads`): stock `dafny` and the verifier said
  `verified` for an implement task's body `var x := new Box(G); ...; r := 0;`. Same through a trait's
  `const`, an iterator's parameter, a type synonym or a datatype holding the arrow. A field (or
  iterator parameter) the candidate adds may no longer hold a function type.
* (honest refusal) a helper named `H'` or `L?x` came back `rejected: dafny:unverified`: Boogie spells
  those names `H_k`/`L_qx`, and `evidence._impl_of` only knew that `_` becomes `__`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dafny_env import DafnyVerifier
from dafny_env.dialect import to_dafny2
from dafny_env.messages import parse_output
from verifier_core.records import Candidate, Task
from tests.dafny_env.test_attacks_dafny23_semantics import _params
from tests.dafny_env.test_attacks_hidden_axioms import needs_dafny

TEAM = {d["id"]: d for d in map(json.loads, (Path(__file__).resolve().parents[2] / "dafny_env" / "tasks" / "team.jsonl")
                                 .read_text(encoding="utf-8").splitlines()) if d}
SUMF = "team/prove/sum_formula"  # lemma {:induction false} SumFormula(n: nat) ensures 2 * Sum(n) == n * (n + 1)
MUL = "team/implement/multiply_by_addition"  # method Multiply(a: nat, b: nat) returns (r: nat) ensures r == a * b
# a statement with bitvectors of its own (false as written: it asks for the inputs unswapped... swapped twice)
SWAP = "swap"
SWAP_SPEC = "method Swap(x: bv8, y: bv8) returns (a: bv8, b: bv8)\n  ensures a == y && b == x && a == x\n"
SWAP_TRUE = "method Swap(x: bv8, y: bv8) returns (a: bv8, b: bv8)\n  ensures a == y && b == x\n"
TREE = "tree"
TREE_SPEC = """datatype Tree = Leaf | Node(l: Tree, r: Tree)
function Size(t: Tree): nat
{
  match t
  case Leaf => 1
  case Node(l, r) => Size(l) + Size(r) + 1
}
lemma LeafSize()
  ensures Size(Leaf) == 3
"""
SPECS = {SWAP: SWAP_SPEC, "swap-true": SWAP_TRUE, TREE: TREE_SPEC}

SUM_PROOF = "if n > 0 {\n    SumFormula(n - 1);\n  }"
MUL_PROOF = ("r := 0;\n  var i := 0;\n  while i < a\n    invariant i <= a && r == i * b\n    decreases a - i\n"
             "  {\n    r := r + b;\n    i := i + 1;\n  }")
NO = "0 == 1"


def task_for(tid: str) -> Task:
    if tid in SPECS:
        return Task(f"round6/{tid}", "dafny", SPECS[tid], kind="prove")
    return Task(TEAM[tid]["id"], "dafny", TEAM[tid]["statement"], kind=TEAM[tid]["kind"])


def full(tid: str, body: str, after: str = "") -> str:
    return f"{task_for(tid).statement}\n{{\n  {body}\n}}\n{after}"


def bv_loop(ty: str = "bv64", init: str = "1", measure: str = "t") -> str:
    """A loop over a bitvector measure that ends: on 2.3 `false` holds after it."""
    return f"var t: {ty} := {init};\n  while t != 0\n    decreases {measure}\n  {{\n    t := 0;\n  }}"


BV_CALLS = f"""lemma Down(b: bv8)
  requires b == 3
  ensures {NO}
{{
  Up(b + 1, 0);
}}
lemma Up(b: bv8, k: int)
  requires b == 4
  ensures {NO}
{{
  Down(b - 1);
}}
"""  # default decreases (b) and (b, k): the shorter tuple is compared with `ge_bv8` for `<=`
BV_EXPLICIT = f"""method Loop(b: bv8)
  requires b == 3
  ensures {NO}
  decreases b
{{
  Loop2(b + 1);
}}
method Loop2(b: bv8)
  requires b == 4
  ensures {NO}
  decreases b, 0
{{
  Loop(b - 1);
}}
"""
TRAIT_SELF = f"""trait T {{
  lemma L()
    ensures {NO}
}}
class C extends T {{
  lemma L()
    ensures {NO}
  {{
    var t: T := this;
    t.L();
  }}
}}
"""
TRAIT_DECREASES = TRAIT_SELF.replace(f"ensures {NO}\n}}", f"ensures {NO}\n    decreases 0\n}}", 1).replace(
    f"ensures {NO}\n  {{", f"ensures {NO}\n    decreases 1\n  {{")
TRAIT_VIA_FUNCTION = """trait T {
  function F(): int
    ensures F() == 0
}
function G(t: T): int
  ensures G(t) == 0
{
  t.F()
}
class C extends T {
  function F(): int
    ensures F() == 0
  {
    G(this) + 1
  }
}
"""
BOX = """class Box {
  const f: Box -> bool
  constructor (g: Box -> bool)
    ensures f == g
  {
    f := g;
  }
}
function G(x: Box): bool
{
  !x.f(x)
}
"""
KNOT = "var x := new Box(G);\n  assert x.f == G;\n  assert G(x) == !x.f(x);\n  assert x.f(x) == G(x);\n  r := 0;"
ITER = "iterator It(f: It -> bool)\n{\n  var k := 0;\n  assert k * k == 0;\n}\nfunction G(x: It): bool\n{\n  !x.f(x)\n}\n"
TRAIT = "trait Tr {\n  const f: Tr -> bool\n}\nclass Box extends Tr {\n  constructor (g: Tr -> bool)\n    ensures f == g\n  {\n    f := g;\n  }\n}\nfunction G(x: Tr): bool\n{\n  !x.f(x)\n}\n"
SYN = BOX.replace("const f: Box -> bool", "const f: P").replace("class Box {", "type P = Box -> bool\nclass Box {")
DT = ("datatype D = D(p: Box -> bool)\nclass Box {\n  const d: D\n  constructor (g: Box -> bool)\n    ensures d == D(g)\n  {\n    d := D(g);\n  }\n}\n"
      "function G(x: Box): bool\n{\n  !x.d.p(x)\n}\n")
GEN = ("class Box<T> {\n  const f: T\n  constructor (g: T)\n    ensures f == g\n  {\n    f := g;\n  }\n}\n"
       "class A {\n  const bx: Box<A -> bool>\n  constructor (x: Box<A -> bool>)\n    ensures bx == x\n  {\n    bx := x;\n  }\n}\n"
       "function G(a: A): bool\n{\n  !a.bx.f(a)\n}\n")
HONEST_FIELDS = ("class Counter {\n  const step: int\n  var total: int\n  constructor (s: int)\n    ensures step == s && total == 0\n  {\n    step := s;\n    total := 0;\n  }\n}\n"
                 "const inc: int -> int := x => x + 1\n")
EX_FALSO = "lemma H()\n  requires false\n  ensures false\n{\n}\n"

# (name, task, candidate): none may come back `verified`.
ATTACKS: list[tuple[str, str, str]] = [
    # bitvector termination measures (Dafny 2.3 reads `<=` on them as `>=`)
    ("bv-loop-body", SUMF, "{\n  " + bv_loop() + "\n}\n"),
    ("bv-loop", SUMF, full(SUMF, bv_loop())),
    ("bv-loop-implement", MUL, full(MUL, bv_loop("bv8") + "\n  r := 0;")),
    ("bv-loop-tuple", SUMF, full(SUMF, bv_loop("bv8", measure="t, 0"))),
    ("bv-loop-as", SUMF, full(SUMF, bv_loop("int", measure="t as bv64").replace("var t: int := 1", "var t := 1"))),
    ("bv-loop-cast-init", SUMF, full(SUMF, "var t := 1 as bv16;\n  while t != 0\n    decreases t\n  {\n    t := 0;\n  }")),
    ("bv-loop-newtype", SUMF, full(SUMF, bv_loop("B"), "newtype B = x: bv8 | true\n")),
    ("bv-loop-synonym", SUMF, full(SUMF, bv_loop("W"), "type W = bv32\n")),
    ("bv-default-decreases", SUMF, full(SUMF, "Down(3);", BV_CALLS)),
    ("bv-explicit-decreases", MUL, full(MUL, "Loop(3);\n  r := 0;", BV_EXPLICIT)),
    ("bv-statement-loop", SWAP, "{\n  " + bv_loop("bv8") + "\n}\n"),
    # trait dispatch: 2.3 follows calls through the trait into the class (termination) and
    # checks the class's `decreases` against the trait's
    ("trait-dispatch-self", SUMF, full(SUMF, "var t: T;\n  t.L();", TRAIT_SELF)),
    ("trait-weaker-decreases", SUMF, full(SUMF, "var t: T;\n  t.L();", TRAIT_DECREASES)),
    ("trait-via-function", SUMF, full(SUMF, "var t: T;\n  assert G(t) == 0 && t.F() == G(t) + 1;\n  assert false;",
                                      TRAIT_VIA_FUNCTION)),
    # ex-falso helpers (allowed since gate v6): the `requires false` must still be proved at each call
    ("ex-falso-in-decreases", SUMF, full(SUMF, "K();", EX_FALSO + f"lemma K()\n  ensures {NO}\n  decreases (H(); 0)\n{{\n}}\n")),
    ("ex-falso-in-requires", SUMF, full(SUMF, "K();", EX_FALSO + f"lemma K()\n  requires (H(); true)\n  ensures {NO}\n{{\n}}\n")),
    ("ex-falso-in-forall", SUMF, full(SUMF, "forall x: int | x == x\n    ensures false\n  {\n    H();\n  }", EX_FALSO)),
    # names the statement resolves
    ("class-default", TREE, TREE_SPEC + "{\n}\nclass _default {\n  static function Size(t: Tree): nat { 3 }\n}\n"),
    ("ctor-after-leading-bar", TREE, TREE_SPEC + "{\n}\ndatatype E = | Leaf | Q\n"),
    ("ctor-before-members", TREE, TREE_SPEC + "{\n}\ndatatype E = Q | Leaf {\n  function Z(): int { 0 }\n}\n"),
    ("ctor-after-attribute", TREE, TREE_SPEC + "{\n}\ndatatype E = Q | {:nowarn} Leaf\n"),
    # a function stored in an object, applied to that object (Dafny 2.3 checks positivity for datatypes only)
    ("knot-const-field", MUL, full(MUL, KNOT, BOX)),
    ("knot-function-method", MUL, full(MUL, KNOT, BOX.replace("function G", "function method G"))),
    ("knot-iterator", MUL, full(MUL, "var x := new It(G);\n  assert x.f == G;\n  assert G(x) == !x.f(x);\n  assert x.f(x) == G(x);\n  r := 0;", ITER)),
    ("knot-trait-const", MUL, full(MUL, "var x := new Box(G);\n  var t: Tr := x;\n  assert t.f == G;\n  assert G(t) == !t.f(t);\n"
                                        "  assert t.f(t) == G(t);\n  r := 0;", TRAIT)),
    ("knot-synonym", MUL, full(MUL, KNOT, SYN)),
    ("knot-datatype", MUL, full(MUL, "var x := new Box(G);\n  assert x.d.p == G;\n  assert G(x) == !x.d.p(x);\n  assert x.d.p(x) == G(x);\n  r := 0;", DT)),
    ("knot-generic", MUL, full(MUL, "var box := new Box<A -> bool>(G);\n  var a := new A(box);\n  assert a.bx.f == G;\n"
                                    "  assert G(a) == !a.bx.f(a);\n  assert a.bx.f(a) == G(a);\n  r := 0;", GEN)),
    # a method's function value that applies the method to its argument: termination is checked
    # inside the lambda, also through a trait
    ("lambda-self-member", MUL, full(MUL, "var c := new C();\n  assert c.Get()(c) == !c.Get()(c);\n  r := 0;",
                                     "class C {\n  constructor () { }\n  function Get(): C -> bool\n  {\n    (x: C) => !x.Get()(x)\n  }\n}\n")),
    ("lambda-self-trait", MUL, full(MUL, "var c := new C();\n  var t: Tr := c;\n  assert t.Get()(t) == !t.Get()(t);\n  r := 0;",
                                    "trait Tr {\n  function Get(): Tr -> bool\n}\nclass C extends Tr {\n  constructor () { }\n"
                                    "  function Get(): Tr -> bool\n  {\n    (x: Tr) => !x.Get()(x)\n  }\n}\n")),
    ("cantor-object-iset", MUL, full(MUL, "ghost var R := iset b: Box | b !in b.s;\n  var x := new Box(R);\n"
                                          "  if x in R {\n    assert x !in x.s;\n  } else {\n    assert x in x.s;\n  }\n  r := 0;",
                                          "class Box {\n  ghost const s: iset<Box>\n  constructor (ghost r: iset<Box>)\n"
                                          "    ensures s == r\n  {\n    s := r;\n  }\n}\n")),
    # assign-such-that with nothing to pick
    ("such-that-unsat", SUMF, "{\n  var x: int :| x != x;\n}\n"),
]

# (name, task, candidate): each must verify.
HONEST: list[tuple[str, str, str]] = [
    ("int-loop", SUMF, full(SUMF, bv_loop("int") + "\n  " + SUM_PROOF)),
    ("bv-statement-honest", "swap-true", "{\n  a, b := y, x;\n}\n"),
    ("bv-statement-xor-swap", "swap-true", "{\n  a, b := x, y;\n  a := a ^ b;\n  b := a ^ b;\n  a := a ^ b;\n}\n"),
    ("prime-method", MUL, full(MUL, "r := H'(a, b);", "method H'(a: nat, b: nat) returns (r: nat)\n  ensures r == a * b\n{\n  "
                              + MUL_PROOF + "\n}\n")),
    ("prime-lemma", SUMF, full(SUMF, SUM_PROOF + "\n  L'();", "lemma L'()\n  ensures 1 + 1 == 2\n{\n}\n")),
    ("question-lemma", SUMF, full(SUMF, SUM_PROOF + "\n  L?x();", "lemma L?x()\n  ensures 1 + 1 == 2\n{\n}\n")),
    ("object-fields", MUL, full(MUL, "var c := new Counter(b);\n  assert inc(c.step) == b + 1;\n  " + MUL_PROOF, HONEST_FIELDS)),
    ("trait-honest", SUMF, full(SUMF, SUM_PROOF, TRAIT_VIA_FUNCTION.replace("G(this) + 1", "0"))),
]

# Attacks that still come back `verified`: (name -> the hole).
HOLES = {
    "bv-statement-loop": "the statement has bitvectors, so the candidate may too, and a loop with a bitvector "
                         "`decreases` leaves `false` behind it on Dafny 2.3 (its free invariant reads `t >= t_initial`); "
                         "closing it needs the type of each termination measure, which neither the scanner nor "
                         "DafnyServer's symbols give",
}
FAST = {"knot-const-field", "object-fields", "bv-loop-body", "bv-loop", "bv-default-decreases", "bv-statement-loop", "ex-falso-in-decreases", "class-default",
        "int-loop", "bv-statement-honest", "prime-method", "question-lemma"}


@pytest.fixture(scope="module")
def verifier():
    with DafnyVerifier(workers=1, timeout=60) as v:
        yield v


@pytest.fixture(scope="module")
def fast_verifier():
    with DafnyVerifier(workers=1, timeout=60, confirm_failures=False, batch_size=8) as v:
        yield v


@needs_dafny
@pytest.mark.parametrize("name, tid, cand", _params(ATTACKS, FAST, HOLES))
def test_no_attack_is_verified(verifier, name, tid, cand):
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status != "verified", (v.status, v.reason)


@needs_dafny
@pytest.mark.parametrize("name, tid, cand", _params(HONEST, FAST, HOLES))
def test_honest_look_alikes_verify(verifier, name, tid, cand):
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status == "verified", (v.status, v.reason, [m.text for m in v.messages][:3])


@needs_dafny
@pytest.mark.slow
def test_fast_mode_agrees(fast_verifier):
    """The fast mode's batches (candidates of one task in one request) give no attack a `verified`."""
    for tid in (SUMF, MUL, TREE):
        items = [(n, c) for n, t, c in ATTACKS if t == tid and n not in HOLES]
        honest = [(n, c) for n, t, c in HONEST if t == tid]
        verdicts = fast_verifier.check_many([(task_for(tid), Candidate(n, c)) for n, c in items + honest])
        for (n, _), v in zip(items, verdicts):
            assert v.status != "verified", (n, v.status, v.reason)
        for (n, _), v in zip(honest, verdicts[len(items):]):
            assert v.status == "verified", (n, v.status, v.reason)


@needs_dafny
@pytest.mark.parametrize("name", [pytest.param("knot-const-field", id="knot-const-field"),
                                  pytest.param("knot-trait-const", id="knot-trait-const", marks=pytest.mark.slow),
                                  pytest.param("knot-datatype", id="knot-datatype", marks=pytest.mark.slow)])
def test_function_fields_prove_false_on_stock_dafny(verifier, monkeypatch, name):
    """Without the rule the verifier says `verified`, and so does stock `dafny` on the same program."""
    from dafny_env import soundness

    monkeypatch.setattr(soundness, "_check_function_fields", lambda spec, cand: None)
    _, tid, cand = next(a for a in ATTACKS if a[0] == name)
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status == "verified", (v.status, v.reason)
    parsed = parse_output(verifier.run_program(to_dafny2(cand).text, cli=True).output)
    assert parsed.completed and not parsed.verify_errors and not parsed.frontend_errors
    assert parsed.impls and all(i.outcome == "verified" for i in parsed.impls)


@needs_dafny
@pytest.mark.parametrize("name", [pytest.param("bv-loop", id="bv-loop"),
                                  pytest.param("bv-default-decreases", id="bv-default-decreases", marks=pytest.mark.slow),
                                  pytest.param("bv-explicit-decreases", id="bv-explicit-decreases", marks=pytest.mark.slow)])
def test_bitvector_measures_prove_false_on_stock_dafny(verifier, monkeypatch, name):
    """Without the rule the verifier says `verified`, and so does one stock `dafny` process on the
    same program: the hole is Dafny 2.3's, and the gate is the only thing that stops it."""
    from dafny_env import soundness

    monkeypatch.setattr(soundness, "_check_bitvectors", lambda spec, cand, header: None)
    _, tid, cand = next(a for a in ATTACKS if a[0] == name)
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status == "verified", (v.status, v.reason)
    parsed = parse_output(verifier.run_program(cand, cli=True).output)
    assert parsed.completed and not parsed.verify_errors and not parsed.frontend_errors
    assert parsed.impls and all(i.outcome == "verified" for i in parsed.impls)


def test_bitvector_rule_reads_code_only():
    """A `bv8` in a comment or string is not a type; the statement's or header's bitvectors allow them."""
    from dafny_env import soundness

    spec = task_for(SUMF)
    assert soundness.gate(spec, full(SUMF, "// bv8\n  " + SUM_PROOF + '\n  var s := "bv64";')).ok
    assert soundness.gate(spec, full(SUMF, "var t: bv8 := 0;\n  " + SUM_PROOF)).rule == "bitvector"
    # literals and primed names before it do not hide it from the scanner
    for before in ["var a' := 0;", r"var c := '\'';", "var c := '\"';", 'var s := @"a""b";', r'var s := "\"";',
                   "var q := a''';"]:
        assert soundness.gate(spec, full(SUMF, before + " var t: bv8 := 0;")).rule == "bitvector", before
    with_header = Task(spec.id, "dafny", spec.statement, kind="prove", header="type Byte = bv8\n")
    assert soundness.gate(with_header, full(SUMF, "var t: bv8 := 0;\n  " + SUM_PROOF)).rule != "bitvector"


if __name__ == "__main__":
    with DafnyVerifier(workers=1, timeout=60) as v:
        for name, tid, cand in ATTACKS + HONEST:
            r = v.check(task_for(tid), Candidate(tid, cand))
            print(f"{name:28s} {r.status:9s} {r.reason[:150]}")
