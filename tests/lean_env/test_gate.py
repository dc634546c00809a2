"""The Lean soundness gate and its tokenizer: every rule with an exploit and a legitimate look-alike."""

import json

import pytest

from lean_env.syntax import COMMENT, ERROR, IDENT, NAME_LIT, STRING, code_tokens, tokenize
from lean_env.soundness import gate, parse_statement, reference_code
from verifier_core.records import Candidate, Task

from tests.helpers.datasets import dataset

HEADER = "import Mathlib\nimport Aesop\n\nset_option maxHeartbeats 400000\n\nopen BigOperators Real Nat Topology Rat\n\n"
STMT = "theorem mathd_algebra_10 (x : ℝ) (h₀ : x = 2) : Real.sqrt (x ^ 2) = 2 := by"
TASK = Task(id="mathd_algebra_10", lang="lean", statement=STMT, header=HEADER)
PROOF = "\n  rw [h₀]\n  simp"


def check(text):
    return gate(TASK, Candidate(TASK.id, text), decl_name="pc_0123456789abcdef")


# -- tokenizer -------------------------------------------------------------------------------------


def test_lexer_comments_nest_and_hide_code():
    toks = tokenize("a /- x /- sorry -/ y -/ b -- sorry\nc")
    assert [t.text for t in toks if t.kind != COMMENT] == ["a", "b", "c"]
    assert [t.kind for t in toks].count(COMMENT) == 2


def test_lexer_identifiers_and_guillemets():
    toks = code_tokens("h_not_sorry «sorry» Foo.«bar baz».qux n! h' x₁ h.1")
    idents = [(t.text, t.parts) for t in toks if t.kind == IDENT]
    assert ("h_not_sorry", ("h_not_sorry",)) in idents
    assert ("«sorry»", ("sorry",)) in idents
    assert ("Foo.«bar baz».qux", ("Foo", "bar baz", "qux")) in idents
    assert ("n!", ("n!",)) in idents and ("h'", ("h'",)) in idents and ("x₁", ("x₁",)) in idents
    # `h.1` is the name `h` then the projection `.1`, not a name part `1`.
    assert [t.text for t in toks][-3:] == ["h", ".", "1"]


def test_lexer_strings_chars_and_interpolation():
    toks = code_tokens('"a -- b /- c" \'x\' f \'\' s s!"v {sorry}" `Lean.sorryAx')
    kinds = [(t.kind, t.text) for t in toks]
    assert (STRING, '"a -- b /- c"') in kinds
    assert ("char", "'x'") in kinds
    assert ("symbol", "''") in kinds  # image notation, not a char literal
    assert (IDENT, "sorry") in kinds  # interpolated code is code
    assert any(t.kind == NAME_LIT and t.parts == ("Lean", "sorryAx") for t in toks)


def test_lexer_lambda_is_not_a_letter():
    assert [t.text for t in code_tokens("λx => x")] == ["λ", "x", "=>", "x"]


def test_lexer_positions_are_repl_coordinates():
    toks = code_tokens("theorem t :\n  True := by\n  trivial")
    last = toks[-1]
    assert (last.text, last.line, last.col) == ("trivial", 3, 2)


@pytest.mark.parametrize("text", ["a /- open", 'x "open', "«open"])
def test_lexer_unterminated_is_an_error_token(text):
    assert tokenize(text)[-1].kind == ERROR


# -- exploits: each is rejected with its rule -------------------------------------------------------

