"""Proofs found per minute on the team's Dafny tasks: the portfolio and SmolLM2 sampling.

For each policy, runs whole-proof sampling (`prover.search.sampling.sample_search`) on the first
--limit tasks of the benchmark and reports proofs found, proofs per minute of wall time, and the
time split between generation and verification.

  python bench/search_dafny.py --limit 5                       # small run
  python bench/search_dafny.py --policies portfolio --kind prove --out bench_portfolio.json
SmolLM2 needs `prover setup-model smollm2-135m` first (it is skipped with a message otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default="dafny-team")
    ap.add_argument("--kind", default="prove", help="only tasks of this kind ('all' for every kind)")
    ap.add_argument("--limit", type=int, default=5, help="first N tasks (default: 5)")
    ap.add_argument("--policies", default="portfolio,hf:smollm2-135m")
    ap.add_argument("--budget", type=int, default=8, help="samples per task (default: 8)")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--max-new-tokens", type=int, default=256)
    ap.add_argument("--prompt-style", choices=("completion", "chat"),
                    help="model prompt style (default: chat when the tokenizer has a chat template)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float)
    ap.add_argument("--out", help="write the numbers as JSON here")
    args = ap.parse_args(argv)

    from tqdm import tqdm

    from prover.benchmarks import load_benchmark
    from prover.policies import load_policy
    from prover.search.sampling import sample_search
    from prover.verifiers import get_verifier

    tasks = [t for t in load_benchmark(args.bench) if args.kind == "all" or t.kind == args.kind][: args.limit]
    if not tasks:
        print(f"no {args.kind} tasks in {args.bench}", file=sys.stderr)
        return 1
    vopts = {"workers": args.workers} | ({"timeout": args.timeout} if args.timeout else {})
    verifier = get_verifier("dafny", cache=False, **vopts)  # uncached: a cache hit would hide verify time
    rows = []
    try:
        for spec in args.policies.split(","):
            try:
                t_load = time.monotonic()
                opts = {"prompt_style": args.prompt_style} if args.prompt_style else {}
                policy = load_policy(spec, batch_size=args.batch, max_new_tokens=args.max_new_tokens, seed=0, **opts)
                load_s = time.monotonic() - t_load
            except (FileNotFoundError, RuntimeError, ImportError) as e:
                print(f"skipping {spec}: {e}", file=sys.stderr)
                continue
            row = {"policy": spec, "tasks": len(tasks), "proved": 0, "attempts": 0, "wall_s": 0.0,
                   "gen_s": 0.0, "verify_s": 0.0, "load_s": round(load_s, 1), "proved_ids": [], "statuses": {}}
            for task in tqdm(tasks, desc=spec, file=sys.stderr):
                res = sample_search(task, policy, verifier, k=args.budget, batch=args.batch)
                row["proved"] += res.proved
                row["attempts"] += len(res.attempts)
                row["wall_s"] += res.seconds
                row["gen_s"] += res.gen_seconds
                row["verify_s"] += res.verify_seconds
                for a in res.attempts:
                    row["statuses"][a.status] = row["statuses"].get(a.status, 0) + 1
                if res.proved:
                    row["proved_ids"].append(task.id)
            policy.close()
            row["proofs_per_min"] = round(60 * row["proved"] / row["wall_s"], 2) if row["wall_s"] else 0.0
            rows.append(row)
    finally:
        verifier.close()
    print(f"{'policy':<22} {'proved':>9} {'attempts':>8} {'proofs/min':>10} {'gen s':>8} {'verify s':>8} {'wall s':>8}")
    for r in rows:
        print(f"{r['policy']:<22} {r['proved']:>4}/{r['tasks']:<4} {r['attempts']:>8} {r['proofs_per_min']:>10} "
              f"{r['gen_s']:>8.1f} {r['verify_s']:>8.1f} {r['wall_s']:>8.1f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"bench": args.bench, "kind": args.kind, "budget": args.budget, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
