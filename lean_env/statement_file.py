"""A Lean statement file split into the task's header and its statement."""

from __future__ import annotations

import re

from verifier_core.records import Task

from .soundness import parse_statement
from .syntax import COMMENT, tokenize


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
