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


def called_names(proof: str, names: list[str]) -> list[str]:
    """Which of `names` the proof text calls (a name followed by `(`, outside comments and strings)."""
    code = mask(proof)
    return [n for n in names if re.search(rf"(?<![\w'.]){re.escape(n)}\s*\(", code)]


def lemma_names(spec: str) -> list[str]:
    """Lemmas declared with a body in `spec` (helpers a proof may invoke)."""
    from .syntax import parse

    return [d.name for d in parse(spec).walk() if d.base == "lemma" and d.has_body and d.name]
