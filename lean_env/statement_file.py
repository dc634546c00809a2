"""A Lean statement file split into the task's header and its statement."""

from __future__ import annotations

import re

from verifier_core.records import Candidate, Task

from .soundness import parse_statement
from .syntax import COMMENT, IDENT, code_tokens, tokenize


def task_from_text(name: str, text: str) -> Task:
    """Split a Lean file into header (imports, options, opens) and the statement ending in `:= by`."""
    text = re.sub(r"\s*\bsorry\s*$", "", text.rstrip())
    parsed = parse_statement(text)
    if parsed.is_example:
        raise ValueError("no `theorem` or `lemma` in the statement file")
    start = parsed.tokens[parsed.name_index - 1].start  # the `theorem`/`lemma` keyword
    statement = text[start:].rstrip()
    if not statement.endswith(":= by"):
        raise ValueError("the statement must end with `:= by` (optionally followed by `sorry`)")
    before = tokenize(text[:start])
    doc = before[-1] if before and before[-1].kind == COMMENT and before[-1].text.startswith("/--") else None
    cut = doc.start if doc else start
    return Task(name, "lean", statement, header=text[:cut], meta={"informal_prefix": text[cut:start]})


def snippet_task(sid: str, code: str) -> tuple[Task, Candidate]:
    """A Kimina snippet as a task: the leading imports are the header; the statement is the last
    `theorem`/`lemma` up to its `:= by`, and the whole snippet is the candidate (full code, so helper
    lemmas before it stay in). The verifier needs a statement that ends in `:= by`: a term-mode proof
    (`:= rfl`) or a snippet with no theorem is a `ValueError`.
    """
    lines = code.splitlines(keepends=True)
    n = 0
    while n < len(lines) and (lines[n].startswith("import ") or not lines[n].strip()):
        n += 1
    header, body = "".join(lines[:n]), "".join(lines[n:])
    return Task(id=sid, lang="lean", statement=_snippet_statement(body), header=header), Candidate(task_id=sid, text=body)


def _snippet_statement(body: str) -> str:
    toks = code_tokens(body)
    starts = [i for i, t in enumerate(toks) if t.kind == IDENT and t.text in ("theorem", "lemma")]
    if not starts:
        raise ValueError("the snippet declares no `theorem` or `lemma` to check")
    depth = 0  # `:=` inside brackets is a default argument or a `by` in a binder, not the proof
    for i in range(starts[-1] + 1, len(toks)):
        t = toks[i]
        if t.text in ("(", "[", "{", "⦃"):
            depth += 1
        elif t.text in (")", "]", "}", "⦄"):
            depth -= 1
        elif depth == 0 and t.text == ":=":
            if i + 1 < len(toks) and toks[i + 1].text == "by":
                return body[toks[starts[-1]].start : toks[i + 1].end]
            raise ValueError("the last theorem's proof is a term (`:=` without `by`); only tactic proofs are checked")
    raise ValueError("the last theorem has no `:=` (no proof)")
