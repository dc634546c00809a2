"""The neural conjecturer: STP's prompt (lemma + easy theorem and its proof -> hard theorem) given to
any `Policy`, and the output parsed into a new statement. The model's output is cut at the closing
fence or a tag; each language's prompt and its reading of the rest are its env's
(`language(lang).selfplay`: Dafny writes a lemma header, Lean a theorem up to `:=`).
"""

from __future__ import annotations

import random
from typing import Any

from prover.policies.base import Request
from verifier_core.mutation import short_hash
from verifier_core.text import FENCE

from .config import ConjecturerConfig
from .languages import selfplay_part
from .records import Conjecture, Seed

_STOPS = (FENCE, "</hard theorem>", "<hard theorem>", "</easy theorem>")


def conjecturer_inputs(seeds: list[Seed], cfg: ConjecturerConfig, rng: random.Random) -> list[tuple[Seed, str]]:
    """(seed, lemma) pairs as STP makes them: each lemma the seed's proof invokes, plus the empty lemma
    with probability `empty_lemma_prob` (always when there is no lemma); each lemma used by at most
    `lemma_max_share` of the inputs."""
    pairs: list[tuple[Seed, str]] = []
    for seed in seeds:
        for lemma in seed.lemmas:
            pairs.append((seed, lemma))
        if not seed.lemmas or rng.random() < cfg.empty_lemma_prob:
            pairs.append((seed, ""))
    cap = max(1, int(cfg.lemma_max_share * len(pairs)))
    used: dict[str, int] = {}
    out = []
    for seed, lemma in pairs:
        if lemma:
            used[lemma] = used.get(lemma, 0) + 1
            if used[lemma] > cap:
                continue
        out.append((seed, lemma))
    unique = {(seed.task.id, lemma): (seed, lemma) for seed, lemma in out}
    return list(unique.values())


def conjecturer_prompt(seed: Seed, lemma: str) -> tuple[str, str]:
    """(prompt, context): the prompt text, and the context the new statement is declared in."""
    return selfplay_part(seed.task.lang).conjecturer_prompt(seed.task, seed.proof, lemma)


def _cut(raw: str) -> str:
    ends = [raw.find(s) for s in _STOPS if s in raw]
    return raw[: min(ends)] if ends else raw


def parse_output(raw: str, seed: Seed, context: str) -> tuple[str, str, str]:
    """(statement, target name, error) from the model's continuation of `conjecturer_prompt`."""
    return selfplay_part(seed.task.lang).parse_output(_cut(raw), context)


def policy_conjectures(seeds: list[Seed], policy: Any, cfg: ConjecturerConfig, rng: random.Random,
                       round_no: int, lang: str) -> list[Conjecture]:
    """`cfg.per_seed` samples per (seed, lemma) input, parsed; unparsable outputs are kept (empty
    statement, with the reason) so validation counts them."""
    inputs = conjecturer_inputs(seeds, cfg, rng)
    if len(inputs) * cfg.per_seed > cfg.max_per_round:
        inputs = sorted(rng.sample(inputs, max(1, cfg.max_per_round // cfg.per_seed)), key=lambda p: (p[0].task.id, p[1]))
    prompts = [conjecturer_prompt(seed, lemma) for seed, lemma in inputs]
    requests = [Request(task=seed.task, n=cfg.per_seed, prompt=p) for (seed, _), (p, _) in zip(inputs, prompts)]
    out: list[Conjecture] = []
    from tqdm import tqdm

    batch = max(1, cfg.batch_size or 4)
    for start in tqdm(range(0, len(requests), batch), desc="conjecture", unit="batch", dynamic_ncols=True):
        results = policy.generate(requests[start:start + batch])
        for k, samples in enumerate(results):
            (seed, lemma), (prompt, context) = inputs[start + k], prompts[start + k]
            for i, s in enumerate(samples):
                raw = s.raw or s.text
                statement, target, err = parse_output(raw, seed, context)
                cid = f"r{round_no:03d}/{seed.task.id}/{short_hash(prompt, raw, str(i))}"
                out.append(Conjecture(cid, lang, statement, seed.task.id, f"policy:{getattr(policy, 'name', '')}",
                                      header=seed.task.header, target=target, lemma=lemma, prompt=prompt,
                                      raw=raw, parse_error=err))
    return out


def conjecture_completion(conj: Conjecture) -> str:
    """The conjecturer's SFT target: what follows its prompt to produce this conjecture."""
    return selfplay_part(conj.lang).completion(conj.statement, conj.target) + f"\n{FENCE}"
