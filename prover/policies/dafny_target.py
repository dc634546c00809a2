"""Find the one bodyless member of a Dafny spec program and read its signature.

Declaration spans come from `dafny_env.syntax.parse`; this module adds what prompt building and proof
templates need on top: the target's parameters, results and pre/postconditions, and the offset at
which its body goes. Comments and string literals are masked so they never look like code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


def mask(text: str) -> str:
    """`text` with comments and string/char literals replaced by spaces (offsets preserved)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + 1)
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def find_target(spec: str, name: str | None = None) -> DafnyTarget | None:
    """The bodyless callable of `spec` (the one named `name`, when given); None if there is none."""
    from dafny_env.syntax import parse

    for d in parse(spec).walk():
        if d.is_callable and not d.has_body and d.name and (name is None or d.name == name):
            return _signature(spec, d.kind, d.name, d.start, d.header_end, nested="." in d.qualname)
    return None


def _signature(spec: str, kind: str, name: str, start: int, end: int, nested: bool) -> DafnyTarget:
    """Read parameters, results and pre/postconditions from the header `spec[start:end]`."""
    masked = mask(spec[:end])
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
        params = _params(spec[op.end(): pos - 1])
    ret = re.compile(r"\s*returns\s*\(").match(masked, pos)
    if ret:
        pos = _skip_balanced(masked, ret.end() - 1, "(", ")")
        returns = _params(spec[ret.end(): pos - 1])
    requires, ensures = _clauses(spec, masked, pos, end)
    return DafnyTarget(" ".join(kind.split()), name, params, returns, requires, ensures, start, end, nested)


def _skip_balanced(text: str, pos: int, open_c: str, close_c: str) -> int:
    """Offset just past the bracket matching the one at `pos`."""
    depth = 0
    for i in range(pos, len(text)):
        if text[i] == open_c:
            depth += 1
        elif text[i] == close_c:
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def _params(text: str) -> list[Param]:
    out = []
    for part in _split_top(text, ","):
        part = re.sub(r"^\s*(ghost|new|nameonly|older)\s+", "", part.strip())
        if ":" in part:
            n, t = part.split(":", 1)
            out.append(Param(n.strip(), t.strip()))
    return out


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for c in text:
        if c in "(<[{":
            depth += 1
        elif c in ")>]}":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return parts


def _clauses(spec: str, masked: str, start: int, end: int) -> tuple[list[str], list[str]]:
    marks = [(m.start(), m.end(), m.group(1)) for m in _CLAUSE.finditer(masked, start, end)]
    requires, ensures = [], []
    for k, (s, e, kw) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else end
        text = " ".join(mask(spec[e:stop]).split())
        if kw == "requires":
            requires.append(text)
        elif kw == "ensures":
            ensures.append(text)
    return requires, ensures
