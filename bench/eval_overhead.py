"""How much time `prover eval` spends beyond generating and verifying: target overhead < 10 %.

Runs one fresh eval (real policy, real verifier) and compares its wall time with the time the policy
and the verifier themselves report:

    serial bound   = generation + verification / workers   (no overlap, perfect verifier parallelism)
    overhead       = wall / serial bound - 1                (negative when overlap wins back time)
    critical path  = max(generation, verification / workers) (the best any overlap could do)

Start-up (loading the benchmark, starting verifier processes) is inside the wall time on purpose:
it is part of what a user waits for.

    python bench/eval_overhead.py --limit 5 --samples 4           # small, a minute on 2 cores
    python bench/eval_overhead.py --bench dafny-team --samples 32  # the full run (the lead's)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", default="dafny-team")
    p.add_argument("--policy", default="portfolio")
    p.add_argument("--samples", type=int, default=8)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)

    from prover import benchmarks
    from prover.evaluation.backends import local_factory
    from prover.evaluation.runner import EvalRun, EvalSettings
    from prover.policies import load_policy

    t0 = time.monotonic()
    lang = benchmarks.benchmark_lang(args.bench)
    toolchain = benchmarks.installed_toolchain(lang)
    tasks = benchmarks.load_benchmark(args.bench, toolchain=toolchain)[: args.limit]
    settings = EvalSettings(bench=args.bench, data_revision=benchmarks.data_revision(args.bench), policy=args.policy,
                            samples=args.samples, limit=args.limit, lang=lang, toolchain=toolchain,
                            task_ids=[t.id for t in tasks])
    policy = load_policy(args.policy)
    with tempfile.TemporaryDirectory(prefix="eval-overhead-") as out:
        # No verdict cache: a hit would make verification look free and the overhead meaningless.
        run = EvalRun(out, settings, tasks, policy, local_factory(lang, {"cache": False}), workers=args.workers,
                      progress=False)
        scores = run.run([1])
    policy.close()
    wall = time.monotonic() - t0
    gen, ver = scores.time["generation"], scores.time["verification"]
    serial = gen + ver / args.workers
    result = {
        "bench": args.bench, "policy": args.policy, "tasks": len(tasks), "samples": args.samples,
        "workers": args.workers, "attempts": scores.attempts, "wall_s": round(wall, 3),
        "generation_s": round(gen, 3), "verification_s": round(ver, 3), "queueing_s": round(scores.time["queueing"], 3),
        "serial_bound_s": round(serial, 3), "critical_path_s": round(max(gen, ver / args.workers), 3),
        "overhead": round(wall / serial - 1, 4) if serial > 0 else None,
        "errors": scores.counts["error"],
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:16} {v}")
        if result["overhead"] is not None:
            verdict = "OK" if result["overhead"] < 0.10 else "ABOVE TARGET"
            print(f"overhead {100 * result['overhead']:+.1f}% vs target < 10%: {verdict}")
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
