"""The neural conjecturer: STP's prompt (lemma + easy theorem and its proof -> hard theorem) given to
any `Policy`, and the output parsed into a new Dafny lemma or Lean theorem statement.

Dafny: the prompt (after one worked easy -> hard example) ends inside a code block holding the
seed's context (its functions and helper lemmas) and the keyword `lemma`; the model writes the new lemma's name, parameters and clauses, and
its output is cut at the closing fence, a `</hard theorem>` tag or the first body brace. Lean: the
prompt ends with `theorem `; the output is cut at `:=` and `:= by` appended (as STP does).
"""

from __future__ import annotations

import random
from typing import Any

from prover.policies.base import Request

from .config import ConjecturerConfig
from .dafny_spec import parse_lemma
from .records import Conjecture, Seed, short_hash

from verifier_core.text import FENCE
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


def _lemma_text(seed: Seed, lemma: str) -> str:
    """The helper lemma's declaration (with its proof) as the seed's statement gives it."""
    if not lemma:
        return ""
    if seed.task.lang == "dafny":
        from dafny_env.syntax import parse

        for d in parse(seed.task.statement).walk():
            if d.name == lemma:
                return seed.task.statement[d.start: d.body_end if d.has_body else d.header_end]
    return lemma


# One worked example in the prompt's own format: a small base model (SmolLM2-135M) given STP's
# instruction alone wrote prose, dates or the seed's header verbatim; shown one easy -> hard pair it
# continues the pattern (a new name, parameters, clauses, the closing fence).
_DAFNY_SHOT = (
    "<lemma>\n</lemma>\n<easy theorem>\n" + FENCE + "dafny\nfunction Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
    "lemma SumPos(n: nat)\n  requires n > 0\n  ensures Sum(n) > 0\n{\n}\n" + FENCE + "\n</easy theorem>\n"
    "<hard theorem>\n" + FENCE + "dafny\nfunction Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
    "lemma SumAtLeast(n: nat)\n  ensures Sum(n) >= n\n" + FENCE + "\n</hard theorem>\n\n")


def conjecturer_prompt(seed: Seed, lemma: str) -> tuple[str, str]:
    """(prompt, context): the prompt text, and the Dafny context the new lemma is declared in."""
    task = seed.task
    if task.lang == "dafny":
        spec = parse_lemma(task.statement, task.meta.get("target"))
        context = spec.context if spec else ""
        lem = _lemma_text(seed, lemma)
        lemma_block = f"<lemma>\n{FENCE}dafny\n{lem}\n{FENCE}\n</lemma>\n" if lem else "<lemma>\n</lemma>\n"
        head = context.rstrip() + "\n\n" if context.strip() else ""
        # no space after `lemma`: BPE tokenizers put the space into the next word's token, so a
        # prompt ending in a space asks for a token sequence the model rarely saw
        prompt = ("Complete the following Dafny code. Write a new lemma that is harder than the easy theorem"
                  + (" and whose proof uses the given lemma" if lem else "") + ".\n\n"
                  + _DAFNY_SHOT + lemma_block
                  + f"<easy theorem>\n{FENCE}dafny\n{task.statement.rstrip()}\n{seed.proof.strip()}\n{FENCE}\n</easy theorem>\n"
                  + f"<hard theorem>\n{FENCE}dafny\n{head}lemma")
        return prompt, context
    lemma_block = f"<lemma>\n{FENCE}lean4\n{lemma}\n{FENCE}\n</lemma>\n" if lemma else "<lemma>\n</lemma>\n"
    proof = seed.proof if seed.proof.startswith("\n") else "\n" + seed.proof
    prompt = ("Complete the following Lean 4 code. Write a new theorem that is harder than the easy theorem.\n\n"
              + lemma_block
              + f"<easy theorem>\n{FENCE}lean4\n{task.statement.rstrip()}{proof.rstrip()}\n{FENCE}\n</easy theorem>\n"
              + f"<hard theorem>\n{FENCE}lean4\ntheorem ")
    return prompt, ""


def _cut(raw: str) -> str:
    ends = [raw.find(s) for s in _STOPS if s in raw]
    return raw[: min(ends)] if ends else raw


def parse_output(raw: str, seed: Seed, context: str) -> tuple[str, str, str]:
    """(statement, target name, error) from the model's continuation of `conjecturer_prompt`."""
    text = _cut(raw)
    if seed.task.lang == "dafny":
        from dafny_env.syntax import code_mask as mask

        body = "lemma " + text.lstrip(" ")
        brace = mask(body).find("{", len("lemma "))
        while brace >= 0 and body[brace:brace + 2] == "{:":  # an attribute, not the body
            close = mask(body).find("}", brace)
            brace = mask(body).find("{", close + 1) if close >= 0 else -1
        header = (body[:brace] if brace >= 0 else body).strip()
        statement = f"{context.rstrip()}\n\n{header}" if context.strip() else header
        spec = parse_lemma(statement)
        if spec is None or not spec.ensures:
            return "", "", "no lemma header with an `ensures` clause in the output"
        return statement, spec.name, ""
    cut = text.find(":=")
    if cut < 0:
        return "", "", "no `:=` in the output: the theorem statement never ended"
    stmt = "theorem " + text[:cut].rstrip() + " := by"
    from .mutate import lean_theorem_name

    name = lean_theorem_name(stmt)
    if not name:
        return "", "", "no theorem name"
    return stmt, name, ""


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
    if conj.lang == "dafny":
        spec = parse_lemma(conj.statement, conj.target or None)
        header = spec.header() if spec else conj.statement
        return (header[len("lemma"):] if header.startswith("lemma ") else " " + header) + f"\n{FENCE}"
    s = conj.statement
    return (s[len("theorem "):] if s.startswith("theorem ") else s) + f"\n{FENCE}"
