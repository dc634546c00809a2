"""Red team, round 2: Dafny 2.3 *semantic* unsoundness and spec-meaning changes against the gate.

Round 1 (`test_dafny_redteam.py`) hid axioms from the scanner; Dafny's own reading (evidence.py)
now catches any bodyless member however disguised. What is left is a program that Dafny 2.3 itself
accepts as fully verified although it proves `false`: resolver/verifier gaps of 2.3 (cyclic
constants, values of empty subset types, non-strictly-positive datatypes, colemmas, iterators), and
declarations that change what the statement's text means (shadowing `nat`). Every attack keeps the
task's spec text; none may come back `verified`. Each honest look-alike must verify.
`python tests/dafny_env/test_attacks_dafny23_semantics.py` prints every verdict.

Found and closed here (gate rules in soundness.py, each with its attacks below):
* `datatype:infinite-set` — Dafny 2.3 checks strict positivity for arrows only, so
  `datatype D = D(s: iset<D>)` (also `imap`, through a generic box or a type synonym) lets Russell's
  set prove `false`; Dafny reports it verified and nothing downstream can tell.
* `attr:inline` — Boogie inlines a `{:inline}` method into its callers, assumes its ensures there
  and never verifies its own implementation (`method {:inline 1} H() ensures 0 == 1 { }`). Dafny's
  own reading already refused it (`dafny:unverified`); the gate now does so up front.
* evidence.py skipped a bodyless iterator's `MoveNext` as a generated member, so with the scanner
  blind `iterator It() yields (x: int) yield ensures 0 == 1 ensures 0 == 1` (no body) proved
  anything; the scanner's `added:bodyless` was the only stop. Generated members now count only
  for an iterator with a body.
"""

from __future__ import annotations

import pytest

from dafny_env import DafnyVerifier
from verifier_core.records import Candidate
from tests.dafny_env.test_attacks_hidden_axioms import FIND, MUL, SUMF, TEAM, full, needs_dafny, task_for

SUM_PROOF = "if n > 0 {\n    SumFormula(n - 1);\n  }"
MUL_PROOF = ("r := 0;\n  var i := 0;\n  while i < a\n    invariant i <= a && r == i * b\n    decreases a - i\n"
             "  {\n    r := r + b;\n    i := i + 1;\n  }")
EMPTY = "type Empty = x: int | false witness *\n"
NEWEMPTY = "newtype Empty = x: int | false witness *\n"
NO = "0 == 1"  # `false`, spelled so that the gate's `ensures:trivial` rule does not stop it first
GOAL = "2 * Sum(n) == n * (n + 1)"
RUSSELL = ("var R := iset d: D | d !in d.s;\n  var d0 := D(R);\n"
           "  if d0 in R {\n    assert d0 !in d0.s;\n  } else {\n    assert d0 in d0.s;\n  }")

