"""How models write Lean 4: prompts, reading candidates out of their output, SFT targets.

- `completion`: DeepSeek-Prover-V1.5's non-CoT format, "Complete the following Lean 4 code:\\n\\n
  ```lean4\\n{header}{informal_prefix}{formal_statement}", which leaves the fence open so a model
  continues the code after `:= by`.
- `chat`: one user message for an instruct model's chat template; the answer holds a code block.
- `tactic`: one next tactic at a proof state (best-first search).

The result is a continuation (text after `:= by`) or a full file body that contains the statement
verbatim; the verifier decides the rest.
"""

from __future__ import annotations

import re
from typing import Sequence

from verifier_core.records import Task
from verifier_core.text import FENCE, Extraction, Prompt, before_fence, code_blocks, feedback_block, tagged_first

from .soundness import parse_statement

LEAN_LANGS = ("lean4", "lean", "")
# Tactics that close a goal without proving it: a search step never tries them. A whole proof that uses
# them is extracted as written, so the soundness gate answers `rejected`, the reward-hacking signal.
CHEATS = re.compile(r"\b(sorry|admit)\b")


def tactic_prompt(task: Task, state: str, style: str = "completion") -> Prompt:
    """Ask for one next tactic in proof state `state` (DeepSeek-V1.5's tactic-state comment format)."""
    if style == "chat":
        msg = (f"Lean 4 theorem:\n```lean4\n{task.statement}\n```\nCurrent proof state:\n```\n{state}\n```\n"
               "Give the single next tactic in one ```lean4 block.")
        return Prompt("tactic", messages=[{"role": "user", "content": msg}])
    shown = "\n".join("  " + ln for ln in state.split("\n"))
    text = (f"Complete the following Lean 4 code:\n\n```lean4\n{task.header}{_statement_line(task)}"
            f"  /- tactic state:\n{shown}\n  -/\n  ")
    return Prompt("tactic", text=text)


def _statement_line(task: Task) -> str:
    s = task.statement
    return s if s.endswith("\n") else s + "\n"


def prompt(task: Task, style: str, feedback: Sequence[str] = (), attempt: str = "") -> Prompt:
    """The whole-proof prompt for `task`; with `feedback`, a repair prompt about `attempt`."""
    informal = task.meta.get("informal_prefix", "") or ""
    code = f"{task.header}{informal}{_statement_line(task)}"
    before = ""
    if feedback:
        failed = attempt if task.statement.strip() in attempt else task.statement + attempt
        before = feedback_block("lean4", "Lean 4", failed, feedback)
    if style == "completion":
        return Prompt("completion", text=f"{before}Complete the following Lean 4 code:\n\n```lean4\n{code}")
    msg = (f"{before}Complete the following Lean 4 code:\n\n```lean4\n{code}  sorry\n```\n\n"
           "Replace `sorry` with a proof. Answer with the complete Lean 4 code in one ```lean4 block.")
    return Prompt("chat", messages=[{"role": "user", "content": msg}])


def extract(raw: str, task: Task, style: str) -> Extraction:
    if style == "completion":
        return lean_completion(raw, task)
    if style == "chat":
        return lean_chat(raw, task)
    if style == "tactic":
        return extract_tactic(raw)
    return Extraction(None, f"Lean output cannot be read in style {style!r}")


def lean_completion(raw: str, task: Task) -> Extraction:
    """Output that continues right after the statement's `:= by` (DeepSeek-Prover style).

    The proof ends at the first fence (as in DeepSeek-Prover's post-processing); a restatement of
    the theorem at the start is dropped, one further on (the model starting over) ends the proof.
    """
    return _lean_proof_tail(before_fence(raw), task.statement)


_LEAN_COMMAND = re.compile(r"^\s*(theorem|lemma|def|example|instance|import|open|namespace|section|end|"
                           r"#\w+|set_option|variable|axiom|noncomputable|abbrev|structure|inductive)\b")


