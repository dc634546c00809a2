"""STP's selection, every constant from `SelectionConfig` (STP: Dong & Ma 2025, arXiv:2502.00212).

- seeds: originals with a verified proof whose last pass rate is above `seed_min_pass_rate`
  (a reference proof not yet measured also counts, which is how round 0 starts);
- "barely provable" conjectures: proved at least once, pass rate below `barely_max_pass_rate`; made
  with a lemma, some verified proof must invoke it (`require_lemma_use`);
- elegance: per lemma group (of at least `elegance_min_group`), conjectures whose best
  proof-length / statement-length ratio falls below the group's `elegance_quantile` are dropped;
- a per-lemma cap (`per_lemma_cap`; the no-lemma group gets STP's max(20 x #with-lemma, 4096));
- re-weighting toward still-unproved targets: each unproved target adds weight to its `match_top_k`
  most similar conjectures, capped at `max_weight` (STP embeds with the model; we use token-set
  Jaccard similarity so the rule also runs with no model at all);
- proved originals go back into the next proving set with probability `keep_proved_original_prob`
  (always when their pass rate is below `seed_min_pass_rate`); unproved ones always.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from .config import SelectionConfig
from .languages import selfplay_part
from .records import Conjecture


@dataclass
class TaskStats:
    task_id: str
    n: int = 0  # scored samples (verifier errors excluded)
    verified: int = 0
    proofs: list[tuple[str, float]] = field(default_factory=list)  # (proof, verify seconds), distinct
    # with `prior_weighted`: the policy's own probability mass of the scored and of the verified samples
    mass: float = 0.0
    verified_mass: float = 0.0
    prior_weighted: bool = False

    @property
    def pass_rate(self) -> float | None:
        if self.prior_weighted:
            return self.verified_mass / self.mass if self.mass > 0 else None
        return self.verified / self.n if self.n else None


def task_stats(attempts: Iterable[dict[str, Any]], prior_weighted: bool = False) -> dict[str, TaskStats]:
    """Per task: scored samples, verified ones and the distinct verified proofs (eval attempt records).

    The pass rate is the fraction of samples verified: for i.i.d. samples, an estimate of the chance
    that one draw from the policy verifies. A policy whose samples are distinct items of a fixed list
    (the portfolio: `samples_iid=False`) has no such fraction: it counts templates, so it moves in steps
    of 1/len(list) (never below 1/3 for a 3-template list) and is not a rate of anything. With
    `prior_weighted` each sample counts with its probability under the policy's own declared
    distribution (`exp(logprob)`, the portfolio's Zipf prior), so the pass rate is exactly the chance
    that one draw from that distribution, restricted to the samples tried, verifies."""
    out: dict[str, TaskStats] = {}
    for r in sorted(attempts, key=lambda r: (r["task_id"], int(r["sample"]))):
        if r["status"] == "error":
            continue
        s = out.setdefault(r["task_id"], TaskStats(r["task_id"], prior_weighted=prior_weighted))
        s.n += 1
        if prior_weighted and r.get("logprob") is None:
            raise ValueError(f"{r['task_id']} sample {r['sample']}: no logprob, so no prior-weighted pass rate")
        w = math.exp(r["logprob"]) if prior_weighted else 1.0
        s.mass += w
        if r["status"] == "verified":
            s.verified += 1
            s.verified_mass += w
            if all(p != r["text"] for p, _ in s.proofs):
                s.proofs.append((r["text"], float(r.get("seconds", 0.0))))
    return out


def pass_rate_histogram(stats: Iterable[TaskStats]) -> dict[str, int]:
    bins = {"0": 0, "(0,0.25)": 0, "[0.25,0.5)": 0, "[0.5,0.75)": 0, "[0.75,1)": 0, "1": 0}
    for s in stats:
        p = s.pass_rate
        if p is None:
            continue
        key = ("0" if p == 0 else "1" if p == 1 else "(0,0.25)" if p < 0.25 else "[0.25,0.5)" if p < 0.5
               else "[0.5,0.75)" if p < 0.75 else "[0.75,1)")
        bins[key] += 1
    return bins


@dataclass
class Selected:
    conjecture_id: str
    proof: str  # the shortest verified proof (one that invokes the lemma, when there is one)
    pass_rate: float
    ratio: float  # proof length / statement length
    lemma: str = ""
    weight: float = 1.0
    audit: str = ""  # the fresh re-verification's status

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Selected":
        return cls(**d)


def select_conjectures(conjectures: list[Conjecture], stats: dict[str, TaskStats], cfg: SelectionConfig,
                       unproved_targets: list[str], rng: random.Random) -> tuple[list[Selected], Counter]:
    """The conjecturer's examples of one round, weighted, and a count of every rejection by reason."""
    from .validate import dedup_text

    rejected: Counter = Counter()
    cands: list[Selected] = []
    for conj in sorted(conjectures, key=lambda c: c.id):
        s = stats.get(conj.id)
        if s is None or s.verified == 0:
            rejected["not_proved"] += 1
            continue
        if s.pass_rate >= cfg.barely_max_pass_rate:
            rejected["too_easy"] += 1
            continue
        proofs = s.proofs
        if conj.lemma and cfg.require_lemma_use:
            proofs = [p for p in proofs if selfplay_part(conj.lang).uses_lemma(p[0], conj.lemma)]
            if not proofs:
                rejected["lemma_unused"] += 1
                continue
        size = max(1, len(dedup_text(conj)))
        best = min(proofs, key=lambda p: (len(p[0]), p[0]))
        cands.append(Selected(conj.id, best[0], s.pass_rate, len(best[0]) / size, conj.lemma))
    cands = _elegance(cands, cfg, rejected)
    cands = _cap(cands, cfg, rng, rejected)
    texts = {c.id: dedup_text(c) for c in conjectures}
    cands = _reweight(cands, texts, unproved_targets, cfg, rejected)
    return cands, rejected


def _elegance(cands: list[Selected], cfg: SelectionConfig, rejected: Counter) -> list[Selected]:
    groups: dict[str, list[Selected]] = defaultdict(list)
    for c in cands:
        groups[c.lemma].append(c)
    keep = []
    for group in groups.values():
        if len(group) < cfg.elegance_min_group:
            keep += group
            continue
        ratios = sorted(c.ratio for c in group)
        cutoff = ratios[min(len(ratios) - 1, int(math.floor(cfg.elegance_quantile * len(ratios))))]
        for c in group:
            if c.ratio < cutoff:
                rejected["inelegant"] += 1
            else:
                keep.append(c)
    return sorted(keep, key=lambda c: c.conjecture_id)


def _cap(cands: list[Selected], cfg: SelectionConfig, rng: random.Random, rejected: Counter) -> list[Selected]:
    groups: dict[str, list[Selected]] = defaultdict(list)
    for c in cands:
        groups[c.lemma].append(c)
    with_lemma = sum(len(g) for k, g in groups.items() if k)
    keep = []
    for lemma, group in sorted(groups.items()):
        cap = cfg.per_lemma_cap if lemma else max(20 * with_lemma, 4096)
        if len(group) > cap:
            rejected["lemma_cap"] += len(group) - cap
            group = rng.sample(group, cap)
        keep += group
    return sorted(keep, key=lambda c: c.conjecture_id)


def _token_set(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*|\d+|[^\s\w]+", text))


def _reweight(cands: list[Selected], texts: dict[str, str], targets: list[str], cfg: SelectionConfig,
              rejected: Counter) -> list[Selected]:
    if not cands or not targets:
        return cands
    k = max(1, min(cfg.match_top_k, len(cands)))
    unit = len(cands) / (k * len(targets))  # total weight handed out = number of conjectures (mean 1)
    toks = {c.conjecture_id: _token_set(texts[c.conjecture_id]) for c in cands}
    weight: dict[str, float] = defaultdict(float)
    for target in targets:
        t = _token_set(target)
        sims = sorted(cands, key=lambda c: (-_jaccard(toks[c.conjecture_id], t), c.conjecture_id))
        for c in sims[:k]:
            weight[c.conjecture_id] = min(cfg.max_weight, weight[c.conjecture_id] + unit)
    out = []
    for c in cands:
        w = weight.get(c.conjecture_id, 0.0)
        if w <= 0:
            if not cfg.keep_unmatched:
                rejected["unmatched"] += 1
                continue
            w = cfg.unmatched_weight
        c.weight = round(w, 6)
        out.append(c)
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def seed_eligible(pass_rate: float | None, has_proof: bool, cfg: SelectionConfig) -> bool:
    return has_proof and (pass_rate is None or pass_rate > cfg.seed_min_pass_rate)


def originals_to_prove(originals: dict[str, dict[str, Any]], cfg: SelectionConfig, rng: random.Random,
                       first_round: bool) -> list[str]:
    """Ids of the originals in the next proving set: all in the first round; then the unproved ones,
    the hard proved ones, and each other proved one with probability `keep_proved_original_prob`."""
    out = []
    for tid in sorted(originals):
        o = originals[tid]
        draw = rng.random()  # drawn for every task, so the sequence does not depend on the outcomes
        if first_round or not o.get("proved") or (o.get("pass_rate") or 0.0) < cfg.seed_min_pass_rate:
            out.append(tid)
        elif draw < cfg.keep_proved_original_prob:
            out.append(tid)
    return out
