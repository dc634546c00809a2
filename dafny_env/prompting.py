"""How models write Dafny: prompts, reading candidates out of their output, SFT targets.

- `completion` prompts end right after the target's opening `{`, so the output continues the body;
  a task with no single bodyless member gets a `program` prompt (the output is the whole program).
- `chat` prompts ask for the body (or the program) in one ```dafny block.
"""

from __future__ import annotations

from typing import Sequence

from verifier_core.records import Task
from verifier_core.text import (FENCE, Extraction, Prompt, before_fence, code_blocks, feedback_block,
                                tagged_first)

from . import syntax
from .target import bodiless_members, single_target

DAFNY_LANGS = ("dafny", "dfy", "")


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


def prompt(task: Task, style: str, feedback: Sequence[str] = (), attempt: str = "") -> Prompt:
    """The whole-proof prompt for `task`; with `feedback`, a repair prompt about `attempt`."""
    instruction = dafny_instruction(task)
    before = feedback_block("dafny", "Dafny", attempt, feedback) if feedback else ""
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


def extract(raw: str, task: Task, style: str) -> Extraction:
    if style == "completion":
        return dafny_completion(raw)
    if style == "chat":
        return dafny_chat(raw)
    if style == "program":
        return dafny_program(raw)
    return Extraction(None, f"Dafny output cannot be read in style {style!r}")


def dafny_completion(raw: str) -> Extraction:
    """Output that continues right after the target's opening `{`: the body up to its matching `}`."""
    text = before_fence(raw)
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
    blocks = [b for b in tagged_first(code_blocks(raw), DAFNY_LANGS) if b.body.strip()]
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


def completion_target(task: Task, candidate: str, out_style: str) -> str:
    """What follows the prompt so that extraction gives `candidate` back (the inverse of `extract`)."""
    if out_style == "chat":
        return f"{FENCE}dafny\n{candidate.strip()}\n{FENCE}"
    if out_style == "completion":
        # the prompt already ends with the body's opening brace and a newline
        body = candidate.strip()
        body = body[1:] if body.startswith("{") else body
        return body.lstrip("\n") + f"\n{FENCE}"
    return candidate.rstrip("\n") + f"\n{FENCE}"
