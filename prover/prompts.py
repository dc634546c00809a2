"""Prompts for proof generation, for Lean and Dafny, in two styles.

- `completion`: DeepSeek-Prover-V1.5's non-CoT format, "Complete the following Lean 4 code:\\n\\n
  ```lean4\\n{header}{informal_prefix}{formal_statement}", which leaves the fence open so a model
  continues the code after `:= by`. The Dafny equivalent ends right after the target's opening `{`.
- `chat`: one user message for an instruct model's chat template; the answer holds a code block.

Each prompt records how its output must be read (`Prompt.style`, see `prover.extract`). Repair prompts
put the failed attempt and the verifier's messages before the request (Goedel/DeepSeek-V2 style).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .core import Task
from .policies.dafny_target import bodiless_members, single_target

STYLES = ("completion", "chat")
MAX_FEEDBACK_CHARS = 2000  # keep a repair prompt from being swamped by one long error dump


@dataclass
class Prompt:
    """`text` for completion models, or `messages` for a chat template; `style` says how to read output.

    style: `completion` (the output continues the code), `program` (the output is a whole Dafny
    program after an open fence), `chat` (the output is an answer holding a code block), or `tactic`
    (the first line is one tactic).
    """

    style: str
    text: str = ""
    messages: list[dict[str, str]] | None = None

    def render(self, tokenizer=None) -> str:
        """The string given to the model; chat prompts need the tokenizer's chat template."""
        if self.messages is None:
            return self.text
        if tokenizer is None or not getattr(tokenizer, "chat_template", None):
            raise ValueError("a chat prompt needs a tokenizer with a chat template")
        return tokenizer.apply_chat_template(self.messages, tokenize=False, add_generation_prompt=True)


def build_prompt(task: Task, style: str = "completion", feedback: Sequence[str] = (), attempt: str = "") -> Prompt:
    """The whole-proof prompt for `task`; with `feedback`, a repair prompt about `attempt`."""
    if style not in STYLES:
        raise ValueError(f"unknown prompt style {style!r}: expected one of {STYLES}")
    if task.lang == "lean":
        return _lean(task, style, feedback, attempt)
    return _dafny(task, style, feedback, attempt)


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


def _feedback_block(lang_tag: str, program: str, feedback: Sequence[str]) -> str:
    msgs = "\n".join(feedback)
    if len(msgs) > MAX_FEEDBACK_CHARS:
        msgs = msgs[:MAX_FEEDBACK_CHARS] + "\n..."
    return (f"The following {'Lean 4' if lang_tag == 'lean4' else 'Dafny'} code is incorrect:\n\n"
            f"```{lang_tag}\n{program.rstrip()}\n```\n\nThe verifier reported:\n{msgs}\n\n")


# ---------------------------------------------------------------- Lean


def _lean(task: Task, style: str, feedback: Sequence[str], attempt: str) -> Prompt:
    informal = task.meta.get("informal_prefix", "") or ""
    code = f"{task.header}{informal}{_statement_line(task)}"
    before = ""
    if feedback:
        failed = attempt if task.statement.strip() in attempt else task.statement + attempt
        before = _feedback_block("lean4", failed, feedback)
    if style == "completion":
        return Prompt("completion", text=f"{before}Complete the following Lean 4 code:\n\n```lean4\n{code}")
    msg = (f"{before}Complete the following Lean 4 code:\n\n```lean4\n{code}  sorry\n```\n\n"
           "Replace `sorry` with a proof. Answer with the complete Lean 4 code in one ```lean4 block.")
    return Prompt("chat", messages=[{"role": "user", "content": msg}])


# ---------------------------------------------------------------- Dafny


def dafny_instruction(task: Task) -> str:
    """What the model must do for a Dafny task of this kind, in one sentence."""
    target = single_target(task.statement, task.meta.get("target"))
    members = bodiless_members(task.statement)
    name = (f"{target.kind} {target.name}" if target else
            "the members " + ", ".join(members) if len(members) > 1 else "the member without a body")
    if task.kind == "hints":
        return ("Add loop invariants, assertions and lemma calls so that Dafny verifies the program; "
                "change nothing else.")
    body = "bodies" if target is None and len(members) > 1 else "body"
    if task.kind == "implement":
        return (f"Write the {body} of {name}, with loop invariants where needed, so that Dafny verifies it "
                "against its specification.")
    return f"Write the {body} of {name} so that Dafny verifies it."


def _dafny(task: Task, style: str, feedback: Sequence[str], attempt: str) -> Prompt:
    instruction = dafny_instruction(task)
    before = _feedback_block("dafny", attempt, feedback) if feedback else ""
    target = None if task.kind == "hints" else single_target(task.statement, task.meta.get("target"))
    if style == "chat":
        what = ("the complete program" if target is None
                else f"the body of {target.name} as one ```dafny block holding just `{{ ... }}`")
        msg = f"{before}{instruction}\n\n```dafny\n{task.statement.rstrip()}\n```\n\nAnswer with {what}."
        return Prompt("chat", messages=[{"role": "user", "content": msg}])
    head = f"{before}Complete the following Dafny code. {instruction}\n\n```dafny\n"
    if target is None:
        # no single bodyless member to continue from: show the program and let the model rewrite it
        return Prompt("program", text=f"{head}{task.statement.rstrip()}\n```\n\nThe completed program:\n\n```dafny\n")
    spec = task.statement
    if target.nested:
        context = spec[: target.end]  # members after it in the same module cannot be moved: drop them
    else:
        rest = (spec[: target.start] + spec[target.end:]).strip()
        context = f"{rest}\n\n{spec[target.start: target.end]}" if rest else spec[target.start: target.end]
    return Prompt("completion", text=f"{head}{context}\n{{\n")


def prompt_for_request(request, style: str = "completion") -> Prompt:
    """The prompt a model policy sends for a `prover.policies.base.Request`.

    An explicit `request.prompt` is used verbatim as completion text (its output is read in `style`).
    """
    if request.prompt:
        return Prompt(style if request.state is None else "tactic", text=request.prompt)
    if request.state is not None:
        return tactic_prompt(request.task, request.state, style)
    return build_prompt(request.task, style, request.feedback, request.attempt)