# (name, task id, candidate). Each proves `false` (or the goal) by a route Dafny 2.3 might accept.
ATTACKS: list[tuple[str, str, str]] = [
    # cyclic constants: `c == c + 1` as a definitional axiom
    ("const-cycle-function", SUMF, full(SUMF, "assert c == F();", "const c: int := F()\nfunction F(): int { c + 1 }\n")),
    ("const-cycle-lambda", SUMF, full(SUMF, "assert f() == f() + 1;", "const f: () -> int := () => f() + 1\n")),
    ("const-cycle-static", SUMF, full(SUMF, "assert K.c == K.F();", "class K {\n  static const c: int := K.F()\n  static function F(): int { K.c + 1 }\n}\n")),
    ("const-cycle-handle", SUMF, full(SUMF, "assert F(0) == F(0) + 1;", "const h: int -> int := F\nfunction F(x: int): int { h(x) + 1 }\n")),
    # a recursive function used as a value in its own body escapes the termination check
    ("self-handle-let", SUMF, full(SUMF, "assert F(0) == F(0) + 1;", "function F(x: int): int { var g := F; g(x) + 1 }\n")),
    ("self-call-in-lambda", SUMF, full(SUMF, "assert F(0) == F(0) + 1;", "function F(x: int): int { (y => F(y))(x) + 1 }\n")),
    # values of a type with no values
    ("empty-ghost-var", SUMF, full(SUMF, "ghost var e: Empty;\n  assert false;", EMPTY)),
    ("empty-const", SUMF, full(SUMF, "assert c == c;\n  assert false;", EMPTY + "const c: Empty\n")),
    ("empty-newtype-const", SUMF, full(SUMF, "assert c == c;\n  assert false;", NEWEMPTY + "const c: Empty\n")),
    ("empty-lemma-out", SUMF, full(SUMF, "var e := H();\n  assert false;", EMPTY + "lemma H() returns (e: Empty)\n{\n}\n")),
    ("empty-method-out", MUL, full(MUL, "var e := M();\n  r := 0;", EMPTY + "method M() returns (e: Empty)\n{\n}\n")),
    ("empty-field", MUL, full(MUL, "var c := new C();\n  var e := c.f;\n  r := 0;", EMPTY + "class C {\n  var f: Empty\n  constructor () { }\n}\n")),
    ("empty-ghost-field", MUL, full(MUL, "var c := new C();\n  ghost var e := c.f;\n  r := 0;", EMPTY + "class C {\n  ghost var f: Empty\n  constructor () { }\n}\n")),
    ("empty-field-no-ctor", MUL, full(MUL, "var c := new C;\n  var e := c.f;\n  r := 0;", EMPTY + "class C {\n  var f: Empty\n}\n")),
    ("empty-array", MUL, full(MUL, "var arr := new Empty[1];\n  var e := arr[0];\n  r := 0;", EMPTY)),
    ("empty-class-const", MUL, full(MUL, "var c := new C();\n  var e := c.k;\n  r := 0;", EMPTY + "class C {\n  const k: Empty\n  constructor () { }\n}\n")),
    # Cantor: D(f: D -> bool) cannot exist, so G(D(G)) == !G(D(G))
    ("nonpositive-datatype", SUMF, full(SUMF, "var d := D(G);\n  assert d.f == G;\n  assert G(d) == !d.f(d);",
                                          "datatype D = D(f: D -> bool)\nfunction G(d: D): bool { !d.f(d) }\n")),
    ("nonpositive-codatatype", SUMF, full(SUMF, "var d := D(G);\n  assert d.f == G;\n  assert G(d) == !d.f(d);",
                                            "codatatype D = D(f: D -> bool)\nfunction G(d: D): bool { !d.f(d) }\n")),
    ("nonpositive-partial-arrow", SUMF, full(SUMF, "var d := D(G);\n  assert d.f == G;\n  assert G(d) == !d.f(d);",
                                               "datatype D = D(f: D --> bool)\nfunction G(d: D): bool { !d.f(d) }\n")),
    ("nonpositive-via-synonym", SUMF, full(SUMF, "var d := D(G);\n  assert d.f == G;\n  assert G(d) == !d.f(d);",
                                             "type P = D -> bool\ndatatype D = D(f: P)\nfunction G(d: D): bool { !d.f(d) }\n")),
    # colemma recursion has no termination check; an ensures that is no copredicate is then free
    ("colemma-false", SUMF, full(SUMF, "H();", "colemma H()\n  ensures false\n{\n  H();\n}\n")),
    ("greatest-lemma-false", SUMF, full(SUMF, "H();", "greatest lemma H()\n  ensures false\n{\n  H();\n}\n")),
    ("inductive-lemma-false", SUMF, full(SUMF, "H();", "inductive lemma H()\n  ensures false\n{\n  H();\n}\n")),
    # iterators: a bodyless iterator's contract is assumed by its MoveNext
    ("iterator-bodyless", MUL, full(MUL, "var it := new It();\n  var more := it.MoveNext();\n  r := 0;",
                                    "iterator It() yields (x: int)\n  yield ensures false\n  ensures false\n")),
    # shadowing a built-in type the statement names changes what the spec says
    ("shadow-nat", SUMF, full(SUMF, "", "type nat = x: int | x == 0\n")),
    ("shadow-nat-newtype", SUMF, full(SUMF, "", "newtype nat = x: int | x == 0\n")),
    ("shadow-array", FIND, full(FIND, "idx := -1;", "type array<T> = seq<T>\n")),
    # spellings of switches (banned or inert)
    ("verify-paren", SUMF, full(SUMF, "H();", "lemma {:verify (false)} H() ensures false { }\n")),
    ("verify-not-true", SUMF, full(SUMF, "H();", "lemma {:verify !true} H() ensures false { }\n")),
    ("verify-true-false", SUMF, full(SUMF, "H();", "lemma {:verify true, false} H() ensures false { }\n")),
    ("attr-space-colon", SUMF, full(SUMF, "H();", "lemma { :axiom} H() ensures false\n")),
    ("timelimit-zero", SUMF, full(SUMF, "H();", "lemma {:timeLimit 0} H() ensures false { }\n")),
    ("rlimit-one", SUMF, full(SUMF, "H();", "lemma {:rlimit 1} H() ensures false { }\n")),
    ("fuel-zero-spec", SUMF, full(SUMF, "", "lemma {:fuel Sum, 0, 0} H() { }\n")),
    # lexer quirks: text that hides a declaration from one reader only
    ("nested-comment-hides-body", SUMF, full(SUMF, "H();", "lemma H() ensures false /* /* */ { } */\n")),
    ("slash-star-slash", SUMF, full(SUMF, "H();", "/*/ */ lemma H() ensures false /*/\n")),
    ("u2028-in-line-comment", SUMF, full(SUMF, "H();", "// note\u2028lemma H() ensures false\n")),
    ("unicode-identifier", SUMF, full(SUMF, "H\u00e9();", "lemma H\u00e9() ensures false\n")),
    ("members-in-datatype", SUMF, full(SUMF, "D.H();", "datatype D = A {\n  static lemma H() ensures false\n}\n")),
    ("members-in-newtype", SUMF, full(SUMF, "N.H();", "newtype N = int {\n  static lemma H() ensures false\n}\n")),
    ("twostate-lemma", SUMF, full(SUMF, "H();", "twostate lemma H() ensures false\n")),
    ("trait-override", FIND, full(FIND, "var c := new C();\n  c.L();\n  idx := -1;",
                                  "trait T {\n  method L() ensures false\n}\nclass C extends T {\n  constructor () { }\n  method L() ensures false { L(); }\n}\n")),
    ("verify-false-cr", SUMF, full(SUMF, "H();", f"lemma {{:verify\rfalse}} H() ensures {NO} {{ }}\n")),
    ("many-errors-output", MUL, full(MUL, "assert 0 == 1;\n  " * 3000 + "r := a * b;")),
    ("let-such-that-choice", SUMF, full(SUMF, "assert Pick({1, 2}) == Pick({2, 1});\n  assert Pick({1, 2}) != Pick({2, 1});",
                                        "function Pick(s: set<int>): int requires s != {} { var x :| x in s; x }\n")),
    ("deep-nesting-crash", MUL, full(MUL, "r := a * b + " + "(" * 3000 + "0" + ")" * 3000 + ";")),
    # the same constructs with a contradiction the gate's `ensures:trivial` rule does not spot
    ("colemma-contradiction", SUMF, full(SUMF, "H();", f"colemma H()\n  ensures {NO}\n{{\n  H();\n}}\n")),
    ("colemma-copredicate-conjunct", SUMF, full(SUMF, "H(n);", f"copredicate Q(n: int) {{ n == n }}\ncolemma H(n: int)\n  ensures Q(n) && {NO}\n{{\n  H(n);\n}}\n")),
    ("colemma-copredicate-false", SUMF, full(SUMF, "H(n);", "copredicate Q(n: int) { n == 0 && Q(n) }\ncolemma H(n: int)\n  ensures Q(n)\n{\n  H(n);\n}\n"
                                                                "lemma U(n: int) requires Q(n) ensures n == 0 { }\n")),
    ("colemma-no-induction", SUMF, full(SUMF, "H(n);", f"colemma {{:induction false}} H(n: nat)\n  ensures {GOAL}\n{{\n  H(n);\n}}\n")),
    ("inductive-lemma-contradiction", SUMF, full(SUMF, "H();", f"inductive lemma H()\n  ensures {NO}\n{{\n  H();\n}}\n")),
    ("greatest-lemma-contradiction", SUMF, full(SUMF, "H();", f"greatest lemma H()\n  ensures {NO}\n{{\n  H();\n}}\n")),
    ("iterator-bodyless-contradiction", MUL, full(MUL, "var it := new It();\n  var more := it.MoveNext();\n  r := 0;",
                                                  f"iterator It() yields (x: int)\n  yield ensures {NO}\n  ensures {NO}\n")),
    ("datatype-member-contradiction", SUMF, full(SUMF, "D.H();", f"datatype D = A {{\n  static lemma H() ensures {NO}\n}}\n")),
    ("twostate-contradiction", SUMF, full(SUMF, "H();", f"twostate lemma H() ensures {NO}\n")),
    ("trait-override-contradiction", FIND, full(FIND, "var c := new C();\n  c.L();\n  idx := -1;",
                                                f"trait T {{\n  method L() ensures {NO}\n}}\nclass C extends T {{\n  constructor () {{ }}\n  method L() ensures {NO} {{ L(); }}\n}}\n")),
    ("timelimit-zero-contradiction", SUMF, full(SUMF, "H();", f"lemma {{:timeLimit 0}} H() ensures {NO} {{ }}\n")),
    ("nested-comment-contradiction", SUMF, full(SUMF, "H();", f"lemma H() ensures {NO} /* /* */ {{ }} */\n")),
    ("unicode-identifier-contradiction", SUMF, full(SUMF, "H\u00e9();", f"lemma H\u00e9() ensures {NO}\n")),
    ("decreases-tuple-same", SUMF, full(SUMF, "H(n);", f"lemma H(n: nat) ensures {GOAL} decreases n + 1, 0 {{ H(n); }}\n")),
    ("colemma-prefix-call", SUMF, full(SUMF, "H#[n](n);", f"colemma H(n: nat)\n  ensures {GOAL}\n{{\n  H(n);\n}}\n")),
    # Boogie attributes that Dafny passes through; all other attributes are `attr:unknown`
    ("inline-method", MUL, full(MUL, "H();\n  r := 0;", f"method {{:inline 1}} H()\n  ensures {NO}\n{{\n}}\n")),
    ("inline-lemma", SUMF, full(SUMF, "H();", f"lemma {{:inline 1}} H()\n  ensures {NO}\n{{\n}}\n")),
    ("inline-bare", SUMF, full(SUMF, "H();", f"lemma {{:inline}} H()\n  ensures {NO}\n{{\n}}\n")),
    ("inline-function", SUMF, full(SUMF, "assert F() == 0;", f"function {{:inline}} F(): int\n  ensures {NO}\n{{\n  0\n}}\n")),
    ("inline-recursion-bound", SUMF, full(SUMF, "H(2);", "lemma {:inline 1} H(k: nat)\n{\n  if k > 0 {\n    H(k - 1);\n  }\n}\n")),
    ("function-lemma-cycle", SUMF, full(SUMF, "H(n);", f"function F(n: nat): int {{ H(n); 0 }}\nlemma H(n: nat)\n  ensures {NO}\n{{\n  var x := F(n);\n}}\n")),
    ("main-attr", MUL, full(MUL, "H();\n  r := 0;", f"method {{:main}} H()\n  ensures {NO}\n{{\n}}\n")),
    ("test-attr", MUL, full(MUL, "H();\n  r := 0;", f"method {{:test}} H()\n  ensures {NO}\n{{\n}}\n")),
    ("compile-false-class", MUL, full(MUL, "var c := new C();\n  c.H();\n  r := 0;", f"class {{:compile false}} C {{\n  constructor () {{ }}\n  method H() ensures {NO} {{ }}\n}}\n")),
    ("error-attr", SUMF, full(SUMF, "H();", f"lemma {{:error \"x\"}} H()\n  ensures {NO}\n{{\n}}\n")),
    ("abstemious", SUMF, full(SUMF, "assert F() == 0;", f"function {{:abstemious}} F(): int\n  ensures {NO}\n{{\n  0\n}}\n")),
    ("nowarn", SUMF, full(SUMF, "H();", f"lemma {{:nowarn}} H()\n  ensures {NO}\n{{\n}}\n")),
    ("autocontracts", MUL, full(MUL, "var c := new C();\n  c.H();\n  r := 0;", f"class {{:autocontracts}} C {{\n  constructor () {{ }}\n  method H() ensures {NO} {{ }}\n}}\n")),
    ("timelimit-multiplier-zero", SUMF, full(SUMF, "H();", f"lemma {{:timeLimitMultiplier 0}} H()\n  ensures {NO}\n{{\n}}\n")),
    ("focus-one-branch", SUMF, full(SUMF, "H();", f"lemma H()\n  ensures {NO}\n{{\n  if * {{ assert {{:focus}} true; }}\n}}\n")),
    # well-founded orders that are not
    ("decreases-real", SUMF, full(SUMF, "H(1.0);", f"lemma H(x: real)\n  requires x > 0.0\n  ensures {NO}\n  decreases x\n{{\n  H(x / 2.0);\n}}\n")),
    ("decreases-codatatype", SUMF, full(SUMF, "H(Ones());", f"codatatype S = C(t: S)\nfunction Ones(): S {{ C(Ones()) }}\n"
                                                            f"lemma H(s: S)\n  ensures {NO}\n  decreases s\n{{\n  H(s.t);\n}}\n")),
    ("decreases-codatatype-in-datatype", SUMF, full(SUMF, "H(B(Ones()));", f"codatatype S = C(t: S)\ndatatype W = B(s: S)\nfunction Ones(): S {{ C(Ones()) }}\n"
                                                                         f"lemma H(w: W)\n  ensures {NO}\n  decreases w\n{{\n  H(B(w.s.t));\n}}\n")),
    ("decreases-arrow", SUMF, full(SUMF, "H(x => x);", f"lemma H(f: int -> int)\n  ensures {NO}\n  decreases f\n{{\n  H(f);\n}}\n")),
    # Cantor through infinite collections: Dafny 2.3 checks strict positivity for arrows only
    ("iset-cantor", SUMF, full(SUMF, RUSSELL, "datatype D = D(s: iset<D>)\n")),
    ("iset-cantor-codatatype", SUMF, full(SUMF, RUSSELL, "codatatype D = D(s: iset<D>)\n")),
    ("imap-cantor", SUMF, full(SUMF, RUSSELL.replace("iset d: D | d !in d.s", "imap d: D | true :: !(d in d.s.Keys && d.s[d])")
                                   .replace("d0 in R", "R[d0]").replace("d0 !in d0.s", "!d0.s[d0]").replace("d0 in d0.s", "d0.s[d0]"),
                               "datatype D = D(s: imap<D, bool>)\n")),
    ("iset-cantor-generic-box", SUMF, full(SUMF, RUSSELL.replace("D(R)", "D(Box(R))").replace("d.s", "d.s.v").replace("d0.s", "d0.s.v"),
                                           "datatype Box<T> = Box(v: T)\ndatatype D = D(s: Box<iset<D>>)\n")),
    ("iset-cantor-synonym", SUMF, full(SUMF, RUSSELL, "type P = iset<D>\ndatatype D = D(s: P)\n")),
    ("iset-cantor-generic-synonym", SUMF, full(SUMF, RUSSELL, "type P<T> = iset<T>\ndatatype D = D(s: P<D>)\n")),
    ("iset-cantor-nested", SUMF, full(SUMF, RUSSELL.replace("d !in d.s", "d !in d.s.0").replace("D(R)", "D((R, 0))")
                                      .replace("d0.s", "d0.s.0"), "datatype D = D(s: (iset<D>, int))\n")),
    ("iset-cantor-inferred-argument", SUMF, full(SUMF, RUSSELL, "datatype D = D(s: iset)\n")),
]

