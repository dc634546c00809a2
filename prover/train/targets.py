"""What a model should have written after its prompt to produce a given candidate (SFT targets).

Eval attempts store the extracted candidate, not the raw output; training needs the text that follows
the exact prompt. This is the inverse of `prover.extract` for each prompt style, so that extracting
from (prompt + target) gives the candidate back.
"""

from __future__ import annotations

from ..core import Task
from ..prompts import build_prompt

FENCE = "```"


def prompt_text(task: Task, style: str, tokenizer=None) -> str:
    """The exact string a policy with this prompt style gives the model for `task`."""
    return build_prompt(task, style).render(tokenizer)


def completion_target(task: Task, candidate: str, prompt_style: str) -> str:
    """The continuation of `prompt_text(task, prompt_style)` whose extraction is `candidate`."""
    out_style = build_prompt(task, prompt_style).style
    if out_style == "chat":
        tag = "lean4" if task.lang == "lean" else "dafny"
        return f"{FENCE}{tag}\n{candidate.strip()}\n{FENCE}"
    if out_style == "completion" and task.lang == "dafny":
        # the prompt already ends with the body's opening brace and a newline
        body = candidate.strip()
        body = body[1:] if body.startswith("{") else body
        return body.lstrip("\n") + f"\n{FENCE}"
    return candidate.rstrip("\n") + f"\n{FENCE}"
