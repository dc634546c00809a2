"""Does a small model learn Dafny proofs that neither the empty body nor the portfolio finds? (real Dafny, CPU)

1. Tasks: the train benchmarks (default dafny-team, mbpp-dfy, vericoding-dafny) split by hash; train
   tasks that duplicate (up to renaming) or nearly duplicate (token 3-gram Jaccard >= 0.8) a held-out,
   clover or miniF2F-Dafny test item are dropped and counted (run.json).
2. Strata of a hash-ordered pool of held-out tasks (`--heldout-pool`): trivial (the empty body
   verifies), portfolio (one of the portfolio's first 8 templates does), hard (neither), unreadable
   (the verifier cannot read the spec). The held-out set is the first `--heldout-tasks` hard tasks.
3. SFT corpus: the train tasks' own solutions (team / MBPP-DFY references, vericoding solutions,
   DafnyBench ground truth when trained on) that verify here, `--corpus-per-source` per source.
4. `prover train` (configs/learn-dafny-cpu.yaml: sft+ei): held-out eval of the base model, SFT on the
   corpus, held-out eval, EI on RL tasks (train tasks the empty body does not solve), held-out eval.
   The token budget comes from the data: the p90 of the corpus completions' token counts (+25%).
5. Per stratum: pass@1 with a two-level bootstrap 95% interval, solved within n with an exact McNemar test.

Its last lines:
    hard held-out pass@1: base X% -> sft Y% -> rl Z% (95% CI of rl - base: lo to hi); solved within 8: a/N -> b/N
and with --heldout-jsonl FILE (vericoding JSONL or this project's task JSONL) the same line for the
file's hard stratum, prefixed `file`. Resumable: rerun with --resume to continue.

    python bench/learning_curve.py --out runs/learn-dafny --resume
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/learn-dafny")
    ap.add_argument("--config", default=str(ROOT / "configs" / "learn-dafny-cpu.yaml"),
                    help="the prover train config (its tasks.train are the train benchmarks)")
    ap.add_argument("--model", help="override the config's model.path")
    ap.add_argument("--heldout-pool", type=int, default=120, help="held-out tasks whose strata are measured")
    ap.add_argument("--heldout-tasks", type=int, default=20, help="the first N hard held-out tasks (hash order), "
                    "of which those within --max-prompt-tokens are evaluated")
    ap.add_argument("--rl-tasks", type=int, default=32, help="the first N train tasks (hash order), of which "
                    "those within --max-prompt-tokens and not solved by the empty body are sampled by EI")
    ap.add_argument("--corpus-per-source", type=int, default=60)
    ap.add_argument("--portfolio-k", type=int, default=8, help="portfolio templates tried per task")
    ap.add_argument("--max-new-tokens-cap", type=int, default=256)
    ap.add_argument("--max-prompt-tokens", type=int, default=600,
                    help="leave out held-out and RL tasks whose prompt is longer (0 = none): on a CPU a batch "
                         "costs what its longest prompt does, and a 2,000-token spec took most of an eval")
    ap.add_argument("--heldout-jsonl", help="also report the hard stratum of this task file")
    ap.add_argument("--file-tasks", type=int, default=20, help="hard tasks of --heldout-jsonl evaluated")
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from prover.configfile import from_dict, load_config, to_dict
    from prover.evaluation.backends import local_factory
    from prover.train import corpus, strata
    from prover.train.config import TrainConfig
    from prover.train.pipeline import Training
    from prover.train.tasks import hash_order, split_tasks
    from prover.vericoding import load_file

    t0 = time.time()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = load_config(TrainConfig, args.config)
    if args.model:
        cfg.model.path = args.model
    train_f = local_factory("dafny", cfg.verifier.options("dafny"))
    held_f = local_factory("dafny", cfg.verifier.options("dafny", heldout=True))

    file_tasks = load_file(Path(args.heldout_jsonl)) if args.heldout_jsonl else []
    split = split_tasks(cfg.tasks, extra_tests={"file": file_tasks} if file_tasks else None)
    by_src: dict[str, int] = {}
    for t in split.train:
        by_src[t.meta["benchmark"]] = by_src.get(t.meta["benchmark"], 0) + 1
    print(f"tasks: {len(split.train)} train ({by_src}), {len(split.heldout)} held-out; dropped as duplicates of "
          f"held-out/test items: {split.dropped_counts()}", flush=True)

    # strata of the held-out pool (resumable)
    pool = hash_order(split.heldout, cfg.tasks.salt)[: args.heldout_pool]
    checker = held_f()
    try:
        labels = strata.measure(pool, checker, args.portfolio_k, out / "strata.jsonl")
        file_labels = (strata.measure(hash_order(file_tasks, cfg.tasks.salt), checker, args.portfolio_k,
                                      out / "file_strata.jsonl") if file_tasks else {})
    finally:
        checker.close()
    counts = {s: sum(v == s for v in labels.values()) for s in ("trivial", "portfolio", "hard", "unreadable")}
    print(f"held-out pool strata ({len(pool)} tasks): {counts}", flush=True)
    from transformers import AutoTokenizer

    from prover.policies import resolve_model_path
    from prover.train.targets import prompt_text

    tok = AutoTokenizer.from_pretrained(resolve_model_path(cfg.model.path))

    def fits(t) -> bool:
        return not args.max_prompt_tokens or \
            len(tok(prompt_text(t, cfg.model.prompt_style, tok))["input_ids"]) <= args.max_prompt_tokens

    hard = [t for t in [t for t in pool if labels[t.id] == "hard"][: args.heldout_tasks] if fits(t)]

    # the SFT corpus: the train tasks' own verified solutions (resumable: written once)
    corpus_file = out / "corpus.jsonl"
    corpus_counts_file = out / "corpus_counts.json"
    if not corpus_file.exists():
        per: dict[str, list] = {}
        for it in corpus.candidates(split.train):
            per.setdefault(it.source, []).append(it)
        chosen = [it for items in per.values() for it in items[: args.corpus_per_source]]
        checker = train_f()
        try:
            good, verdicts = corpus.verified(chosen, checker)
        finally:
            checker.close()
        stats = {src: {"candidates": len(items), "checked": min(len(items), args.corpus_per_source),
                       "verified": sum(it.source == src for it in good)} for src, items in per.items()}
        corpus_counts_file.write_text(json.dumps({"per_source": stats, "verdicts": verdicts}, indent=1))
        corpus.write_corpus(corpus_file, good)
    corpus_counts = json.loads(corpus_counts_file.read_text())
    items = corpus.read_corpus(corpus_file)
    print(f"SFT corpus: {len(items)} verified solutions; per source {corpus_counts['per_source']}", flush=True)

    # token budget from the data (D2): p90 of the corpus completions, +25%
    lens = [len(tok(e.completion)["input_ids"]) for e in corpus.sft_examples(items, cfg.model.prompt_style)]
    cfg.model.max_new_tokens = corpus.token_budget(lens, args.max_new_tokens_cap, cfg.model.max_new_tokens)
    cfg.warm_start.corpus = str(corpus_file.resolve())
    rl_train = [t for t in hash_order(split.train, cfg.tasks.salt)[: args.rl_tasks] if fits(t)]
    print(f"token budget: {cfg.model.max_new_tokens} (p90 of {len(lens)} corpus completions, +25%); "
          f"{len(hard)} hard held-out tasks x {cfg.heldout_samples} samples; method {cfg.method}; "
          f"{len(rl_train)} RL candidate tasks", flush=True)

    (out / "run.json").write_text(json.dumps({
        "config": to_dict(cfg), "train_tasks": len(split.train), "train_by_source": by_src,
        "heldout_tasks": len(split.heldout), "dropped_duplicates": split.dropped_counts(),
        "dropped": split.dropped, "heldout_pool": len(pool), "strata": counts,
        "hard_heldout": [t.id for t in hard], "corpus": corpus_counts, "token_budget": cfg.model.max_new_tokens,
    }, indent=1), encoding="utf-8")

    run = Training(cfg, out / "train", train_f, resume=args.resume or (out / "train").exists(),
                   heldout_factory=held_f)
    run.run(rl_train, hard)
    evals = {e.label: e.per_task for e in run.evals}
    base, sft = evals["base"], evals.get("sft", evals["base"])
    rl = run.evals[-1].per_task
    n = cfg.heldout_samples
    print("\ntraining (verified fraction of the samples trained on):")
    for r in run.metrics.records():
        if r.get("phase") in ("ei", "grpo"):
            print(f"  {r['phase']} {r['step']}: reward {r['reward_mean']:.3f} verdicts {r['verdicts']}")
    ids = [t.id for t in hard]
    print(f"\nheld-out, per stratum (base -> final; {n} samples per task; wall {time.time() - t0:.0f} s):")
    print("  " + strata.report("hard", ids, base, rl).line(n))
    print("  " + strata.report("hard, sft vs base", ids, base, sft).line(n))
    print("  " + strata.report("hard, rl vs sft", ids, sft, rl).line(n))
    print("  novel: every held-out task (train items near one were dropped, see run.json); near-duplicate: 0")
    print(_line("hard held-out", ids, base, sft, rl, n))
    if file_tasks:
        fhard = [t for t in [t for t in hash_order(file_tasks, cfg.tasks.salt)
                             if file_labels[t.id] == "hard"][: args.file_tasks] if fits(t)]
        fevals = _file_evals(cfg, out, run, fhard, held_f)
        print(_line("file hard held-out", [t.id for t in fhard], *fevals, n))
    return 0


def _line(name: str, ids, base, sft, rl, n: int) -> str:
    from prover.train import strata

    lo, hi = strata.bootstrap(rl, ids, base=base)
    sb, sr = strata.solved(base, ids), strata.solved(rl, ids)
    return (f"{name} pass@1: base {100 * strata.pass1(base, ids):.1f}% -> sft {100 * strata.pass1(sft, ids):.1f}% "
            f"-> rl {100 * strata.pass1(rl, ids):.1f}% (95% CI of rl - base: {100 * lo:+.1f} to {100 * hi:+.1f}); "
            f"solved within {n}: {len(sb)}/{len(ids)} -> {len(sr)}/{len(ids)}")


def _file_evals(cfg, out: Path, run, tasks, held_f):
    """The base, SFT and final checkpoints on the file's hard tasks (a second, resumable Training)."""
    from prover.policies import resolve_model_path
    from prover.train.pipeline import Training

    side = Training(cfg, out / "file_eval", held_f, resume=True, heldout_factory=held_f, progress=False)
    side.train_tasks, side.heldout = [], list(tasks)
    by_label = {e.label: Path(e.checkpoint) for e in run.evals}
    base = resolve_model_path(cfg.model.path)
    ckpts = [("base", base), ("sft", by_label.get("sft", base)), ("rl", Path(run.evals[-1].checkpoint))]
    res = [side.heldout_eval(c, label, i) for i, (label, c) in enumerate(ckpts)]
    return [r.per_task if r else {} for r in res]


if __name__ == "__main__":
    sys.exit(main())