HONEST: list[tuple[str, str, str]] = [
    ("const-and-function", SUMF, full(SUMF, SUM_PROOF, "const c: int := 3\nfunction F(): int { c + 1 }\nlemma L() ensures F() == 4 { }\n")),
    ("subset-type-with-witness", MUL, full(MUL, MUL_PROOF, "type Pos = x: int | x > 0 witness 1\nconst one: Pos := 1\n")),
    ("positive-datatype-with-arrow", SUMF, full(SUMF, SUM_PROOF, "datatype D = D(f: int -> bool)\nfunction G(d: D): bool { d.f(0) }\n")),
    ("iterator-with-body", MUL, full(MUL, MUL_PROOF, "iterator It() yields (x: int)\n  yield ensures x == 1\n{\n  yield 1;\n}\n")),
    ("nested-comment", SUMF, full(SUMF, SUM_PROOF, "/* outer /* inner */ still comment: lemma H() ensures false */\n")),
    # Dafny's automatic induction on a helper (also on a colemma) is a real proof, whatever
    # `{:induction false}` on the target asks for
    ("helper-auto-induction", SUMF, full(SUMF, "H(n);", f"lemma H(n: nat)\n  ensures {GOAL}\n{{\n}}\n")),
    ("colemma-auto-induction", SUMF, full(SUMF, "H(n);", f"colemma H(n: nat)\n  ensures {GOAL}\n{{\n  H(n);\n}}\n")),
    ("finite-set-in-datatype", SUMF, full(SUMF, SUM_PROOF, "datatype D = D(s: set<D>) | E\nfunction Size(d: D): nat { if d.E? then 0 else |d.s| }\n")),
    ("iset-of-int-in-datatype", SUMF, full(SUMF, SUM_PROOF, "datatype D = D(s: iset<int>, m: imap<seq<int>, bool>)\n")),
    ("iset-without-datatype", SUMF, full(SUMF, SUM_PROOF, "function Evens(): iset<int> { iset x | x % 2 == 0 }\nlemma E() ensures 2 in Evens() { }\n")),
]

