"""Self-play's mutation operators on a Lean theorem: each rewrites the statement between the theorem's
name and `:= by` (the operators are described in `conjecturer/mutate.py`; Lean has no `compose`)."""

from __future__ import annotations

import re
from typing import Iterator, Sequence

from verifier_core.mutation import BINARY, LITERAL, constants, replace_each, short_hash, swap
from verifier_core.records import Task

_LEAN_CMP = re.compile(r"(?<=\s)(≤|≥|<|>|=)(?=\s)")
_LEAN_HYP = re.compile(r"\((h[\w₀-₉']*)\s*:")
_LEAN_RANGE = [
    (re.compile(r"Finset\.range\s+(\w+)"), lambda m: [f"Finset.range ({m.group(1)} + 1)"]),
    (re.compile(r"Finset\.Icc\s+(\d+)"), lambda m: [f"Finset.Icc {int(m.group(1)) + 1}"]),
    (re.compile(r"∀\s+(\w+)\s*(>|≥)\s*0"), lambda m: [f"∀ {m.group(1)} {'≥' if m.group(2) == '>' else '>'} 0"]),
]


def _lean_bounds(m: re.Match) -> list[str]:
    return {"≤": ["<"], "≥": [">"], "<": ["≤"], ">": ["≥"], "=": ["≤", "≥"]}[m.group(1)]


def _lean_split(statement: str) -> tuple[str, str, str] | None:
    """(`theorem NAME`, the rest up to `:=`, the `:= by` tail), the name found by the gate's parser."""
    from .soundness import parse_statement

    try:
        stmt = parse_statement(statement)
    except ValueError:
        return None
    tail = re.search(r":=\s*by\s*$", statement)
    if stmt.is_example or tail is None:
        return None
    name_end = stmt.tokens[stmt.name_index].end
    return statement[:name_end], statement[name_end:tail.start()], statement[tail.start():]


def lean_theorem_name(statement: str) -> str:
    """The theorem's name, or "" when the statement declares none."""
    from .soundness import parse_statement

    try:
        return parse_statement(statement).name
    except ValueError:
        return ""


def _balanced_end(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += text[i] == "("
        depth -= text[i] == ")"
        if depth == 0:
            return i + 1
    return -1


def lean_mutants(body: str, op: str) -> Iterator[str]:
    if op == "constant":
        yield from replace_each(body, LITERAL, constants)
    elif op == "bound":
        yield from replace_each(body, _LEAN_CMP, _lean_bounds)
    elif op == "swap":
        yield from replace_each(body, BINARY, swap)
    elif op == "drop_hypothesis":
        for m in _LEAN_HYP.finditer(body):
            end = _balanced_end(body, m.start())
            if end > 0:
                yield (body[:m.start()] + body[end:]).replace("  ", " ")
    elif op == "quantifier_range":
        for pattern, alts in _LEAN_RANGE:
            yield from replace_each(body, pattern, alts)


class LeanMutator:
    """The mutants of a round's seeds ((task, verified proof) pairs), each seed on its own."""

    def __init__(self, seeds: Sequence[tuple[Task, str]]):
        self.seeds = list(seeds)

    def mutants(self, k: int, op: str) -> Iterator[tuple[str, str, str]]:
        """(statement, new theorem's name, "") for seed `k` and operator `op`."""
        statement = self.seeds[k][0].statement
        parts = _lean_split(statement)
        if parts is None or op == "compose":
            return
        head, body, tail = parts
        base = lean_theorem_name(statement)
        for new in lean_mutants(body, op):
            name = f"{base.split('.')[-1]}_c{short_hash(new)[:6]}"
            yield f"theorem {name}{new}{tail}", name, ""
