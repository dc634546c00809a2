"""The Dafny 4 → 2.3 bridge: each rewrite, the line mapping, and soundness on real Dafny 2.3."""

from __future__ import annotations

import os
import re
import textwrap

import pytest

from dafny_env.dialect import Translation, _apply, _Edit, to_dafny2
from dafny_env.cli_backend import verify_program
from dafny_env.syntax import code_mask


def dfy(s: str) -> str:
    return textwrap.dedent(s).strip("\n") + "\n"


# ---------------------------------------------------------------------------------------- lexer

def test_code_mask_blanks_comments_and_literals_but_keeps_layout():
    src = dfy('''
        method M() { // for i := 0 to 3
          /* ghost function /* nested */ still comment */ var s := "for i := 0 to 3 // x";
          var v := @"ghost ""function""
          for";
          var c := '"'; var x' := 1; var d := '\\'';
        }
        ''')
    mask = code_mask(src)
    assert len(mask) == len(src) and mask.count("\n") == src.count("\n")
    assert "for" not in mask and "ghost" not in mask and "function" not in mask
    assert "still" not in mask and "nested" not in mask
    # Code around the literals survives; the prime belongs to the identifier x'.
    assert "var x' := 1;" in mask and "method M()" in mask
    assert mask.count('"') == 4  # the quotes of the two strings (the char literal '"' is blanked)


def test_nothing_inside_comments_or_strings_is_rewritten():
    src = dfy('''
        // ghost function F(): int { 1 }  for i := 0 to 3 {}
        method M() { var s := "ghost predicate P() for i := 0 to 3 { }"; }
        ''')
    t = to_dafny2(src)
    assert t.text == src and t.rewrites == []
    assert t.line_map == list(range(1, src.count("\n") + 2))


# ---------------------------------------------------------------------------------------- for loops

FOR_SUM = dfy('''
    method Sum(n: nat) returns (s: int)
      ensures s == n
    {
      s := 0;
      for i := 0 to n
        invariant s == i
      {
        s := s + 1;
      }
    }
    ''')


def test_for_to_becomes_while_with_bounds_invariant_and_fixed_bound():
    t = to_dafny2(FOR_SUM)
    assert t.rewrites == ["for_to"]
    assert "for i" not in t.text
    # Bound evaluated once into a fresh variable, before the index exists; implicit invariant;
    # increment at the end of the body.
    assert re.search(r"var (for_b\d+) := n; var i := 0; while i < \1 invariant 0 <= i <= \1", t.text), t.text
    # The body keeps its own block (a shadowing declaration inside cannot capture the increment).
    assert re.search(r"\{ \{\n\s*s := s \+ 1;\n\s*\} i := i \+ 1; \} \}\s*\}\s*$", t.text), t.text
    assert t.text.count("\n") == FOR_SUM.count("\n")
    assert t.line_map == list(range(1, FOR_SUM.count("\n") + 2))


def test_for_downto_decrements_first():
    src = dfy('''
        method Down(a: array<int>)
          modifies a
        {
          for k := a.Length downto 1
            invariant true
          {
            a[k - 1] := k;
          }
        }
        ''')
    t = to_dafny2(src)
    assert t.rewrites == ["for_downto"]
    m = re.search(r"var (for_b\d+) := a\.Length; var k := \1; while 1 < k invariant 1 <= k <= \1", t.text)
    assert m, t.text
    assert "{ k := k - 1; {" in t.text and t.text.count("{") == t.text.count("}")


def test_non_literal_lower_bound_is_bound_once_too():
    t = to_dafny2("method M(lo: int, hi: int) requires lo <= hi { for i := lo + 1 to hi + 1 { } }\n")
    assert re.search(r"var (for_b\d+) := lo \+ 1; var (for_b\d+) := hi \+ 1; var i := \1; "
                     r"while i < \2 invariant \1 <= i <= \2", t.text), t.text


def test_typed_index_keeps_its_type_and_fresh_names_avoid_collisions():
    t = to_dafny2("method M(for_hi0: nat) { for i: nat := 0 to for_hi0 { } }\n")
    assert "var i: nat := 0;" in t.text
    assert "var for_b0: nat := for_hi0;" in t.text
    t = to_dafny2("method M(for_b0: nat) { for i := 0 to for_b0 { } }\n")
    assert "var for_b1 := for_b0;" in t.text