FAST_ATTACKS = {"const-cycle-function", "empty-ghost-var", "nonpositive-datatype", "colemma-contradiction",
                "iterator-bodyless-contradiction", "shadow-nat", "verify-paren", "inline-method", "decreases-codatatype",
                "iset-cantor", "iset-cantor-synonym", "imap-cantor"}
FAST_HONEST = {"subset-type-with-witness", "nested-comment", "finite-set-in-datatype", "iset-of-int-in-datatype"}

HOLES: dict[str, str] = {}


def _params(items, fast, holes=HOLES):
    """pytest params: those not in `fast` are slow; those in `holes` are strict xfails."""
    out = []
    for name, tid, cand in items:
        marks = [] if name in fast else [pytest.mark.slow]
        if name in holes:
            marks.append(pytest.mark.xfail(strict=True, reason=f"hole: {holes[name]}"))
        out.append(pytest.param(name, tid, cand, id=name, marks=marks))
    return out


@pytest.fixture(scope="module")
def verifier():
    with DafnyVerifier(workers=2, timeout=60) as v:
        yield v


@needs_dafny
@pytest.mark.parametrize("name, tid, cand", _params(ATTACKS, FAST_ATTACKS))
def test_no_attack_is_verified(verifier, name, tid, cand):
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status != "verified", (v.status, v.reason)