def _lean_proof_tail(text: str, statement: str) -> Extraction:
    stmt = statement.strip()
    pos = text.find(stmt)
    if pos >= 0:
        before = text[:pos]
        if _only_comments(before):
            text = text[pos + len(stmt):]
        else:
            text = before
    text = _end_of_tactic_block(text)
    if not text.strip():
        return Extraction(None, "empty proof")
    first = next(ln for ln in _strip_lean_comments(text).split("\n") if ln.strip()) if not _only_comments(text) else ""
    if _LEAN_COMMAND.match(first):
        return Extraction(None, f"output starts a new command, not a proof: {first.strip()[:60]!r}")
    return Extraction(text.rstrip() if text.startswith("\n") else "\n" + text.rstrip())


def _end_of_tactic_block(text: str) -> str:
    """Keep the indented tactic block; the first line back at column 0 (chatter, a new command) ends it.

    Only applies when the block itself is indented: an unindented first tactic gives no signal.
    """
    lines = text.split("\n")
    first = next((ln for ln in lines if ln.strip()), None)
    if first is None or not first[:1].isspace():
        return text
    for i, ln in enumerate(lines):
        if ln.strip() and not ln[:1].isspace():
            return "\n".join(lines[:i])
    return text


def lean_chat(raw: str, task: Task) -> Extraction:
    """The proof inside a chat answer's Lean code block.

    Preference: the last block containing the statement verbatim; else the last block that is a bare
    tactic script. A block that declares the target theorem with a changed statement is refused.
    """
    blocks = tagged_first(code_blocks(raw), LEAN_LANGS)
    if not blocks:
        return Extraction(None, "no Lean code block in the output")
    stmt = task.statement.strip()
    for b in reversed(blocks):
        pos = b.body.find(stmt)
        if pos < 0:
            continue
        before = _drop_header_lines(b.body[:pos], task.header)
        if _only_comments(before):
            return _lean_proof_tail(b.body[pos + len(stmt):], stmt)
        # helper lemmas before the statement: a full-code candidate, minus imports (the header's job)
        body = _drop_header_lines(b.body, task.header)
        return Extraction(body.strip() + "\n")
    name = _lean_decl_name(stmt)
    for b in reversed(blocks):
        if name and re.search(rf"\b(theorem|lemma)\s+{re.escape(name)}\b", b.body):
            return Extraction(None, f"the code block restates {name} with a different statement")
        if not re.search(r"^\s*(theorem|lemma|example|def)\b", b.body, re.M):
            return _lean_proof_tail(b.body, stmt)
    return Extraction(None, "no code block contains the statement or a bare proof")


def _lean_decl_name(statement: str) -> str | None:
    try:
        return parse_statement(statement).name or None
    except ValueError:
        return None


def _drop_header_lines(text: str, header: str) -> str:
    header_lines = {ln.strip() for ln in header.split("\n") if ln.strip()}
    kept = [ln for ln in text.split("\n")
            if ln.strip() not in header_lines and not ln.strip().startswith("import ")]
    return "\n".join(kept)


def _strip_lean_comments(text: str) -> str:
    text = re.sub(r"/-.*?-/", " ", text, flags=re.S)
    return re.sub(r"--[^\n]*", " ", text)


def _only_comments(text: str) -> bool:
    return not _strip_lean_comments(text).strip()


def extract_tactic(raw: str) -> Extraction:
    """One tactic for best-first search: the first non-empty code line of the output."""
    blocks = code_blocks(raw)
    text = blocks[0].body if blocks else raw.split(FENCE)[0]
    for line in text.split("\n"):
        tac = line.strip()
        if not tac or tac.startswith("--"):
            continue
        if CHEATS.search(tac):
            return Extraction(None, "tactic is sorry/admit")
        return Extraction(tac)
    return Extraction(None, "no tactic in the output")


def completion_target(task: Task, candidate: str, out_style: str) -> str:
    """What follows the prompt so that extraction gives `candidate` back (the inverse of `extract`)."""
    if out_style == "chat":
        return f"{FENCE}lean4\n{candidate.strip()}\n{FENCE}"
    return candidate.rstrip("\n") + f"\n{FENCE}"