def test_nested_for_loops_close_in_the_right_order():
    src = "method M(n: nat) {\n  for i := 0 to n {\n    for j := 0 to i {\n    }\n  }\n}\n"
    t = to_dafny2(src)
    assert t.text.count("{") == t.text.count("}")
    inner = t.text.index("j := j + 1;")
    outer = t.text.index("i := i + 1;")
    assert inner < outer
    assert t.text.count("\n") == src.count("\n")


@pytest.mark.parametrize("body", [
    "if i == 2 { continue; } s := s + i;",   # continue would skip the increment
    "i := i + 1;",                            # Dafny 4 forbids assigning the index
    "s, i := s + 1, 0;",                      # ... also in a parallel assignment
    "var i := 3; s := s + i;",                # re-declaration: treated as an assignment (conservative)
    "var (a, i) := (1, 2); s := s + a;",      # ... also inside a tuple pattern
])
def test_unfaithful_for_loops_are_left_for_dafny_to_reject(body):
    src = f"method M(n: nat) returns (s: int) {{ s := 0; for i := 0 to n {{ {body} }} }}\n"
    t = to_dafny2(src)
    assert "for i := 0 to n" in t.text and "for_to" not in t.rewrites


def test_index_used_only_as_array_index_is_not_an_assignment():
    src = "method M(a: array<int>) modifies a { for i := 0 to a.Length { a[i] := i; } }\n"
    assert to_dafny2(src).rewrites == ["for_to"]


def test_unbounded_for_and_forall_are_not_touched():
    src = "method M() decreases * { for i := 0 to * { } forall k | 0 <= k < 3 { } var for_x := 1; }\n"
    t = to_dafny2(src)
    assert t.text == src and t.rewrites == []


def test_set_display_in_loop_spec_is_not_mistaken_for_the_body():
    src = "method M(n: nat) { var s: set<int> := {}; for i := 0 to n invariant s == {} { } }\n"
    t = to_dafny2(src)
    assert t.rewrites == ["for_to"]
    assert "invariant s == {} { { } i := i + 1; } }" in t.text


# ---------------------------------------------------------------------------------------- functions

def test_ghost_function_and_predicate_drop_ghost():
    src = "ghost function F(x: int): int { x }\nghost predicate P(x: int) { x > 0 }\nstatic ghost function G(): int { 1 }\n"
    t = to_dafny2(src)
    assert t.text == "function F(x: int): int { x }\npredicate P(x: int) { x > 0 }\nstatic function G(): int { 1 }\n"
    assert t.rewrites == ["ghost_function"]


def test_only_functions_used_by_compiled_code_become_function_method():
    src = dfy('''
        function Used(x: int): int { Helper(x) + 1 }
        function Helper(x: int): int { x }
        predicate SpecOnly(x: int) { forall y: int :: y * 0 == 0 }
        predicate InInvariant(x: int) { true }
        ghost function Ghost(x: int): int { x }
        method M(x: int) returns (r: int)
          requires SpecOnly(x)
          ensures r == Used(x)
        {
          var i := 0;
          while i < 1
            invariant InInvariant(i)
          {
            i := i + 1;
          }
          assert SpecOnly(x) && Ghost(x) == x;
          r := Used(x);
        }
        ''')
    t = to_dafny2(src)
    assert "function method Used" in t.text
    assert "function method Helper" in t.text  # reached through Used's body
    assert "predicate SpecOnly" in t.text and "predicate method SpecOnly" not in t.text
    assert "predicate InInvariant" in t.text and "predicate method InInvariant" not in t.text
    assert "\nfunction Ghost" in t.text
    assert t.rewrites == ["ghost_function", "function_method"]


def test_non_ghost_const_initialiser_is_compiled_code():
    t = to_dafny2("function F(): int { 3 }\nconst C := F()\nghost const D := G()\nfunction G(): int { 4 }\n")
    assert "function method F" in t.text and "function method G" not in t.text


def test_dafny3_dialect_programs_keep_their_plain_functions_ghost():
    src = "function method F(x: int): int { x }\nfunction G(x: int): int { x }\nmethod M() { var y := G(1); }\n"
    t = to_dafny2(src)
    assert t.text == src and t.rewrites == []


