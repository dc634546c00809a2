"""Self-play's mutation operators on a Dafny lemma: each rewrites the target lemma's clauses and keeps
its context; `compose` conjoins two seeds' lemmas (the operators are described in
`conjecturer/mutate.py`)."""

from __future__ import annotations

import re
from typing import Callable, Iterator, Sequence

from verifier_core.mutation import BINARY, LITERAL, constants, replace_each, short_hash, swap
from verifier_core.records import Task

from .lemma import LemmaSpec, parse_lemma
from .syntax import code_mask, parse

_DAFNY_CMP = re.compile(r"(?<![<=>!])(<=|>=|==|<|>)(?![<=>])")
_CALL2 = re.compile(r"\b(\w+)\(\s*([\w.]+)\s*,\s*([\w.]+)\s*\)")
_QUANT_RANGE = re.compile(r"::\s*(\w+)\s*(<=|<)\s*(\w+)\s*(<=|<)\s*([\w|.]+(?:\s*-\s*\d+)?)")


def _dafny_bounds(m: re.Match) -> list[str]:
    return {"<=": ["<"], ">=": [">"], "<": ["<="], ">": [">="], "==": ["<=", ">="]}[m.group(1)]


def _swap_call(m: re.Match) -> list[str]:
    return [f"{m.group(1)}({m.group(3)}, {m.group(2)})"]


def _quant_range(m: re.Match) -> list[str]:
    lo, op1, var, op2, hi = m.groups()
    out = [f":: {lo} {op1} {var} {'<=' if op2 == '<' else '<'} {hi}", f":: {lo} {op1} {var} {op2} {hi} - 1"]
    if lo.isdigit():
        out.append(f":: {int(lo) + 1} {op1} {var} {op2} {hi}")
    return out


def top_conjuncts(expr: str) -> list[str]:
    parts, depth, cur, i = [], 0, "", 0
    while i < len(expr):
        c = expr[i]
        depth += c in "([{"
        depth -= c in ")]}"
        if depth == 0 and expr.startswith("&&", i):
            parts.append(cur.strip())
            cur, i = "", i + 2
            continue
        cur += c
        i += 1
    return [p for p in (*parts, cur.strip()) if p]


def _clause_variants(spec: LemmaSpec, fn: Callable[[str], Iterator[str]], which=("requires", "ensures")) -> Iterator[LemmaSpec]:
    for kind in which:
        clauses = getattr(spec, kind)
        for i, c in enumerate(clauses):
            for new in fn(c):
                yield spec.with_(**{kind: clauses[:i] + [new] + clauses[i + 1:]})


def dafny_mutants(spec: LemmaSpec, op: str) -> Iterator[LemmaSpec]:
    if op == "constant":
        yield from _clause_variants(spec, lambda c: replace_each(c, LITERAL, constants))
    elif op == "bound":
        yield from _clause_variants(spec, lambda c: replace_each(c, _DAFNY_CMP, _dafny_bounds))
    elif op == "swap":
        yield from _clause_variants(spec, lambda c: replace_each(c, BINARY, swap))
        yield from _clause_variants(spec, lambda c: replace_each(c, _CALL2, _swap_call))
    elif op == "drop_hypothesis":
        for i in range(len(spec.requires)):
            yield spec.with_(requires=spec.requires[:i] + spec.requires[i + 1:])
            parts = top_conjuncts(spec.requires[i])
            if len(parts) > 1:
                for j in range(len(parts)):
                    kept = " && ".join(parts[:j] + parts[j + 1:])
                    yield spec.with_(requires=spec.requires[:i] + [kept] + spec.requires[i + 1:])
    elif op == "quantifier_range":
        yield from _clause_variants(spec, lambda c: replace_each(c, _QUANT_RANGE, _quant_range))


def _rename_words(text: str, names: dict[str, str]) -> str:
    if not names:
        return text
    pattern = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, names)) + r")(?![\w'])")
    return pattern.sub(lambda m: names[m.group(1)], text)


_NO_INDUCTION = "{:induction false}"


def dafny_compose(spec: LemmaSpec, other: LemmaSpec, other_proof: str) -> LemmaSpec | None:
    """The seed's lemma conjoined with `other`'s (parameters renamed apart), `other` given as a proved
    helper lemma. The two contexts are joined when they declare no name in common (or are the same
    text); otherwise None, since a name declared twice does not resolve."""
    if other.name == spec.name:
        return None
    context = _joined_context(spec, other)
    if context is None:
        return None
    mine = {p.split(":")[0].strip() for p in spec.params}
    renames = {}
    for p in other.params:
        n = p.split(":")[0].strip()
        renames[n] = n + "2" if n in mine else n
    params = spec.params + [_rename_words(p.split(":")[0], renames).strip() + ":" + p.split(":", 1)[1]
                            for p in other.params]
    helper = other.header() + "\n" + other_proof.strip()
    keyword = spec.keyword
    if _NO_INDUCTION in other.keyword and _NO_INDUCTION not in keyword:
        # with Dafny's automatic induction on, the conjoined fact that needed a hand-written induction
        # is proved for free and the helper is never needed
        keyword = f"{keyword} {_NO_INDUCTION}"
    return spec.with_(keyword=keyword, context=f"{context.rstrip()}\n\n{helper}", params=params,
                      requires=spec.requires + [_rename_words(r, renames) for r in other.requires],
                      ensures=spec.ensures + [_rename_words(e, renames) for e in other.ensures])


def _joined_context(spec: LemmaSpec, other: LemmaSpec) -> str | None:
    if other.context.strip() in ("", spec.context.strip()):
        return spec.context
    mine = {d.name for d in parse(spec.context).decls} | {spec.name}
    theirs = {d.name for d in parse(other.context).decls} | {other.name}
    if mine & theirs:
        return None
    return f"{spec.context.rstrip()}\n\n{other.context.strip()}" if spec.context.strip() else other.context


def _empty_proof(proof: str) -> bool:
    return not code_mask(proof).replace("{", "").replace("}", "").strip()


class DafnyMutator:
    """The mutants of a round's seeds ((task, verified proof) pairs): `compose` pairs each with the others."""

    def __init__(self, seeds: Sequence[tuple[Task, str]]):
        self.seeds = list(seeds)
        self.specs = {t.id: parse_lemma(t.statement, t.meta.get("target")) for t, _ in self.seeds}

    def mutants(self, k: int, op: str) -> Iterator[tuple[str, str, str]]:
        """(statement, new lemma's name, helper lemma's name or "") for seed `k` and operator `op`."""
        spec = self.specs.get(self.seeds[k][0].id)
        if spec is None:
            return
        if op == "compose":
            mutants = []
            for j, (other, other_proof) in enumerate(self.seeds):
                o = self.specs.get(other.id)
                # a lemma z3 proves with an empty body is a fact it finds by itself: conjoining it
                # makes no conjecture whose proof needs the lemma, so only proved-with-work ones compose
                if o is not None and j != k and not _empty_proof(other_proof):
                    m = dafny_compose(spec, o, other_proof)
                    if m is not None:
                        mutants.append((m, o.name))
        else:
            mutants = [(m, "") for m in dafny_mutants(spec, op)]
        for m, lemma in mutants:
            name = f"{spec.name}_{short_hash(m.render())[:6]}"
            renamed = m.with_(name=name)
            yield renamed.render(), name, lemma
