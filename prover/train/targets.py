"""What a model should have written after its prompt to produce a given candidate (SFT targets).

Eval attempts store the extracted candidate, not the raw output; training needs the text that follows
the exact prompt. Each language gives the inverse of its extraction for each prompt style, so that
extracting from (prompt + target) gives the candidate back.
"""

from __future__ import annotations

from verifier_core.languages import language
from verifier_core.records import Task

from ..prompts import build_prompt


def prompt_text(task: Task, style: str, tokenizer=None) -> str:
    """The exact string a policy with this prompt style gives the model for `task`."""
    return build_prompt(task, style).render(tokenizer)


def completion_target(task: Task, candidate: str, prompt_style: str) -> str:
    """The continuation of `prompt_text(task, prompt_style)` whose extraction is `candidate`."""
    out_style = build_prompt(task, prompt_style).style
    return language(task.lang).completion_target(task, candidate, out_style)