def test_least_greatest_and_opaque():
    src = dfy('''
        least predicate Even(n: nat) { n == 0 || (n >= 2 && Even(n - 2)) }
        greatest predicate Inf(n: nat) { Inf(n + 1) }
        least lemma L(n: nat) requires Even(n) ensures n % 2 == 0 { }
        greatest lemma G(n: nat) ensures Inf(n) { }
        opaque function Sec(x: int): int { x + 1 }
        opaque ghost predicate Q() { true }
        method M() returns (y: int) { y := Sec(1); }
        ''')
    t = to_dafny2(src)
    assert "inductive predicate Even" in t.text and "copredicate Inf" in t.text
    assert "inductive lemma L" in t.text and "colemma G" in t.text
    assert "function method {:opaque} Sec" in t.text
    assert "predicate {:opaque} Q" in t.text and "opaque" not in t.text.replace("{:opaque}", "")
    assert t.rewrites == ["ghost_function", "function_method", "least_greatest", "opaque_function"]


# ---------------------------------------------------------------------------------------- line map

def test_line_map_follows_inserted_and_removed_lines():
    text = "a\nb\nc\nd\n"
    # Replace line b with two lines, and delete line c's newline (joining c and d).
    out, line_map = _apply(text, [_Edit(2, 3, "B1\nB2"), _Edit(5, 6, " ")])
    assert out == "a\nB1\nB2\nc d\n"
    t = Translation(out, line_map)
    assert [t.original_line(k) for k in range(1, 6)] == [1, 2, 2, 3, 5]
    assert t.original_line(99) == 5 and t.original_line(0) == 1


def test_for_bounds_are_evaluated_before_the_index_is_declared():
    # Dafny 4: in `for i := 0 to i` and `for i := 9 downto i` the bound `i` is the outer variable.
    for src in ("method M() { var i := 3; for i := 0 to i { } }\n", "method M() { var i := 3; for i := 9 downto i { } }\n"):
        text = to_dafny2(src).text
        assert text.index(":= i;") < text.index("var i :=", text.index("for_b")), text


def test_non_ascii_literals_are_escaped_or_refused():
    from dafny_env.dialect import BridgeRefusal

    t = to_dafny2('const s := "é\\"ü"; const c := \'é\'; const v := @"a""é"; // é stays in comments\n')
    assert t.text == 'const s := "\\u00e9\\"\\u00fc"; const c := \'\\u00e9\'; const v := "a\\"\\u00e9"; // é stays in comments\n'
    assert t.rewrites == ["unicode_literal"]
    assert to_dafny2('const s := "\\U{1F600}x";\n'.replace("1F600", "e9")).text == 'const s := "\\u00e9x";\n'
    for bad in ('const s := "😀";\n', 'const s := "\\U{1F600}";\n', "const c := '😀';\n"):
        with pytest.raises(BridgeRefusal, match="non-ascii"):
            to_dafny2(bad)


# ---------------------------------------------------------------------------------------- real Dafny 2.3

DAFNY = os.environ.get("DAFNY", "/usr/bin/dafny")
needs_dafny = pytest.mark.skipif(not os.path.exists(DAFNY), reason=f"no Dafny at {DAFNY}")


def _run(program: str):
    return verify_program(program, timeout=120)


def _error_lines(output: str) -> set[int]:
    return {int(m.group(1)) for m in re.finditer(r"\((\d+),\d+\): Error", output)}


WRONG = dfy('''
    method WrongBound(n: nat) returns (s: int)
      ensures s == n
    {
      s := 0;
      for i := 0 to n - 1
        invariant s == i
      {
        s := s + 1;
      }
    }

    method WrongInvariant(n: nat) returns (s: int)
    {
      s := 0;
      for i := 0 to n
        invariant s == i + 1
      {
        s := s + 1;
      }
    }

    method FalseEnsures(a: array<int>) returns (m: int)
      requires a.Length > 0
      ensures forall k :: 0 <= k < a.Length ==> a[k] < m
    {
      m := a[0];
      for i := 1 to a.Length
        invariant forall k :: 0 <= k < i ==> a[k] <= m
      {
        if a[i] > m { m := a[i]; }
      }
    }

    method NoPost(a: array<int>)
      modifies a
      ensures forall k :: 0 <= k < a.Length ==> a[k] == 0
    {
      for i := a.Length downto 0
      {
        a[i] := 0;
      }
    }

    method GrowingBound(s0: seq<int>) returns (s: seq<int>)
      ensures |s| == |s0| + 1
    {
      s := s0;
      for i := 0 to |s|
        invariant |s| == |s0| + i
      {
        s := s + [0];
      }
    }
    ''')


