"""A task from a statement file, read the same way by every command (`search --statement-file`,
`verify --spec`, `verify --jsonl`): a Lean file's header (imports, options, opens) goes to
`Task.header`, so a candidate that repeats it is compared with the same header."""

from __future__ import annotations

import re

from .core import Task


def task_from_text(name: str, lang: str, text: str, *, kind: str = "prove", header: str = "") -> Task:
    """Dafny: the spec program as is. Lean: `lean_task_from_text`, with `header` (given apart) first."""
    if lang == "dafny":
        return Task(name, "dafny", text, header=header, kind=kind)
    task = lean_task_from_text(name, text)
    if header.strip():
        task.header = header.rstrip("\n") + "\n" + task.header if task.header.strip() else header
    return task


def lean_task_from_text(name: str, text: str) -> Task:
    """Split a Lean file into header (imports, options, opens) and the statement ending in `:= by`."""
    from lean_env.lexer import COMMENT, tokenize
    from lean_env.soundness import parse_statement

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
