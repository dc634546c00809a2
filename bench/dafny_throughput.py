"""Dafny checking throughput: one `dafny` process per check vs the DafnyServer pool.

The same programs are checked four times at the same parallelism, in one run, cache off:
  (a) one stock `dafny /compile:0` process per check (what DafnyBench and Re:Form do): the baseline;
  (a') one process per check from the AOT-compiled copy (`dafny_env.aot`: the `cli2` backend and
      the confirmations below);
  (b) through the pool of persistent DafnyServer processes;
  (c) through the pool with the server's proof failures re-checked by (a') (`DafnyVerifier`'s
      default, `confirm_failures`: DafnyServer's snapshot-mode VCs make z3 fail on a few programs
      that `dafny` verifies).
Then the floor: z3 alone replaying the queries the pool sent it (logged in a separate untimed pass).
No backend that asks z3 these queries can beat it, so (a)/floor bounds the reachable ratio.
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
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from dafny_env import DafnyVerifier
from dafny_env.messages import parse_output
from dafny_env.pool import ServerPool
from dafny_env.toolchain import detect
from dafny_env.verifier import vc_time_limit
from prover.benchmarks import TEAM_TASKS, load_benchmark
from verifier_core.settings import data_dir
from verifier_core.records import Task


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


def z3_floor(programs: list[tuple[str, str]], workers: int, timeout: float) -> dict:
    """z3 alone on exactly the queries the pool sends it: the solver work no backend can skip.

    The queries are logged by a separate, untimed pass through fresh servers (`/proverLog`), then
    each program's log is replayed by one `z3` process, `workers` at a time. Dafny, Boogie and mono
    cost nothing here, so (a)'s time over this time bounds the ratio any Dafny 2.x backend can reach.
    """
    tc = detect()
    z3 = tc.z3
    if not z3 or tc.mode != "server":
        return {}
    with tempfile.TemporaryDirectory(prefix="dafny-z3-floor-") as tmp:
        pool = ServerPool(tc.server_argv, size=workers, base_args=["/vcsCores:1", *tc.z3_args])
        logs = [os.path.join(tmp, f"{i}.smt2") for i in range(len(programs))]
        limit = vc_time_limit(timeout)
        try:
            with ThreadPoolExecutor(max_workers=workers) as ex:
                list(tqdm(ex.map(lambda i: pool.run(programs[i][1], timeout,
                                                    args=[f"/timeLimit:{limit}", f"/proverLog:{logs[i]}"]),
                                 range(len(programs))),
                          total=len(programs), desc="logging the pool's z3 queries", file=sys.stderr))
        finally:
            pool.close()
        present = [log for log in logs if os.path.exists(log)]

        def replay(log: str) -> float:
            t0 = time.monotonic()
            subprocess.run([z3, "-smt2", log], capture_output=True, timeout=timeout * 4)
            return time.monotonic() - t0

        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=workers) as ex:
            latencies = sorted(tqdm(ex.map(replay, present), total=len(present), desc="z3 alone",
                                    file=sys.stderr))
        wall = time.monotonic() - start
    # Programs that never reach z3 (parse or resolution errors) cost it nothing; they count as checks.
    return {"checks": len(programs), "wall_s": round(wall, 2), "checks_per_s": round(len(programs) / wall, 3),
            "p50_s": round(statistics.median(latencies), 3) if latencies else 0.0,
            "p95_s": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 3) if latencies else 0.0,
            "programs_reaching_z3": len(present)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=120, help="number of programs (default 120; the target is >= 100)")
    ap.add_argument("--workers", type=int, default=2, help="parallel checks for every backend (default 2)")
    ap.add_argument("--timeout", type=float, default=60.0, help="hard per-check timeout, s (default 60)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    ap.add_argument("--failing", action="store_true",
                    help="also check the team statements with empty bodies (mostly wrong candidates), "
                         "where confirming the server's failures costs the most")
    ap.add_argument("--no-floor", action="store_true", help="skip the z3-alone floor (saves a pass)")
    args = ap.parse_args(argv)

    programs = (team_programs() + dafnybench_programs())[: args.limit]
    if args.failing:
        programs += failing_programs()
    if not programs:
        print("no programs found (team tasks or DafnyBench in the data dir)", file=sys.stderr)
        return 1
    print(f"{len(programs)} programs, {args.workers} workers, timeout {args.timeout:g} s", file=sys.stderr)
    with DafnyVerifier(workers=args.workers, timeout=args.timeout, backend="cli", aot=False) as cli:
        per_process = measure(cli, programs, args.workers, "dafny per check")
    with DafnyVerifier(workers=args.workers, timeout=args.timeout, backend="cli") as cli_aot:
        cli_aot.run_program(programs[0][1])  # builds the AOT copy on first use: a one-time cost
        per_process_aot = measure(cli_aot, programs, args.workers, "AOT dafny per check")
    with DafnyVerifier(workers=args.workers, timeout=args.timeout, backend="server") as pooled:
        # Start every server before timing: a pool lives for a whole job, so its one-time start-up
        # (about 3 s per server) would otherwise be charged to the first row only.
        measure(pooled, programs[: args.workers], args.workers, "starting servers")
        pool = measure(pooled, programs, args.workers, "server pool")
        confirmed = measure(pooled, programs, args.workers, "pool + confirm", confirm=True)
        toolchain = pooled.toolchain()
    rows = {"dafny per check": per_process, "AOT dafny per check": per_process_aot,
            "server pool": pool, "pool + confirm": confirmed}
    print(f"{len(programs)} programs, {args.workers} workers, {toolchain}")
    for name, r in rows.items():
        ratio = r["checks_per_s"] / per_process["checks_per_s"]
        disagree = sorted(k for k in r["outcomes"] if r["outcomes"][k] != per_process["outcomes"][k])
        r["ratio"], r["disagree"] = round(ratio, 2), disagree
        print(f"{name:>20}: {r['checks_per_s']:.2f} checks/s  ratio {ratio:.1f}x  (wall {r['wall_s']:.1f} s, "
              f"p50 {r['p50_s']:.2f} s, p95 {r['p95_s']:.2f} s, {r['verified']}/{r['checks']} verified; "
              f"differs from dafny on {len(disagree)}: {disagree[:6]})")
    floor = {} if args.no_floor else z3_floor(programs, args.workers, args.timeout)
    if floor:
        bound = floor["checks_per_s"] / per_process["checks_per_s"]
        floor["ratio"] = round(bound, 2)
        rows["z3 alone (floor)"] = floor
        print(f"{'z3 alone (floor)':>20}: {floor['checks_per_s']:.2f} checks/s  ratio {bound:.1f}x  "
              f"(wall {floor['wall_s']:.1f} s, p50 {floor['p50_s']:.2f} s, p95 {floor['p95_s']:.2f} s; "
              f"{floor['programs_reaching_z3']} programs reach z3) = the most any backend sending "
              f"these queries can reach")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "toolchain": toolchain, "workers": args.workers, "timeout": args.timeout, **rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
