"""What every language shares about model text: prompts, fenced code blocks, extraction results.

Each language's own prompt formats and extraction rules live in its env (`<env>/prompting.py`);
these are the records and helpers they have in common.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

FENCE = "```"
_FENCE_LINE = re.compile(r"^\s*(`{3,})\s*([\w+.-]*)\s*$")
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


@dataclass
class Extraction:
    """`text` is the candidate (None when the output holds nothing usable); `reason` says why not."""

    text: str | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.text is not None


@dataclass
class CodeBlock:
    lang: str
    body: str
    closed: bool


def code_blocks(raw: str) -> list[CodeBlock]:
    """Fenced blocks in order; a block still open at the end (truncated output) has `closed=False`."""
    blocks: list[CodeBlock] = []
    lang: str | None = None
    lines: list[str] = []
    for line in raw.split("\n"):
        m = _FENCE_LINE.match(line)
        if lang is None:
            if m:
                lang, lines = m.group(2).lower(), []
        elif m:
            blocks.append(CodeBlock(lang, "\n".join(lines), True))
            lang = None
        else:
            lines.append(line)
    if lang is not None:
        blocks.append(CodeBlock(lang, "\n".join(lines), False))
    return blocks


def tagged_first(blocks: list[CodeBlock], langs: tuple[str, ...]) -> list[CodeBlock]:
    """Blocks tagged with the language; untagged blocks only when no block is tagged."""
    tagged = [b for b in blocks if b.lang and b.lang in langs]
    return tagged or [b for b in blocks if not b.lang]


def before_fence(raw: str) -> str:
    """Completion output up to the fence that closes the code (all of it when there is none)."""
    cut = raw.find(FENCE)
    return raw if cut < 0 else raw[:cut]


def feedback_block(lang_tag: str, language_title: str, program: str, feedback: Sequence[str]) -> str:
    """The repair preamble: the failed code and what the verifier said (Goedel/DeepSeek-V2 style)."""
    msgs = "\n".join(feedback)
    if len(msgs) > MAX_FEEDBACK_CHARS:
        msgs = msgs[:MAX_FEEDBACK_CHARS] + "\n..."
    return (f"The following {language_title} code is incorrect:\n\n"
            f"```{lang_tag}\n{program.rstrip()}\n```\n\nThe verifier reported:\n{msgs}\n\n")
