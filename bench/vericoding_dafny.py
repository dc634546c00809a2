"""The vericoding-dafny benchmark on this project's Dafny 2.3 (through the Dafny 4 -> 2.3 bridge), per source.

For each task (a hash-ordered sample with --limit): does the verifier read the spec (the empty body's
verdict is not `error`), does the empty body verify, does the portfolio (its first --portfolio-k
templates, the empty body first) verify, and does the task's own solution (Dafny 4, found by an LLM
upstream) verify here. One JSONL line per task in --out (a rerun continues where it stopped); then a
table per source:

    source          tasks  specs read  solutions  verify here  empty body  portfolio

    python bench/vericoding_dafny.py --out runs/vericoding-dafny.jsonl --limit 300
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/vericoding-dafny.jsonl")
    ap.add_argument("--limit", type=int, default=0, help="a hash-ordered sample of N tasks (0 = all)")
    ap.add_argument("--portfolio-k", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--data-dir", help="the data root (default: verifier_core.settings.data_dir())")
    args = ap.parse_args()
    if args.data_dir:
        os.environ["PROVER_DATA_DIR"] = args.data_dir

    from dafny_env.verifier import DafnyVerifier
    from verifier_core.settings import data_dir
    from verifier_core.records import Candidate
    from verifier_core.jsonl import JsonlWriter, read_records
    from prover.train.strata import measure
    from prover.train.tasks import hash_order
    from prover.vericoding import load

    tasks = hash_order(load(data_dir()))
    total = len(tasks)
    if args.limit:
        tasks = tasks[: args.limit]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = {r["id"]: r for r in read_records(out)}
    with DafnyVerifier(workers=1, timeout=args.timeout) as v, JsonlWriter(out) as w:
        for i, t in enumerate(tasks):
            if t.id in done:
                continue
            stratum = measure([t], v, args.portfolio_k)[t.id]
            # the body when the solution adds no helper, else the whole solution program
            sol = t.meta.get("reference_body") or t.meta.get("reference")
            sol_status = v.check(t, Candidate(t.id, sol, "solution")).status if sol is not None else None
            rec = {"id": t.id, "source": t.meta["source"], "stratum": stratum, "has_solution": "reference" in t.meta,
                   "solution": sol_status}
            w.write(rec)
            done[t.id] = rec
            print(f"[{i + 1}/{len(tasks)}] {t.id} {stratum} solution={sol_status}", file=sys.stderr, flush=True)
    rows = [done[t.id] for t in tasks]
    print(f"vericoding-dafny on this Dafny: {len(rows)} of {total} tasks (hash-ordered sample)" if args.limit
          else f"vericoding-dafny on this Dafny: all {total} tasks")
    print(f"{'source':16} {'tasks':>5} {'specs read':>10} {'solutions':>9} {'verify here':>11} "
          f"{'empty body':>10} {'portfolio':>9}")
    for src in sorted({r["source"] for r in rows}) + ["all"]:
        rs = [r for r in rows if src in ("all", r["source"])]
        read = sum(r["stratum"] != "unreadable" for r in rs)
        sols = sum(r["has_solution"] for r in rs)
        ok = sum(r["solution"] == "verified" for r in rs)
        empty = sum(r["stratum"] == "trivial" for r in rs)
        port = sum(r["stratum"] in ("trivial", "portfolio") for r in rs)
        print(f"{src:16} {len(rs):>5} {read:>10} {sols:>9} {ok:>11} {empty:>10} {port:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
