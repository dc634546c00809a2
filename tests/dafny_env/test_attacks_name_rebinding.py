"""Issue 23, classes C and D, with the real Dafny: a candidate may not rebind a name the statement uses.

The statement's text stays byte-for-byte the same and Dafny prints its clauses the same, yet a
declaration the candidate adds (a top-level `const`/function named like a constructor, a member
added to a statement class, a helper inserted by a hints task, a datatype constructor named like a
header function) changes what the statement's names resolve to, and `{}` then proves something
false. Each attack here verified on d038b22; each is now `rejected` (`spec:rebinding`, or
`header:redefined` for a header name) and the honest look-alike (the same proof, another name)
still verifies. Dafny's own reading (DafnyServer's symbols) is checked for the same rule.
"""

from __future__ import annotations

import pytest

from dafny_env import evidence
from dafny_env import header as H
from dafny_env.messages import parse_output, parse_symbols
from verifier_core.records import Candidate, Task
from tests.dafny_env.test_batching import needs_server
from tests.dafny_env.test_minif2f_dafny import HEADER, needs_dafny

TREE = """datatype Tree = Leaf | Node(l: Tree, r: Tree)
function Size(t: Tree): nat
{
  match t
  case Leaf => 1
  case Node(l, r) => Size(l) + Size(r) + 1
}
"""
# false as written: Size(Leaf) is 1, Size(Node(Leaf, Leaf)) is 3
LEAF_SPEC = TREE + "lemma LeafSize()\n  ensures Size(Leaf) == 3\n"
NODE_SPEC = TREE + "lemma NodeSize()\n  ensures Size(Node(Leaf, Leaf)) == 1\n"

CLASS_SPEC = """predicate Valid(x: int) { x > 0 }
class C {
  method M() returns (y: int)
    ensures Valid(y)
}
"""
CLASS_ATTACK = """predicate Valid(x: int) { x > 0 }
class C {
  predicate Valid(x: int) { true }
  method M() returns (y: int)
    ensures Valid(y)
  {
    y := 0;
  }
}
"""
CLASS_HONEST = CLASS_ATTACK.replace("predicate Valid(x: int) { true }", "predicate Ok(x: int) { true }").replace("y := 0;", "y := 1;")

HINTS_SPEC = """function F(x: int): int { x }
class C {
  lemma L(x: int)
    ensures F(x) == x + 1
  {
  }
}
"""
HINTS_ATTACK = HINTS_SPEC.replace("  }\n}", "  }\n  function F(x: int): int { x + 1 }\n}")
HINTS_HONEST_SPEC = HINTS_SPEC.replace("F(x) == x + 1", "F(x) + 1 == x + 1")
HINTS_HONEST = HINTS_HONEST_SPEC.replace("  }\n}", "  }\n  function G(x: int): int { x + 1 }\n}")


def _check(verifier, task: Task, text: str):
    return verifier.check(task, Candidate("c", text))


@pytest.fixture(scope="module")
def verifier():
    """One exact-mode verifier per test module (shared by the issue-23 test files)."""
    from dafny_env.verifier import DafnyVerifier

    with DafnyVerifier(workers=1, timeout=120.0) as v:
        yield v


@needs_server
@pytest.mark.parametrize("spec,attack,true_spec", [
    (LEAF_SPEC, "const Leaf: Tree := Tree.Node(Tree.Leaf, Tree.Leaf)\n", LEAF_SPEC.replace("== 3", "== 1")),
    (NODE_SPEC, "function Node(a: Tree, b: Tree): Tree { Tree.Leaf }\n", NODE_SPEC.replace("== 1\n", "== 3\n")),
])
def test_a_top_level_name_like_a_constructor_is_rejected(verifier, spec, attack, true_spec):
    verdict = _check(verifier, Task("t", "dafny", spec), spec + "{\n}\n" + attack)
    assert verdict.status == "rejected" and "spec:rebinding" in verdict.reason, verdict
    honest = true_spec + "{\n}\nconst Spare: Tree := Tree.Leaf\n"
    assert _check(verifier, Task("h", "dafny", true_spec), honest).status == "verified"


