"""The non-neural conjecturer: mutations of seed statements. Self-play runs without weights on it, and a
model conjecturer must beat it.

Operators (config names): `constant` (an integer literal k becomes k+1, k-1 or 2k), `bound` (a
comparison is strengthened or weakened: `<=`→`<`, `<`→`<=`, `==`→`<=`/`>=`), `swap` (the operands
of `-`, `+`, `*`, `/` or of a two-argument call change places), `drop_hypothesis` (a `requires`
clause, one conjunct of it, or a Lean hypothesis binder is removed), `quantifier_range` (the range
of a bounded quantifier or a `Finset.range`/`Icc` moves by one), `compose` (Dafny: the seed's lemma
and another seed's lemma are conjoined, their contexts joined when no name is declared in both, the
other's proof given as a helper lemma the proof may call; only a lemma whose proof is more than an
empty body, since z3 finds the fact of one with an empty proof by itself and the conjecture would
not need the lemma). Most mutants are false, trivial or duplicates; validation, proving and
selection sort them out, which is the point of the baseline.
"""

from __future__ import annotations

import random
import re
from typing import Callable, Iterator

from .config import ConjecturerConfig
from .dafny_spec import LemmaSpec, parse_lemma
from .records import Conjecture, Seed, short_hash, statement_key

_LITERAL = re.compile(r"(?<![\w.'₀-₉])\d+(?![\w.])")
_DAFNY_CMP = re.compile(r"(?<![<=>!])(<=|>=|==|<|>)(?![<=>])")
_OPERAND = r"[\w.]+(?:\([^()]*\))?"
_BINARY = re.compile(rf"(?<![\w.)\]])({_OPERAND})\s*([-+*/])\s*({_OPERAND})(?![\w(\[])")
_CALL2 = re.compile(r"\b(\w+)\(\s*([\w.]+)\s*,\s*([\w.]+)\s*\)")
_QUANT_RANGE = re.compile(r"::\s*(\w+)\s*(<=|<)\s*(\w+)\s*(<=|<)\s*([\w|.]+(?:\s*-\s*\d+)?)")


def _replace_each(text: str, pattern: re.Pattern, alternatives: Callable[[re.Match], list[str]]) -> Iterator[str]:
    """`text` with one match of `pattern` replaced, for every match and every alternative."""
    for m in pattern.finditer(text):
        for alt in alternatives(m):
            if alt != m.group(0):
                yield text[:m.start()] + alt + text[m.end():]


def _constants(m: re.Match) -> list[str]:
    k = int(m.group(0))
    return [str(v) for v in dict.fromkeys([k + 1, k - 1, 2 * k]) if v >= 0]


def _dafny_bounds(m: re.Match) -> list[str]:
    return {"<=": ["<"], ">=": [">"], "<": ["<="], ">": [">="], "==": ["<=", ">="]}[m.group(1)]


def _lean_bounds(m: re.Match) -> list[str]:
    return {"≤": ["<"], "≥": [">"], "<": ["≤"], ">": ["≥"], "=": ["≤", "≥"]}[m.group(1)]


def _swap(m: re.Match) -> list[str]:
    return [f"{m.group(3)} {m.group(2)} {m.group(1)}"]


def _swap_call(m: re.Match) -> list[str]:
    return [f"{m.group(1)}({m.group(3)}, {m.group(2)})"]


def _quant_range(m: re.Match) -> list[str]:
    lo, op1, var, op2, hi = m.groups()
    out = [f":: {lo} {op1} {var} {'<=' if op2 == '<' else '<'} {hi}", f":: {lo} {op1} {var} {op2} {hi} - 1"]
    if lo.isdigit():
        out.append(f":: {int(lo) + 1} {op1} {var} {op2} {hi}")
    return out


def _top_conjuncts(expr: str) -> list[str]:
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


# ---------------------------------------------------------------- Dafny


def _clause_variants(spec: LemmaSpec, fn: Callable[[str], Iterator[str]], which=("requires", "ensures")) -> Iterator[LemmaSpec]:
    for kind in which:
        clauses = getattr(spec, kind)
        for i, c in enumerate(clauses):
            for new in fn(c):
                yield spec.with_(**{kind: clauses[:i] + [new] + clauses[i + 1:]})


def dafny_mutants(spec: LemmaSpec, op: str) -> Iterator[LemmaSpec]:
    if op == "constant":
        yield from _clause_variants(spec, lambda c: _replace_each(c, _LITERAL, _constants))
    elif op == "bound":
        yield from _clause_variants(spec, lambda c: _replace_each(c, _DAFNY_CMP, _dafny_bounds))
    elif op == "swap":
        yield from _clause_variants(spec, lambda c: _replace_each(c, _BINARY, _swap))
        yield from _clause_variants(spec, lambda c: _replace_each(c, _CALL2, _swap_call))
    elif op == "drop_hypothesis":
        for i in range(len(spec.requires)):
            yield spec.with_(requires=spec.requires[:i] + spec.requires[i + 1:])
            parts = _top_conjuncts(spec.requires[i])
            if len(parts) > 1:
                for j in range(len(parts)):
                    kept = " && ".join(parts[:j] + parts[j + 1:])
                    yield spec.with_(requires=spec.requires[:i] + [kept] + spec.requires[i + 1:])
    elif op == "quantifier_range":
        yield from _clause_variants(spec, lambda c: _replace_each(c, _QUANT_RANGE, _quant_range))


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
    from dafny_env.syntax import parse

    if other.context.strip() in ("", spec.context.strip()):
        return spec.context
    mine = {d.name for d in parse(spec.context).decls} | {spec.name}
    theirs = {d.name for d in parse(other.context).decls} | {other.name}
    if mine & theirs:
        return None
    return f"{spec.context.rstrip()}\n\n{other.context.strip()}" if spec.context.strip() else other.context


