"""Dafny checking throughput: one `dafny` process per check vs the DafnyServer pool.

The same programs are checked three times at the same parallelism, in one run, cache off:
  (a) one `dafny /compile:0` process per check (what DafnyBench and Re:Form do), then
  (b) through the pool of persistent DafnyServer processes, then
  (c) through the pool with the server's proof failures re-checked by (a) (`DafnyVerifier`'s
      default, `confirm_failures`: DafnyServer's snapshot-mode VCs make z3 fail on a few programs
      that `dafny` verifies).
Programs: the team tasks' reference solutions (`dafny_env/tasks/team.jsonl`, through the soundness
gate and the Dafny 4 -> 2.3 bridge, exactly as a candidate would be checked), then DafnyBench
reference programs that Dafny 2.3 verifies as-is (`dafny_2_3.status == "verified"` in the data dir).
Prints checks/s of each, the ratio to (a), p50/p95 latency, and where the outcomes differ from (a).
The servers are started (untimed) before (b): a pool's start-up is paid once per job, not per check.
`--failing` adds the team statements with empty bodies (mostly wrong: where (c) costs the most).

  python bench/dafny_throughput.py --limit 20 --workers 2
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from dafny_env import DafnyVerifier
from dafny_env.messages import parse_output
from prover.benchmarks import TEAM_TASKS, load_benchmark
from prover.config import data_dir
from prover.core import Task


def team_programs() -> list[tuple[str, str]]:
    """(id, program) for every team task whose reference passes the gate, as the verifier runs it."""
    from dafny_env.dialect import to_dafny2
    from dafny_env.soundness import gate

    out = []
    for task in _team_tasks():
        g = gate(task, task.meta["reference"])
        if g.ok:
            out.append((task.id, to_dafny2(g.program).text))
    return out


def failing_programs() -> list[tuple[str, str]]:
    """Team statements with an empty target body: the typical wrong first attempt (most fail)."""
    return [(t.id + "#empty", t.statement.rstrip() + "\n{\n}\n") for t in _team_tasks()]


def _team_tasks() -> list[Task]:
    return load_benchmark("dafny-team") if TEAM_TASKS.exists() else []


def dafnybench_programs() -> list[tuple[str, str]]:
    path = Path(data_dir()) / "dafny" / "dafnybench" / "dafnybench.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if (rec.get("dafny_2_3") or {}).get("status") == "verified":
            out.append((rec["id"], rec["reference"]))
    return out


def measure(verifier: DafnyVerifier, programs: list[tuple[str, str]], workers: int, label: str,
            confirm: bool = False) -> dict:
    """Check every program with `workers` threads; wall time, per-check latency and outcomes.

    `confirm` re-checks the server's proof failures with one `dafny` process, as `DafnyVerifier`
    does by default (`confirm_failures`).
    """
    latencies: list[float] = []
    outcomes: dict[str, str] = {}

    def one(item: tuple[str, str]) -> tuple[str, float, str]:
        t0 = time.monotonic()
        reply = verifier.run_program(item[1])
        parsed = parse_output(reply.output, 2)
        ok = (reply.kind == "done" and not parsed.errors and not parsed.timeouts
              and not parsed.frontend_errors)
        if confirm and not ok and reply.kind == "done" and not parsed.frontend_errors:
            reply = verifier.run_program(item[1], cli=True)
            parsed = parse_output(reply.output, 2)
            ok = (reply.kind == "done" and not parsed.errors and not parsed.timeouts
                  and not parsed.frontend_errors)
        return item[0], time.monotonic() - t0, "verified" if ok else (reply.kind if reply.kind != "done" else "failed")

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as ex:
        futures = [ex.submit(one, p) for p in programs]
        for fut in tqdm(as_completed(futures), total=len(futures), desc=label, file=sys.stderr):
            pid, seconds, outcome = fut.result()
            latencies.append(seconds)
            outcomes[pid] = outcome
    wall = time.monotonic() - start
    latencies.sort()
    return {
        "checks": len(programs), "wall_s": round(wall, 2), "checks_per_s": round(len(programs) / wall, 3),
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 3),
        "verified": sum(o == "verified" for o in outcomes.values()), "outcomes": outcomes,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=120, help="number of programs (default 120; the target is >= 100)")
    ap.add_argument("--workers", type=int, default=2, help="parallel checks for both backends (default 2)")
    ap.add_argument("--timeout", type=float, default=60.0, help="hard per-check timeout, s (default 60)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    ap.add_argument("--failing", action="store_true",
                    help="also check the team statements with empty bodies (mostly wrong candidates), "
                         "where confirming the server's failures costs the most")
    args = ap.parse_args(argv)

    programs = (team_programs() + dafnybench_programs())[: args.limit]
    if args.failing:
        programs += failing_programs()
    if not programs:
        print("no programs found (team tasks or DafnyBench in the data dir)", file=sys.stderr)
        return 1
    print(f"{len(programs)} programs, {args.workers} workers, timeout {args.timeout:g} s", file=sys.stderr)
    with DafnyVerifier(workers=args.workers, timeout=args.timeout, backend="cli") as cli:
        per_process = measure(cli, programs, args.workers, "dafny per check")
    with DafnyVerifier(workers=args.workers, timeout=args.timeout, backend="server") as pooled:
        # Start every server before timing: a pool lives for a whole job, so its one-time start-up
        # (about 3 s per server) would otherwise be charged to the first row only.
        measure(pooled, programs[: args.workers], args.workers, "starting servers")
        pool = measure(pooled, programs, args.workers, "server pool")
        confirmed = measure(pooled, programs, args.workers, "pool + confirm", confirm=True)
        toolchain = pooled.toolchain()
    rows = {"dafny per check": per_process, "server pool": pool, "pool + confirm": confirmed}
    print(f"{len(programs)} programs, {args.workers} workers, {toolchain}")
    for name, r in rows.items():
        ratio = r["checks_per_s"] / per_process["checks_per_s"]
        disagree = sorted(k for k in r["outcomes"] if r["outcomes"][k] != per_process["outcomes"][k])
        r["ratio"], r["disagree"] = round(ratio, 2), disagree
        print(f"{name:>16}: {r['checks_per_s']:.2f} checks/s  ratio {ratio:.1f}x  (wall {r['wall_s']:.1f} s, "
              f"p50 {r['p50_s']:.2f} s, p95 {r['p95_s']:.2f} s, {r['verified']}/{r['checks']} verified; "
              f"differs from dafny on {len(disagree)}: {disagree[:6]})")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "toolchain": toolchain, "workers": args.workers, "timeout": args.timeout, **rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
