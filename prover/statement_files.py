"""A task from a statement file, read the same way by every command (`search --statement-file`,
`verify --spec`, `verify --jsonl`): each language splits its own files (a Lean file's header of imports,
options and opens goes to `Task.header`, so a candidate that repeats it is compared with the same header)."""

from __future__ import annotations

from verifier_core.languages import language
from verifier_core.records import Task


def task_from_text(name: str, lang: str, text: str, *, kind: str = "prove", header: str = "") -> Task:
    """The language's own split of `text`, with `header` (given apart) before the file's own header."""
    task = language(lang).task_from_text(name, text, kind=kind)
    if header.strip():
        task.header = header.rstrip("\n") + "\n" + task.header if task.header.strip() else header
    return task