# ---------------------------------------------------------------- Lean

_LEAN_CMP = re.compile(r"(?<=\s)(≤|≥|<|>|=)(?=\s)")
_LEAN_HYP = re.compile(r"\((h[\w₀-₉']*)\s*:")
_LEAN_RANGE = [
    (re.compile(r"Finset\.range\s+(\w+)"), lambda m: [f"Finset.range ({m.group(1)} + 1)"]),
    (re.compile(r"Finset\.Icc\s+(\d+)"), lambda m: [f"Finset.Icc {int(m.group(1)) + 1}"]),
    (re.compile(r"∀\s+(\w+)\s*(>|≥)\s*0"), lambda m: [f"∀ {m.group(1)} {'≥' if m.group(2) == '>' else '>'} 0"]),
]


def _lean_split(statement: str) -> tuple[str, str, str] | None:
    """(`theorem NAME`, the rest up to `:=`, the `:= by` tail), the name found by the gate's parser."""
    from lean_env.soundness import parse_statement

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
    from lean_env.soundness import parse_statement

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
        yield from _replace_each(body, _LITERAL, _constants)
    elif op == "bound":
        yield from _replace_each(body, _LEAN_CMP, _lean_bounds)
    elif op == "swap":
        yield from _replace_each(body, _BINARY, _swap)
    elif op == "drop_hypothesis":
        for m in _LEAN_HYP.finditer(body):
            end = _balanced_end(body, m.start())
            if end > 0:
                yield (body[:m.start()] + body[end:]).replace("  ", " ")
    elif op == "quantifier_range":
        for pattern, alts in _LEAN_RANGE:
            yield from _replace_each(body, pattern, alts)


# ---------------------------------------------------------------- driver


def mutation_conjectures(seeds: list[Seed], cfg: ConjecturerConfig, rng: random.Random, round_no: int,
                         lang: str) -> list[Conjecture]:
    """Up to `cfg.per_seed` distinct mutants per seed, at most `cfg.max_per_round` in all (sampled with `rng`)."""
    out: list[Conjecture] = []
    specs = {s.task.id: parse_lemma(s.task.statement, s.task.meta.get("target")) for s in seeds} if lang == "dafny" else {}
    for seed in seeds:
        variants: dict[str, tuple[str, str, str, str]] = {}  # key -> (op, statement, target, lemma)
        for op in cfg.operators:
            for statement, target, lemma in _seed_mutants(seed, op, seeds, specs, lang):
                key = statement_key(statement, target)
                if key != statement_key(seed.task.statement, _seed_name(seed, lang)):
                    variants.setdefault(key, (op, statement, target, lemma))
        for op, statement, target, lemma in _round_robin(sorted(variants.values()), rng)[: cfg.per_seed]:
            cid = f"r{round_no:03d}/{seed.task.id}/{short_hash(statement)}"
            out.append(Conjecture(cid, lang, statement, seed.task.id, f"mutation:{op}", header=seed.task.header,
                                  target=target, lemma=lemma))
    if len(out) > cfg.max_per_round:
        out = sorted(rng.sample(out, cfg.max_per_round), key=lambda c: c.id)
    return out


def _empty_proof(proof: str) -> bool:
    from dafny_env.syntax import code_mask

    return not code_mask(proof).replace("{", "").replace("}", "").strip()


def _round_robin(variants: list[tuple[str, str, str, str]], rng: random.Random) -> list[tuple[str, str, str, str]]:
    """Shuffled variants, taking operators in turn: `compose` alone can make dozens per seed."""
    by_op: dict[str, list] = {}
    for v in variants:
        by_op.setdefault(v[0], []).append(v)
    for vs in by_op.values():
        rng.shuffle(vs)
    ops = sorted(by_op)
    rng.shuffle(ops)
    out = []
    while any(by_op.values()):
        for op in ops:
            if by_op[op]:
                out.append(by_op[op].pop())
    return out


def _seed_name(seed: Seed, lang: str) -> str:
    if lang == "dafny":
        spec = parse_lemma(seed.task.statement, seed.task.meta.get("target"))
        return spec.name if spec else ""
    return lean_theorem_name(seed.task.statement)


def _seed_mutants(seed: Seed, op: str, seeds: list[Seed], specs: dict, lang: str) -> Iterator[tuple[str, str, str]]:
    if lang == "dafny":
        spec = specs.get(seed.task.id)
        if spec is None:
            return
        if op == "compose":
            mutants = []
            for other in seeds:
                o = specs.get(other.task.id)
                # a lemma z3 proves with an empty body is a fact it finds by itself: conjoining it
                # makes no conjecture whose proof needs the lemma, so only proved-with-work ones compose
                if o is not None and other is not seed and not _empty_proof(other.proof):
                    m = dafny_compose(spec, o, other.proof)
                    if m is not None:
                        mutants.append((m, o.name))
        else:
            mutants = [(m, "") for m in dafny_mutants(spec, op)]
        for m, lemma in mutants:
            name = f"{spec.name}_{short_hash(m.render())[:6]}"
            renamed = m.with_(name=name)
            yield renamed.render(), name, lemma
        return
    parts = _lean_split(seed.task.statement)
    if parts is None or op == "compose":
        return
    head, body, tail = parts
    base = lean_theorem_name(seed.task.statement)
    for new in lean_mutants(body, op):
        name = f"{base.split('.')[-1]}_c{short_hash(new)[:6]}"
        yield f"theorem {name}{new}{tail}", name, ""