@needs_server
def test_a_member_added_to_a_statement_class_may_not_shadow_a_top_level_name(verifier):
    task = Task("t", "dafny", CLASS_SPEC)
    verdict = _check(verifier, task, CLASS_ATTACK)
    assert verdict.status == "rejected" and "spec:rebinding" in verdict.reason, verdict
    assert _check(verifier, task, CLASS_HONEST).status == "verified"


@needs_server
def test_a_hints_insertion_may_not_shadow_a_statement_name(verifier):
    verdict = _check(verifier, Task("t", "dafny", HINTS_SPEC, kind="hints"), HINTS_ATTACK)
    assert verdict.status == "rejected" and "spec:rebinding" in verdict.reason, verdict
    assert _check(verifier, Task("h", "dafny", HINTS_HONEST_SPEC, kind="hints"), HINTS_HONEST).status == "verified"


@needs_dafny
def test_a_constructor_may_not_hijack_a_header_function(verifier):
    """Class C: the candidate's `datatype D = abs(r: real)` makes the statement's `abs` its constructor."""
    spec = "lemma t(x: real, y: real)\n  ensures abs(x) != abs(y)\n"
    task = Task("t", "dafny", spec, header=HEADER, kind="prove")
    for extra in ["datatype D = abs(r: real)\n", "datatype D = {:nowarn} abs(r: real) | E\n"]:
        verdict = _check(verifier, task, spec + "{\n}\n" + extra)
        assert verdict.status == "rejected" and "header:redefined" in verdict.reason, verdict
    # a header name the statement does not use is the header's too (its own lemmas mean it)
    assert H.guard(HEADER, spec + "{\n}\ndatatype D = E | sqrt(r: real)\n", spec)[0] == "header:redefined"
    assert H.guard(HEADER, spec + "{\n}\ndatatype D = E | Sqrt(r: real)\n", spec) is None


def test_every_name_of_a_field_declaration_counts():
    from dafny_env import soundness

    attack = CLASS_ATTACK.replace("predicate Valid(x: int) { true }", "var z: int, Valid: int")
    assert soundness.gate(Task("t", "dafny", CLASS_SPEC), attack).rule == "spec:rebinding"


def test_constructors_are_read_past_attributes_and_ghost():
    from dafny_env import syntax

    prog = syntax.parse("datatype D<T> = {:a} A(x: T) | ghost B | C(f: int -> T, s: set<(int, T)>)\n")
    assert syntax.constructors(prog.text, prog.decls[0]) == ["A", "B", "C"]


@needs_server
def test_dafny_reading_flags_a_rebinding_the_scanner_never_saw(verifier):
    """`evidence.check` on Dafny's own symbols: the const that rebinds `Leaf` is seen there too."""
    program = LEAF_SPEC + "{\n}\nconst Leaf: Tree := Tree.Node(Tree.Leaf, Tree.Leaf)\n"
    symbols = parse_symbols(verifier.run_program(program, command="symbols").output)
    spec_symbols = parse_symbols(verifier.run_program(LEAF_SPEC, command="symbols").output)
    impls = parse_output(verifier.run_program(program).output, 2).impls  # Dafny verifies it: `{}` proves the rebound spec
    assert impls and all(i.outcome == "verified" for i in impls)
    finding = evidence.check(program, symbols, LEAF_SPEC, spec_symbols, impls)
    assert finding is not None and finding.rule == "spec:rebinding" and "Leaf" in finding.detail
    honest = program.replace("const Leaf", "const Spare")
    assert evidence.check(honest, parse_symbols(verifier.run_program(honest, command="symbols").output),
                          LEAF_SPEC, spec_symbols, impls) is None
