"""Statement mutations every language's self-play mutation operators share: an integer literal moved
by one or doubled, the operands of a binary operator swapped. Each env's `mutation.py` applies them
to the parts of a statement its own syntax says may change."""

from __future__ import annotations

import hashlib
import re
from typing import Callable, Iterator

LITERAL = re.compile(r"(?<![\w.'₀-₉])\d+(?![\w.])")
_OPERAND = r"[\w.]+(?:\([^()]*\))?"
BINARY = re.compile(rf"(?<![\w.)\]])({_OPERAND})\s*([-+*/])\s*({_OPERAND})(?![\w(\[])")


def replace_each(text: str, pattern: re.Pattern, alternatives: Callable[[re.Match], list[str]]) -> Iterator[str]:
    """`text` with one match of `pattern` replaced, for every match and every alternative."""
    for m in pattern.finditer(text):
        for alt in alternatives(m):
            if alt != m.group(0):
                yield text[:m.start()] + alt + text[m.end():]


def constants(m: re.Match) -> list[str]:
    k = int(m.group(0))
    return [str(v) for v in dict.fromkeys([k + 1, k - 1, 2 * k]) if v >= 0]


def swap(m: re.Match) -> list[str]:
    return [f"{m.group(3)} {m.group(2)} {m.group(1)}"]


def short_hash(*parts: str) -> str:
    """8 hex digits of the parts' sha256: tells mutants (and self-play's conjectures) apart by content."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:8]