@needs_dafny
@pytest.mark.parametrize("name, tid, cand", _params(HONEST, FAST_HONEST))
def test_honest_look_alikes_verify(verifier, name, tid, cand):
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status == "verified", (v.status, v.reason, [m.text for m in v.messages][:3])


# The two holes this round found, replayed without the gate rule that now closes them: the
# iset/imap Cantor programs are `verified` by Dafny 2.3 itself (nothing else stops them), and
# `{:inline}` is left to Dafny's own reading (evidence: an ensures no implementation verified).
CANTOR = ["iset-cantor", "iset-cantor-codatatype", "imap-cantor", "iset-cantor-generic-box", "iset-cantor-synonym",
          "iset-cantor-generic-synonym", "iset-cantor-nested"]


@needs_dafny
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=() if n == "iset-cantor" else (pytest.mark.slow,)) for n in CANTOR
                                  if n != "iset-cantor-codatatype"])  # 2.3 refuses that one itself (no equality on D)
def test_cantor_proves_false_without_the_rule(verifier, monkeypatch, name):
    from dafny_env import soundness

    monkeypatch.setattr(soundness, "_check_infinite_sets_in_types", lambda spec, cand: None)
    _, tid, cand = next(a for a in ATTACKS if a[0] == name)
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status == "verified", (v.status, v.reason)


