"""Find the one bodyless member of a Dafny spec program and read its signature.

Declaration spans come from `dafny_env.syntax.parse`; this module adds what prompt building and proof
templates need on top: the target's parameters, results and pre/postconditions, and the offset at
which its body goes. Brackets and keywords are found in `syntax.code_mask`'s view of the text, so
comments and literals (`'"'` included) never look like code; the returned texts keep the literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import syntax

_CLAUSE = re.compile(r"\b(requires|ensures|decreases|reads|modifies)\b")


@dataclass
class Param:
    name: str
    type: str


@dataclass
class DafnyTarget:
    """The bodyless member a candidate must complete."""

    kind: str  # lemma | method | function | predicate | ... ("function method" kept as written)
    name: str
    params: list[Param]
    returns: list[Param]
    requires: list[str] = field(default_factory=list)
    ensures: list[str] = field(default_factory=list)
    start: int = 0  # offset of the declaration's first keyword in the spec
    end: int = 0  # offset just after the header: where the body `{ ... }` goes
    nested: bool = False  # declared inside a module/class (cannot be moved around)


def find_target(spec: str, name: str | None = None) -> DafnyTarget | None:
    """The bodyless callable of `spec` (the one named `name`, when given); None if there is none."""
    for d in syntax.parse(spec).walk():
        if d.is_callable and not d.has_body and d.name and (name is None or d.name == name):
            return _signature(spec, d.kind, d.name, d.start, d.header_end, nested="." in d.qualname)
    return None


def bodiless_members(spec: str) -> list[str]:
    """Names of every callable of `spec` without a body (the members a candidate must complete)."""
    return [d.name for d in syntax.parse(spec).walk() if d.is_callable and not d.has_body and d.name]


def single_target(spec: str, name: str | None = None) -> DafnyTarget | None:
    """The target when `spec` has exactly one bodiless member (a body can be spliced there), else None:
    with several, a candidate must be the whole program."""
    return find_target(spec, name) if len(bodiless_members(spec)) == 1 else None


def proved_lemmas(spec: str) -> list[DafnyTarget]:
    """The signatures of the top-level lemmas of `spec` that have a body (helpers a proof may call)."""
    return [_signature(spec, d.kind, d.name, d.start, d.header_end, nested=False)
            for d in syntax.parse(spec).walk()
            if d.base == "lemma" and d.has_body and d.name and "." not in d.qualname]


def _signature(spec: str, kind: str, name: str, start: int, end: int, nested: bool) -> DafnyTarget:
    """Read parameters, results and pre/postconditions from the header `spec[start:end]`."""
    masked = syntax.code_mask(spec[:end])
    found = re.compile(rf"(?<![\w']){re.escape(name)}(?![\w'])").search(masked, start)
    pos = found.end() if found else end
    gen = re.compile(r"\s*<").match(masked, pos)
    if gen:
        pos = _skip_balanced(masked, gen.end() - 1, "<", ">")
    params: list[Param] = []
    returns: list[Param] = []
    op = re.compile(r"\s*\(").match(masked, pos)
    if op:
        pos = _skip_balanced(masked, op.end() - 1, "(", ")")
        params = _params(spec, masked, op.end(), pos - 1)
    ret = re.compile(r"\s*returns\s*\(").match(masked, pos)
    if ret:
        pos = _skip_balanced(masked, ret.end() - 1, "(", ")")
        returns = _params(spec, masked, ret.end(), pos - 1)
    requires, ensures = _clauses(spec, masked, pos, end)
    return DafnyTarget(" ".join(kind.split()), name, params, returns, requires, ensures, start, end, nested)


def _skip_balanced(masked: str, pos: int, open_c: str, close_c: str) -> int:
    """Offset just past the bracket matching the one at `pos` in code-masked text."""
    depth = 0
    for i in range(pos, len(masked)):
        if masked[i] == open_c:
            depth += 1
        elif masked[i] == close_c and not _is_arrow_head(masked, i):
            depth -= 1
            if depth == 0:
                return i + 1
    return len(masked)


def _is_arrow_head(masked: str, i: int) -> bool:
    """The `>` of `->`, `-->`, `~>` or `=>` is no closing angle bracket."""
    return masked[i] == ">" and i > 0 and masked[i - 1] in "-~="


def _params(spec: str, masked: str, start: int, end: int) -> list[Param]:
    out = []
    for a, b in _split_top(masked, start, end):
        part = re.sub(r"^\s*(ghost|new|nameonly|older)\s+", "", _code_text(spec[a:b]))
        if ":" in part:
            n, t = part.split(":", 1)
            out.append(Param(n.strip(), t.strip()))
    return out


def _split_top(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of `masked[start:end]` between top-level commas (blank parts dropped)."""
    spans, depth, a = [], 0, start
    for i in range(start, end):
        c = masked[i]
        if c in "(<[{":
            depth += 1
        elif c in ")]}" or (c == ">" and not _is_arrow_head(masked, i)):
            depth -= 1
        elif c == "," and depth == 0:
            spans.append((a, i))
            a = i + 1
    spans.append((a, end))
    return [(x, y) for x, y in spans if masked[x:y].strip()]


def _code_text(fragment: str) -> str:
    """`fragment` without comments, whitespace runs collapsed outside literals."""
    toks = syntax.code_tokens(fragment)
    out = []
    for k, t in enumerate(toks):
        if k and t.start > toks[k - 1].end:
            out.append(" ")
        out.append(t.text)
    return "".join(out)


def _clauses(spec: str, masked: str, start: int, end: int) -> tuple[list[str], list[str]]:
    marks = [(m.start(), m.end(), m.group(1)) for m in _CLAUSE.finditer(masked, start, end)]
    requires, ensures = [], []
    for k, (s, e, kw) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else end
        text = _code_text(spec[e:stop])
        if kw == "requires":
            requires.append(text)
        elif kw == "ensures":
            ensures.append(text)
    return requires, ensures
