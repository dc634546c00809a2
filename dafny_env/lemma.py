"""A Dafny spec program split into its context and the target lemma's clauses, and put back together.

Conjectures keep the seed's context (functions, predicates, helper lemmas) verbatim and change only the
target lemma's header: its name, parameters, `requires` and `ensures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .syntax import code_mask as mask
from .target import find_target


@dataclass
class LemmaSpec:
    context: str  # everything of the spec program except the target lemma
    keyword: str  # `lemma {:induction false}` (keyword and attributes as written)
    name: str
    params: list[str]  # `n: nat` as written
    requires: list[str] = field(default_factory=list)
    ensures: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [f"{self.keyword} {self.name}({', '.join(self.params)})"]
        lines += [f"  requires {r}" for r in self.requires]
        lines += [f"  ensures {e}" for e in self.ensures]
        header = "\n".join(lines)
        return f"{self.context.rstrip()}\n\n{header}" if self.context.strip() else header

    def header(self) -> str:
        return replace(self, context="").render()

    def with_(self, **changes) -> "LemmaSpec":
        return replace(self, **changes)


def parse_lemma(spec: str, target: str | None = None) -> LemmaSpec | None:
    """The bodyless lemma of `spec` (named `target` when given) and its context; None if there is none
    or it has clauses other than requires/ensures (decreases, reads), which mutations would lose."""
    t = find_target(spec, target)
    if t is None or t.kind.split()[-1] != "lemma" or t.nested:
        return None
    header = spec[t.start:t.end]
    masked = mask(header)
    if re.search(r"\b(decreases|reads|modifies|returns)\b", masked):
        return None
    name_at = re.search(rf"(?<![\w']){re.escape(t.name)}\s*\(", masked)
    if name_at is None:
        return None
    keyword = " ".join(header[:name_at.start()].split())
    context = (spec[:t.start] + spec[t.end:]).strip("\n")
    params = [f"{p.name}: {p.type}" for p in t.params]
    return LemmaSpec(context, keyword, t.name, params, list(t.requires), list(t.ensures))


def clause_variant(spec: str, target: str | None, new_name: str, keep_requires: bool,
                   ensures: list[str] | None) -> str | None:
    """`spec` with its bodyless target lemma replaced by a copy named `new_name`: its `requires` kept
    or dropped, its `ensures` replaced by `ensures` (None: kept), every other clause (`decreases`,
    `reads`, `returns`, attributes) as written. None when `spec` has no bodyless lemma `target`.

    Works on any lemma form (unlike `parse_lemma`), so vacuity and tautology checks reach every
    header; what the variant means is then Dafny's to decide."""
    from . import syntax

    prog = syntax.parse(spec)
    d = next((x for x in prog.walk() if x.base == "lemma" and not x.has_body and x.name
              and (target is None or x.name == target)), None)
    if d is None:
        return None
    toks = [t for t in prog.tokens if d.start <= t.start < d.header_end]
    cuts: list[tuple[int, int]] = []
    name_tok = next((t for t in toks if t.text == d.name and t.kind == "ident"), None)
    k = 0
    while k < len(toks):
        tx = toks[k].text
        if toks[k].kind == "ident" and tx in ("requires", "ensures") and toks[k - 1].text not in (".",):
            end = syntax.clause_end(toks, k)
            if tx == "ensures" and ensures is not None or tx == "requires" and not keep_requires:
                cuts.append((toks[k].start, toks[end - 1].end if end - 1 < len(toks) else d.header_end))
            k = max(end, k + 1)
            continue
        k += 1
    header = spec[d.start:d.header_end]
    for a, b in sorted(cuts, reverse=True):
        header = header[:a - d.start] + header[b - d.start:]
    if name_tok is not None:
        at = name_tok.start - d.start
        header = header[:at] + new_name + header[at + len(d.name):]
    header = header.rstrip() + "".join(f"\n  ensures {e}" for e in (ensures or []))
    return spec[:d.start] + header + "\n" + spec[d.header_end:]


def called_names(proof: str, names: list[str]) -> list[str]:
    """Which of `names` the proof text calls (a name followed by `(`, outside comments and strings)."""
    code = mask(proof)
    return [n for n in names if re.search(rf"(?<![\w'.]){re.escape(n)}\s*\(", code)]


def lemma_names(spec: str) -> list[str]:
    """Lemmas declared with a body in `spec` (helpers a proof may invoke)."""
    from .syntax import parse

    return [d.name for d in parse(spec).walk() if d.base == "lemma" and d.has_body and d.name]
