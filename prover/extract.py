"""Turn raw model output into candidate text, strictly: what cannot be read unambiguously is refused.

Output styles (see `verifier_core.text.Prompt`):
- `completion`: the prompt ended inside an open code fence, right after the statement (Lean) or the
  target's opening brace (Dafny), so the output *continues* the code.
- `chat`: the model answers a chat message; the proof is inside a fenced code block.
- `program`: a whole Dafny program follows an open fence; `tactic`: one tactic (best-first search).

How each language's output is read is that language's own (`<env>/prompting.py`); the verifier
decides the rest.
"""

from __future__ import annotations

from verifier_core.languages import language
from verifier_core.records import Task
from verifier_core.text import Extraction

STYLES = ("completion", "chat", "program", "tactic")


def extract(raw: str, task: Task, style: str = "completion") -> Extraction:
    """The candidate text in `raw` for `task`, for output of the given prompt `style`."""
    if style not in STYLES:
        raise ValueError(f"unknown output style {style!r}")
    return language(task.lang).extract(raw, task, style)
