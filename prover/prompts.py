"""Prompts for proof generation, in two styles, for whichever language a task is in.

- `completion`: the prompt leaves a code fence open so a model continues the code (Lean: after
  `:= by`, DeepSeek-Prover-V1.5's non-CoT format; Dafny: after the target's opening `{`).
- `chat`: one user message for an instruct model's chat template; the answer holds a code block.

Each prompt records how its output must be read (`Prompt.style`, see `prover.extract`). Repair prompts
put the failed attempt and the verifier's messages before the request (Goedel/DeepSeek-V2 style).
The formats themselves are each language's own (`<env>/prompting.py`).
"""

from __future__ import annotations

from typing import Sequence

from verifier_core.languages import language
from verifier_core.records import Task
from verifier_core.text import Prompt

STYLES = ("completion", "chat")


def build_prompt(task: Task, style: str = "completion", feedback: Sequence[str] = (), attempt: str = "") -> Prompt:
    """The whole-proof prompt for `task`; with `feedback`, a repair prompt about `attempt`."""
    if style not in STYLES:
        raise ValueError(f"unknown prompt style {style!r}: expected one of {STYLES}")
    return language(task.lang).prompt(task, style, feedback, attempt)


def tactic_prompt(task: Task, state: str, style: str = "completion") -> Prompt:
    """Ask for one next tactic in proof state `state`."""
    return language(task.lang).tactic_prompt(task, state, style)


def prompt_for_request(request, style: str = "completion") -> Prompt:
    """The prompt a model policy sends for a `prover.policies.base.Request`.

    An explicit `request.prompt` is used verbatim as completion text (its output is read in `style`).
    """
    if request.prompt:
        return Prompt(style if request.state is None else "tactic", text=request.prompt)
    if request.state is not None:
        return tactic_prompt(request.task, request.state, style)
    return build_prompt(request.task, style, request.feedback, request.attempt)
