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
selection sort them out, which is the point of the baseline. Each language's operators live in its
env (`<env>/mutation.py`, reached as `language(lang).selfplay.mutator`).
"""

from __future__ import annotations

import random

from verifier_core.mutation import short_hash

from .config import ConjecturerConfig
from .languages import selfplay_part
from .records import Conjecture, Seed, statement_key


def mutation_conjectures(seeds: list[Seed], cfg: ConjecturerConfig, rng: random.Random, round_no: int,
                         lang: str) -> list[Conjecture]:
    """Up to `cfg.per_seed` distinct mutants per seed, at most `cfg.max_per_round` in all (sampled with `rng`)."""
    out: list[Conjecture] = []
    part = selfplay_part(lang)
    mutator = part.mutator([(s.task, s.proof) for s in seeds])
    for k, seed in enumerate(seeds):
        variants: dict[str, tuple[str, str, str, str]] = {}  # key -> (op, statement, target, lemma)
        for op in cfg.operators:
            for statement, target, lemma in mutator.mutants(k, op):
                key = statement_key(statement, target)
                if key != statement_key(seed.task.statement, part.seed_name(seed.task)):
                    variants.setdefault(key, (op, statement, target, lemma))
        for op, statement, target, lemma in _round_robin(sorted(variants.values()), rng)[: cfg.per_seed]:
            cid = f"r{round_no:03d}/{seed.task.id}/{short_hash(statement)}"
            out.append(Conjecture(cid, lang, statement, seed.task.id, f"mutation:{op}", header=seed.task.header,
                                  target=target, lemma=lemma))
    if len(out) > cfg.max_per_round:
        out = sorted(rng.sample(out, cfg.max_per_round), key=lambda c: c.id)
    return out


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