EXPLOITS = [
    ("\n  sorry", "sorry"),
    ("\n  admit", "sorry"),
    ("\n  exact sorryAx _ false", "sorry"),
    ("\n  exact Lean.sorryAx _", "sorry"),
    ("\n  exact «sorry»", "sorry"),
    ('\n  have := s!"{(sorry : False)}"\n  simp', "sorry"),
    ("\n  exact (`sorryAx).isAnonymous.elim", "sorry"),
    ("\n  native_decide", "native-code"),
    ("\n  decide +native", "native-code"),
    ("\n  decide (config := { native := true })", "native-code"),
    ("\n  exact Lean.ofReduceBool _ _ rfl", "native-code"),
    ("\n  simp [Lean.trustCompiler]", "native-code"),
    ("@[implemented_by foo] def bar : Nat := 0\n" + STMT + PROOF, "native-code"),
    ('@[extern "c_fn"] def bar : Nat := 0\n' + STMT + PROOF, "native-code"),
    ("@[csimp] theorem bar : @id = @id := rfl\n" + STMT + PROOF, "native-code"),
    ("set_option debug.skipKernelTC true in\n" + STMT + PROOF, "kernel-bypass-option"),
    (PROOF + "\n\nset_option debug.skipKernelTC true", "kernel-bypass-option"),
    ("set_option pp.all false\n" + STMT + PROOF, "option-not-allowed"),
    ("set_option autoImplicit true in\n" + STMT + PROOF, "option-not-allowed"),
    (PROOF + "\n\n#eval IO.Process.run {cmd := \"ls\"}", "code-execution"),
    (PROOF + "\n#exit", "code-execution"),
    ("/-- error: x -/\n#guard_msgs in\n" + STMT + PROOF, "code-execution"),
    (PROOF + "\nrun_cmd Lean.logInfo \"x\"", "code-execution"),
    ("\n  run_tac Lean.Elab.Tactic.evalTactic (← `(tactic| simp))", "code-execution"),
    (PROOF + "\nrun_elab pure ()", "code-execution"),
    ("unsafe def f : Nat := 0\n" + STMT + PROOF, "code-execution"),
    ("initialize foo : IO.Ref Nat ← IO.mkRef 0\n" + STMT + PROOF, "code-execution"),
    ("builtin_initialize pure ()\n" + STMT + PROOF, "code-execution"),
    ('\n  have : include_str "/etc/passwd" = "" := rfl\n  simp', "code-execution"),
    ("\n  polyrith", "code-execution"),
    (PROOF + "\nimport Lean", "import"),
    ("axiom cheat : False\n" + STMT + "\n  exact cheat.elim", "axiom"),
    ('macro "simp" : tactic => `(tactic| sorry)\n' + STMT + PROOF, "syntax-extension"),
    ('macro "mysimp" : tactic => `(tactic| rfl)\n' + STMT + PROOF, "syntax-extension"),
    ("syntax \"foo\" : term\n" + STMT + PROOF, "syntax-extension"),
    ("elab_rules : tactic | `(tactic| foo) => pure ()\n" + STMT + PROOF, "syntax-extension"),
    ("local notation \"ℝ\" => ℕ\n" + STMT + PROOF, "syntax-extension"),
    ("infixl:65 \" + \" => HSub.hSub\n" + STMT + PROOF, "syntax-extension"),
    (PROOF + "\n\nmacro_rules | `(#check $x) => `(#check Nat)", "syntax-extension"),
    ("instance : Add ℝ := ⟨fun a _ => a⟩\n" + STMT + PROOF, "instance"),
    ("attribute [instance] Real.instAdd\n" + STMT + PROOF, "instance"),
    ("@[tactic Lean.Parser.Tactic.simp] def mine : Lean.Elab.Tactic.Tactic := fun _ => pure ()\n"
     + STMT + PROOF, "attribute-not-allowed"),
    ("@[app_unexpander Real.sqrt] def u : Lean.PrettyPrinter.Unexpander := fun _ => throw ()\n"
     + STMT + PROOF, "attribute-not-allowed"),
    ("\n  simp /- never closed", "unterminated"),
    ('\n  simp\n  have := "never closed', "unterminated"),
    ("import Mathlib\n\n" + STMT + PROOF, "header-altered"),
    (HEADER + "import Mathlib.Tactic\n\n" + STMT + PROOF, "header-altered"),
    (HEADER + "theorem other : True := trivial", "statement-missing"),
    ("theorem mathd_algebra_10 (x : ℝ) : True := by trivial", "statement-altered"),
    ("theorem mathd_algebra_10 (x : ℝ) (h₀ : x = 2) : Real.sqrt (x^2) = 2 := by simp [h₀]", "statement-altered"),
    (STMT + PROOF + "\n\n" + STMT + PROOF, "statement-repeated"),
    ("open Finset in\n" + STMT + PROOF, "statement-scope"),
    ("attribute [local simp] mul_comm in\n" + STMT + PROOF, "statement-scope"),
    ("variable (hbad : False)\n" + STMT + "\n  exact hbad.elim", "statement-scope"),
    ("namespace Foo\ndef sqrt (x : ℝ) : ℝ := 2\nend Foo\nopen Foo\n" + STMT + PROOF, "shadows-statement-name"),
]


@pytest.mark.parametrize("text,rule", EXPLOITS)
def test_exploits_are_rejected(text, rule):
    g = check(text)
    assert not g.ok
    assert g.rule == rule, g.detail


def test_bad_input_and_empty():
    assert check("x\x00y").rule == "input:binary"
    assert check("a" * 1_000_000).rule == "input:too-large"
    assert check("").rule == "empty"
    assert check("  -- only a comment\n").rule == "empty"


# -- look-alikes: legitimate proofs that must pass ----------------------------------------------------

