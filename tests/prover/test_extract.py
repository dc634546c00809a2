"""Extraction of proofs from messy model output: fences, chatter, restatements, truncation."""

from verifier_core.records import Task
from dafny_env.prompting import matching_brace
from lean_env.prompting import extract_tactic
from prover.extract import extract
from verifier_core.text import code_blocks

STMT = "theorem foo (a b : ℕ) (h : a = b) : b = a := by"
LEAN = Task("foo", "lean", STMT, header="import Mathlib\nset_option maxHeartbeats 0\n\n")
DAFNY = Task("d", "dafny", "lemma L(n: nat)\n  ensures n >= 0\n")


def test_completion_stops_at_closing_fence_and_drops_chatter():
    raw = "  subst h\n  rfl\n```\n\nThis proof works because h rewrites b.\n```lean4\nbad\n```"
    assert extract(raw, LEAN).text == "\n  subst h\n  rfl"


def test_completion_unterminated_fence_keeps_everything():
    assert extract("  omega\n  ", LEAN).text == "\n  omega"


def test_completion_chatter_at_column_zero_ends_the_tactic_block():
    raw = "  omega\nThe above is a proof of foo.\n"
    assert extract(raw, LEAN).text == "\n  omega"


def test_completion_repeated_statement_at_start_is_dropped():
    raw = f"{STMT}\n  omega\n```"
    assert extract(raw, LEAN).text == "\n  omega"


def test_completion_restatement_after_proof_ends_it():
    raw = f"  omega\n\n{STMT}\n  simp\n"
    assert extract(raw, LEAN).text == "\n  omega"


def test_completion_refuses_new_commands_and_leaves_sorry_to_the_gate():
    from lean_env.soundness import gate

    for raw in ("  sorry\n```", "  simp\n  admit"):
        got = extract(raw, LEAN)
        assert got.ok and not gate(LEAN, got.text).ok  # `rejected` by the gate, not an extraction failure
    assert not extract("def fun (x : ℕ) := x\n", LEAN).ok
    assert not extract("```", LEAN).ok


def test_completion_sorry_inside_comment_is_not_a_cheat():
    assert extract("  -- no sorry here\n  omega", LEAN).text == "\n  -- no sorry here\n  omega"


def test_chat_picks_the_last_block_with_the_statement():
    raw = (f"First try:\n```lean4\n{STMT}\n  simp\n```\nBetter:\n```lean4\nimport Mathlib\n"
           f"set_option maxHeartbeats 0\n\n{STMT}\n  omega\n```\nDone!")
    assert extract(raw, LEAN, "chat").text == "\n  omega"


def test_chat_full_code_with_helper_lemma_is_kept_without_imports():
    raw = f"```lean\nimport Mathlib\nlemma helper : 1 = 1 := rfl\n\n{STMT}\n  omega\n```"
    text = extract(raw, LEAN, "chat").text
    assert text.startswith("lemma helper") and STMT in text and "import" not in text


def test_chat_altered_statement_is_refused():
    raw = "```lean4\ntheorem foo (a b : ℕ) : b = a := by\n  omega\n```"
    got = extract(raw, LEAN, "chat")
    assert not got.ok and "different statement" in got.reason


def test_chat_bare_tactic_block_and_unterminated_block():
    assert extract("Here:\n```lean4\n  omega\n```", LEAN, "chat").text == "\n  omega"
    assert extract("Here:\n```lean4\n  omega", LEAN, "chat").text == "\n  omega"


def test_chat_without_code_block_is_refused():
    assert extract("The answer is omega.", LEAN, "chat").reason == "no Lean code block in the output"


def test_chat_prefers_tagged_blocks_over_untagged_prose():
    raw = "```\nsome prose\n```\n```dafny\n{ L(0); }\n```\n```\nmore prose\n```"
    assert extract(raw, DAFNY, "chat").text == "{ L(0); }"


def test_dafny_completion_cuts_at_the_matching_brace():
    raw = "\n  if n > 0 { L(n - 1); } // }\n  var s := \"}\";\n}\n\nlemma Other() {}\n```"
    assert extract(raw, DAFNY).text == "{\n  if n > 0 { L(n - 1); } // }\n  var s := \"}\";\n}"


def test_dafny_completion_unbalanced_is_refused():
    assert not extract("\n  if n > 0 { L(n - 1);\n", DAFNY).ok


def test_dafny_chat_body_or_program():
    assert extract("```dafny\n{\n}\ntrailing\n```", DAFNY, "chat").text == "{\n}"
    prog = extract("```dafny\nlemma L(n: nat) ensures n >= 0 {}\n```", DAFNY, "chat").text
    assert prog == "lemma L(n: nat) ensures n >= 0 {}\n"
    assert extract("lemma L(n: nat) {}\n```\nchatter", DAFNY, "program").text == "lemma L(n: nat) {}\n"


def test_code_blocks_marks_unterminated():
    blocks = code_blocks("a\n```lean4\nx\n```\n```dafny\ny")
    assert [(b.lang, b.body, b.closed) for b in blocks] == [("lean4", "x", True), ("dafny", "y", False)]


def test_tactic_extraction():
    assert extract_tactic("  simp at h\n  omega\n").text == "simp at h"
    assert extract_tactic("```lean4\n-- comment\nnorm_num\n```").text == "norm_num"
    assert not extract_tactic("sorry").ok
    assert not extract_tactic("\n\n").ok


def test_matching_brace_ignores_comments():
    assert matching_brace("{ /* } */ { } }", 0) == 14
    assert matching_brace("{ /* never closed", 0) is None


def test_chat_names_the_theorem_as_the_lean_lexer_reads_it():
    task = Task("foo", "lean", "/- lemma draft : True := by -/\n" + STMT, header=LEAN.header)
    raw = "```lean4\ntheorem foo (a : ℕ) : a = a := by\n  rfl\n```"
    got = extract(raw, task, style="chat")
    assert got.text is None and "restates foo" in got.reason
