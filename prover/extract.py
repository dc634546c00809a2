"""Turn raw model output into candidate text, strictly: what cannot be read unambiguously is refused.

Output styles (see `prover.prompts.Prompt`):
- `completion`: the prompt ended inside an open code fence, right after the statement (Lean) or the
  target's opening brace (Dafny), so the output *continues* the code.
- `chat`: the model answers a chat message; the proof is inside a fenced code block.
- `program`: a whole Dafny program follows an open fence; `tactic`: one tactic (best-first search).

The result is either a Lean continuation (text after `:= by`), a full Lean file body that contains
the statement verbatim, a Dafny body `{ ... }`, or a full Dafny program; the verifier decides the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dafny_env import syntax
from lean_env.soundness import parse_statement

from .core import Task

FENCE = "```"
_FENCE_LINE = re.compile(r"^\s*(`{3,})\s*([\w+.-]*)\s*$")
LEAN_LANGS = ("lean4", "lean", "")
DAFNY_LANGS = ("dafny", "dfy", "")
# Tactics that close a goal without proving it: a search step never tries them. A whole proof that uses
# them is extracted as written, so the soundness gate answers `rejected`, the reward-hacking signal.
CHEATS = re.compile(r"\b(sorry|admit)\b")


@dataclass
class Extraction:
    """`text` is the candidate (None when the output holds nothing usable); `reason` says why not."""

    text: str | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.text is not None


@dataclass
class CodeBlock:
    lang: str
    body: str
    closed: bool


def code_blocks(raw: str) -> list[CodeBlock]:
    """Fenced blocks in order; a block still open at the end (truncated output) has `closed=False`."""
    blocks: list[CodeBlock] = []
    lang: str | None = None
    lines: list[str] = []
    for line in raw.split("\n"):
        m = _FENCE_LINE.match(line)
        if lang is None:
            if m:
                lang, lines = m.group(2).lower(), []
        elif m:
            blocks.append(CodeBlock(lang, "\n".join(lines), True))
            lang = None
        else:
            lines.append(line)
    if lang is not None:
        blocks.append(CodeBlock(lang, "\n".join(lines), False))
    return blocks


def _tagged_first(blocks: list[CodeBlock], langs: tuple[str, ...]) -> list[CodeBlock]:
    """Blocks tagged with the language; untagged blocks only when no block is tagged."""
    tagged = [b for b in blocks if b.lang and b.lang in langs]
    return tagged or [b for b in blocks if not b.lang]


def extract(raw: str, task: Task, style: str = "completion") -> Extraction:
    """The candidate text in `raw` for `task`, for output of the given prompt `style`."""
    if style == "tactic":
        return extract_tactic(raw)
    if style == "program":
        return dafny_program(raw)
    if style not in ("completion", "chat"):
        raise ValueError(f"unknown output style {style!r}")
    if task.lang == "lean":
        return lean_completion(raw, task) if style == "completion" else lean_chat(raw, task)
    return dafny_completion(raw) if style == "completion" else dafny_chat(raw)


# ---------------------------------------------------------------- Lean


def lean_completion(raw: str, task: Task) -> Extraction:
    """Output that continues right after the statement's `:= by` (DeepSeek-Prover style).

    The proof ends at the first fence (as in DeepSeek-Prover's post-processing); a restatement of
    the theorem at the start is dropped, one further on (the model starting over) ends the proof.
    """
    cut = raw.find(FENCE)
    text = raw if cut < 0 else raw[:cut]
    return _lean_proof_tail(text, task.statement)


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
    blocks = _tagged_first(code_blocks(raw), LEAN_LANGS)
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


# ---------------------------------------------------------------- Dafny


def dafny_completion(raw: str) -> Extraction:
    """Output that continues right after the target's opening `{`: the body up to its matching `}`."""
    cut = raw.find(FENCE)
    text = raw if cut < 0 else raw[:cut]
    end = matching_brace("{" + text, 0)
    if end is None:
        return Extraction(None, "the body's braces never balance (output truncated?)")
    return Extraction(("{" + text)[: end + 1])


def dafny_program(raw: str) -> Extraction:
    """Output that continues an open fence with a whole program: everything up to the closing fence."""
    cut = raw.find(FENCE)
    text = (raw if cut < 0 else raw[:cut]).strip()
    if not text:
        return Extraction(None, "empty program")
    return Extraction(text + "\n")


def dafny_chat(raw: str) -> Extraction:
    """The last Dafny code block: a body `{ ... }` (cut at its matching brace) or a whole program."""
    blocks = [b for b in _tagged_first(code_blocks(raw), DAFNY_LANGS) if b.body.strip()]
    if not blocks:
        return Extraction(None, "no Dafny code block in the output")
    body = blocks[-1].body.strip()
    if body.startswith("{"):
        end = matching_brace(body, 0)
        if end is None:
            return Extraction(None, "the body's braces never balance (output truncated?)")
        return Extraction(body[: end + 1])
    return Extraction(body + "\n")


def matching_brace(text: str, start: int) -> int | None:
    """Index of the `}` closing the `{` at `start`, skipping Dafny comments and string literals."""
    end = syntax.matching_brace(syntax.code_mask(text), start)
    return None if end < 0 else end


# ---------------------------------------------------------------- tactics


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