@needs_dafny
@pytest.mark.parametrize("name", [pytest.param("inline-method", id="inline-method"),
                                  pytest.param("inline-lemma", id="inline-lemma", marks=pytest.mark.slow)])
def test_inline_is_refused_by_dafnys_reading_too(verifier, monkeypatch, name):
    from dafny_env import soundness

    monkeypatch.setattr(soundness, "BANNED_ATTRIBUTES", {k: v for k, v in soundness.BANNED_ATTRIBUTES.items() if k != "inline"})
    monkeypatch.setattr(soundness, "HELPER_ATTRIBUTES", soundness.HELPER_ATTRIBUTES | {"inline"})
    _, tid, cand = next(a for a in ATTACKS if a[0] == name)
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert (v.status, v.reason.split(":")[:2]) == ("rejected", ["dafny", "unverified"]), (v.status, v.reason)


@needs_dafny
@pytest.mark.parametrize("name", [pytest.param("iterator-bodyless-contradiction", id="iterator-bodyless")])
def test_bodyless_iterator_is_refused_by_dafnys_reading(verifier, monkeypatch, name):
    """With the scanner blind, Dafny's reading must still see that a bodyless iterator's
    `MoveNext` is an axiom (it used to skip it as a generated member)."""
    from dafny_env import soundness

    monkeypatch.setattr(soundness, "_check_constructs", lambda spec, cand, allow_star: None)
    monkeypatch.setattr(soundness, "_check_spec", lambda spec, cand, hints: None)
    _, tid, cand = next(a for a in ATTACKS if a[0] == name)
    v = verifier.check(task_for(tid), Candidate(tid, cand))
    assert v.status == "rejected" and v.reason.startswith("dafny:added:bodyless"), (v.status, v.reason)


def main() -> None:
    """Print each attack's and look-alike's verdict."""
    with DafnyVerifier(workers=2, timeout=60) as v:
        items = ATTACKS + HONEST
        verdicts = v.check_many([(task_for(t), Candidate(t, c)) for _, t, c in items])
    for i, ((name, _, _), r) in enumerate(zip(items, verdicts)):
        kind = "attack" if i < len(ATTACKS) else "honest"
        print(f"{kind:6} {name:28} {r.status:9} {r.reason}")


if __name__ == "__main__":
    main()
