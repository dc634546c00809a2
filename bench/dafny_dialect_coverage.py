"""How many benchmark reference programs Dafny 2.3 verifies as-is and after the Dafny 4 → 2.3 bridge.

For each benchmark (mbpp_dfy, dafnybench, clover, dafnycomp under `<data_dir>/dafny/<name>/`), the
as-is result is read from the data file (`dafny_2_3` field, measured once on the unmodified
references); only the translated programs are run. A program that `to_dafny2` leaves unchanged keeps
its as-is result (same text, same verdict) instead of being run again.

Backends: `pooled` checks each benchmark task's own reference solution through `dafny_env.DafnyVerifier`
exactly as a candidate is checked (soundness gate on the original text, so `assume`-using references
are rejected; bridge; verifier); its results, copied to `prover/data/dafny_2_3_reference_checks.jsonl`,
are what `prover.benchmarks` excludes on Dafny 2.x;
`cli` runs `dafny /compile:0` once per translated file (`dafny_env.cli_backend.verify_program`:
process group killed on timeout, memory capped). `pooled` is the default. Per-program results are appended to `--out` (JSONL) and skipped when rerun (resumable).

    python bench/dafny_dialect_coverage.py --limit 30 --workers 2
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed

from dafny_env.cli_backend import verify_program

BENCHMARKS = ("mbpp_dfy", "dafnybench", "clover", "dafnycomp")


def main(argv: list[str] | None = None) -> int:
    from verifier_core.settings import data_dir
    from verifier_core.jsonl import JsonlWriter, read_records
    from tqdm import tqdm

    from dafny_env.dialect import to_dafny2

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", nargs="+", default=list(BENCHMARKS), choices=BENCHMARKS)
    ap.add_argument("--limit", type=int, default=None, help="first N programs of each benchmark")
    ap.add_argument("--workers", type=int, default=2, help="programs checked in parallel")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per program (data.md used 60)")
    ap.add_argument("--backend", choices=("pooled", "cli"), default="pooled")
    ap.add_argument("--out", default="dafny_dialect_coverage.jsonl", help="per-program results (resumable)")
    args = ap.parse_args(argv)

    from prover.verifiers import get_verifier

    backend = args.backend
    verifier = get_verifier("dafny", cache=False, workers=args.workers, timeout=args.timeout) \
        if backend == "pooled" else None
    print(f"backend: {backend}", file=sys.stderr)

    done = {(r["benchmark"], r["id"]): r for r in read_records(args.out)}
    # The pooled backend checks each benchmark task's own reference solution, exactly as a policy's
    # candidate for that task would be checked (gate on the original text, bridge, verifier): the
    # benchmarks' exclusion list on Dafny 2.x is made from these results.
    tasks = {}
    if verifier is not None:
        from prover.benchmarks import load_benchmark

        for bench in args.benchmarks:
            for t in load_benchmark(bench.replace("_", "-"), toolchain="dafny 4 (no exclusions)"):
                tasks[(bench, t.id)] = t
    todo: list[tuple[str, dict, object]] = []
    for bench in args.benchmarks:
        rows = read_records(data_dir() / "dafny" / bench / f"{bench}.jsonl")
        for row in rows[: args.limit]:
            if (bench, row["id"]) not in done:
                todo.append((bench, row, to_dafny2(row["reference"])))
                tasks.setdefault((bench, row["id"]), None)

    def check(item):
        bench, row, tr = item
        as_is = (row.get("dafny_2_3") or {}).get("status", "unknown")
        rec = {"benchmark": bench, "id": row["id"], "as_is": as_is, "rewrites": tr.rewrites, "backend": backend}
        if verifier is not None:
            from verifier_core.records import Candidate

            task = tasks[(bench, row["id"])]
            if task is None:
                rec.update(translated="error", reason="the benchmark builds no task from this record", seconds=0.0)
            else:
                v = verifier.check(task, Candidate(task_id=task.id, text=row["reference"], source="reference"))
                rec.update(translated=v.status, reason=v.reason[:300], seconds=round(v.seconds, 2))
        elif not tr.rewrites:
            rec.update(translated=as_is, seconds=0.0, reused_as_is=True)
        else:
            r = verify_program(tr.text, timeout=args.timeout)
            first = next((ln for ln in r.output.splitlines() if "Error" in ln and "model_compress" not in ln), "")
            rec.update(translated=r.status, first_error=first[:300], seconds=round(r.seconds, 2))
        return rec

    try:
        with JsonlWriter(args.out) as w, ThreadPoolExecutor(max(1, args.workers)) as pool:
            futures = [pool.submit(check, it) for it in todo]
            for fut in tqdm(as_completed(futures), total=len(futures), desc="programs", file=sys.stderr):
                rec = fut.result()
                w.write(rec)
                done[(rec["benchmark"], rec["id"])] = rec
    finally:
        if verifier is not None:
            verifier.close()

    print("| benchmark | programs | verified as-is | verified after bridge | changed by bridge | rejected by gate "
          "| lost by bridge |")
    print("|---|---|---|---|---|---|---|")
    for bench in args.benchmarks:
        recs = [r for (b, _), r in done.items() if b == bench]
        if args.limit:
            ids = {row["id"] for row in read_records(data_dir() / "dafny" / bench / f"{bench}.jsonl")[: args.limit]}
            recs = [r for r in recs if r["id"] in ids]
        n = len(recs)
        as_is = sum(r["as_is"] == "verified" for r in recs)
        after = sum(r["translated"] == "verified" for r in recs)
        changed = sum(bool(r["rewrites"]) for r in recs)
        gated = sum(r["translated"] == "rejected" for r in recs)
        lost = sum(r["as_is"] == "verified" and r["translated"] not in ("verified", "rejected") for r in recs)
        print(f"| {bench} | {n} | {as_is} | {after} | {changed} | {gated} | {lost} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