@needs_dafny
def test_wrong_programs_still_fail_and_errors_map_to_their_own_lines():
    t = to_dafny2(WRONG)
    assert t.rewrites == ["for_to", "for_downto"]
    res = _run(t.text)
    assert res.status == "verify_errors", res.output
    lines = {t.original_line(k) for k in _error_lines(res.output)}
    src_lines = WRONG.splitlines()
    starts = {re.match(r"method (\w+)", l).group(1): i + 1 for i, l in enumerate(src_lines) if l.startswith("method")}
    bounds = sorted(starts.values()) + [len(src_lines) + 1]
    for name, start in starts.items():
        end = bounds[bounds.index(start) + 1]
        assert any(start <= ln < end for ln in lines), f"no error reported inside {name}: {res.output}"
    # The wrong invariant is blamed on its own line (not on the `while` the bridge wrote).
    assert src_lines.index("    invariant s == i + 1") + 1 in lines


CORRECT = dfy('''
    function Square(x: int): int { x * x }
    predicate IsEven(x: int) { x % 2 == 0 }

    method Squares(n: nat) returns (a: array<int>)
      ensures a.Length == n
      ensures forall k :: 0 <= k < n ==> a[k] == Square(k)
    {
      a := new int[n];
      for i := 0 to n
        invariant forall k :: 0 <= k < i ==> a[k] == Square(k)
      {
        a[i] := Square(i);
      }
    }

    method CountEven(s: seq<int>) returns (c: nat)
      ensures c <= |s|
    {
      c := 0;
      for i := |s| downto 0
        invariant c <= |s| - i
      {
        if IsEven(s[i]) { c := c + 1; }
      }
    }

    method Doubled(s0: seq<int>) returns (s: seq<int>)
      ensures |s| == 2 * |s0|
    {
      s := s0;
      for i := 0 to |s|
        invariant |s| == |s0| + i
      {
        s := s + [0];
      }
    }
    ''')


@needs_dafny
def test_bounds_order_and_string_length_mean_on_2_3_what_they_mean_in_dafny_4():
    good = dfy('''
        method M() returns (c: int)
          ensures c == 3
        {
          var i := 3;
          c := 0;
          for i := 0 to i
            invariant c == i
          {
            c := c + 1;
          }
        }
        method N() returns (c: int)
          ensures c == 3
        {
          var i := 0;
          c := 0;
          for i := 3 downto i
            invariant c == 3 - i
          {
            c := c + 1;
          }
        }
        lemma L()
          ensures |"é"| == 1 && "é"[0] == 'é'
        {
        }
        ''')
    res = _run(to_dafny2(good).text)
    assert res.status == "verified", res.output
    bad = "lemma L()\n  ensures |\"é\"| == 2\n{\n}\n"  # true of 2.3's bytes, false in Dafny 4
    assert _run(to_dafny2(bad).text).status != "verified"


@needs_dafny
def test_faithful_translation_of_a_correct_program_verifies():
    t = to_dafny2(CORRECT)
    assert set(t.rewrites) == {"for_to", "for_downto", "function_method"}
    res = _run(t.text)
    assert res.status == "verified", t.text + res.output


@needs_dafny
@pytest.mark.parametrize("program", [
    # Assigning the index would skip iterations; Dafny 4 rejects it, so must 2.3 (left untranslated).
    "method M(n: nat) returns (s: int) ensures s == n { s := 0; for i := 0 to n invariant s == i { s := s + 1; i := i + 1; } }\n",
    # `continue` would skip the increment: left untranslated, and 2.3 has no `continue`.
    "method M(n: nat) returns (s: int) ensures s <= n { s := 0; for i := 0 to n invariant s <= i { if i % 2 == 0 { continue; } s := s + 1; } }\n",
    # A ghost function called from compiled code stays ghost: a resolution error, as in Dafny 4.
    "ghost function F(x: int): int { x }\nmethod M() returns (y: int) ensures y == 1 { y := F(1); }\n",
])
def test_programs_dafny4_rejects_are_not_verified_after_translation(program):
    res = _run(to_dafny2(program).text)
    assert res.status != "verified", res.output