LEGIT = [
    ("\n  -- sorry, native_decide would be cheating here\n  nlinarith [sq_nonneg x]", "continuation"),
    ("\n  /- admit /- nested sorry -/ #eval -/\n  simp [h₀]", "continuation"),
    ('\n  have h : "sorry" ≠ "admit" := by decide\n  simp [h₀]', "continuation"),
    ("\n  have h_not_sorry : x = 2 := h₀\n  simp [h_not_sorry]", "continuation"),
    ("\n  have native_decide_free := h₀\n  simp [native_decide_free]", "continuation"),
    ("\n  decide +kernel", "continuation"),
    ("\n  set_option maxRecDepth 10000 in simp [h₀]", "continuation"),
    ("\n  have : (fun y : ℝ => y) '' {x} = {x} := by simp\n  simp [h₀]", "continuation"),
    (" simp [h₀]", "continuation"),
    (STMT + PROOF, "full"),
    (HEADER + STMT + PROOF, "full"),
    (HEADER + "/-- informal text mentioning sorry -/\n" + STMT + PROOF, "full"),
    ("set_option maxHeartbeats 400000 in\n" + STMT + PROOF, "full"),
    ("set_option linter.unusedVariables false in\nset_option maxHeartbeats 0 in\n" + STMT + PROOF, "full"),
    ("lemma aux (y : ℝ) : y ^ 2 = y * y := by ring\n\n" + STMT + "\n  rw [aux, h₀]\n  simp", "full"),
    ("@[simp] lemma aux (y : ℝ) : y ^ 2 = y * y := by ring\n\n" + STMT + PROOF, "full"),
    ("attribute [-simp] Real.sqrt_sq\n\n" + STMT + PROOF, "full"),
    ("#check Real.sqrt\n#print axioms Real.sqrt_sq\n\n" + STMT + PROOF, "full"),
    ("open Real\n\n" + STMT + PROOF, "full"),
    ("namespace Helpers\ntheorem two_pos' : (0 : ℝ) < 2 := by norm_num\nend Helpers\n\n" + STMT + PROOF, "full"),
    ("theorem   mathd_algebra_10 (x : ℝ)\n    (h₀ : x = 2) :\n  Real.sqrt (x ^ 2) = 2 := by" + PROOF, "full"),
    ("private " + STMT + PROOF, "full"),
]


@pytest.mark.parametrize("text,mode", LEGIT)
def test_legitimate_proofs_pass(text, mode):
    g = check(text)
    assert g.ok, (g.rule, g.detail)
    assert g.mode == mode


# -- assembly -------------------------------------------------------------------------------------------


def test_continuation_is_statement_plus_candidate_under_our_name():
    g = check(PROOF)
    assert g.code == STMT.replace("mathd_algebra_10", "pc_0123456789abcdef") + PROOF
    # the candidate's line 2 ("  rw [h₀]") is code line 2
    assert g.to_candidate_position(2, 2) == (2, 2)
    assert g.to_candidate_position(1, 5)[0] == 0  # inside the statement


def test_continuation_without_leading_space_gets_one():
    g = check("simp [h₀]")
    assert g.code.endswith(":= by simp [h₀]")


def test_full_code_drops_header_and_renames_under_root():
    g = check(HEADER + "open Real\n\n" + STMT + PROOF)
    assert g.mode == "full"
    assert "import" not in g.code and "mathd_algebra_10" not in g.code
    assert "theorem _root_.pc_0123456789abcdef (x : ℝ)" in g.code
    assert g.code.startswith("open Real")
    line_of_open = HEADER.count("\n") + 1
    assert g.to_candidate_position(1, 0) == (line_of_open, 0)
    assert g.to_candidate_position(4, 2) == (line_of_open + 3, 2)


def test_a_fresh_name_each_time_by_default():
    a = gate(TASK, PROOF).decl_name
    b = gate(TASK, PROOF).decl_name
    assert a != b and a.startswith("prover_check_") and len(a) == len(b)


def test_reference_code_is_statement_with_sorry():
    assert reference_code(STMT, "ref_x") == STMT.replace("mathd_algebra_10", "ref_x") + " sorry"
    assert reference_code("example : True := by", "ref_x") == "theorem ref_x : True := by sorry"
    with pytest.raises(ValueError):
        parse_statement("def f := 1")


def _rows(path):
    return [json.loads(line) for line in dataset(path).open(encoding="utf-8")]


@pytest.mark.parametrize("path", ["minif2f/minif2f.jsonl", "minif2f/minif2f_deepseek_v1.5.jsonl"])
def test_every_minif2f_statement_passes_in_both_modes(path):
    """No false alarm on real benchmark statements: their header + statement + a tactic passes."""
    for r in _rows(path):
        task = Task.from_dict(r, lang="lean")
        assert parse_statement(task.statement).name.lower() == r["name"].lower()
        for text, mode in (("\n  nlinarith [sq_nonneg 1]", "continuation"),
                           (r["header"] + r["formal_statement"] + "\n  simp", "full")):
            g = gate(task, text, decl_name="pc")
            assert g.ok and g.mode == mode, (r["name"], g.rule, g.detail)
