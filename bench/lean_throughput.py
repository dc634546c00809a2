"""Lean check latency and throughput: warm pool (header env reused) vs cold (new REPL per proof).

Workload: the first `--limit` miniF2F statements (`minif2f/minif2f.jsonl` under the data dir), each
with every candidate of `--candidates` (simple closing tactics such as `norm_num`) appended after
`:= by`. A check is one command-mode request; its latency is measured from the caller's side.
  * warm: a `ReplPool` whose REPLs import the header once (that import is timed separately), then
    run each check in the header env;
  * cold: a new REPL per check, importing the header and then running the check (the cost without
    a pool, as DeepSeek-Prover-V1.5 pays it). Cold checks are slow, so `--cold-limit` caps them.
Reports p50/p95/mean latency, checks/s and verdict-like counts per mode, as a table and (`--out`) JSON.

Finding Lean: `--repl-cmd` (or `$PROVER_LEAN_REPL`), e.g. `"lake env .lake/packages/repl/.lake/build/bin/repl"`,
run in `--project` (or `$PROVER_LEAN_PROJECT`), a Lean project that builds the REPL and Mathlib at the
miniF2F toolchain. Without one the script prints `SKIP: ...` and exits with status 0.

`--double [LABEL]` runs the same harness against the transcript-replay double (`tests/helpers/replay.py`, a
test double that lives with the tests and is not installed; this script runs from a checkout) with
commands recorded at toolchain LABEL (under `--transcripts`) instead of miniF2F: it shows the harness
works on a machine without Lean. Those numbers measure the harness and a Python script, NOT Lean.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DEFAULT_CANDIDATES = "norm_num,simp,linarith,nlinarith,omega"
DOUBLE_NOTE = "replay double (tests/helpers/replay.py): harness overhead only -- these are NOT Lean numbers"
REPO_ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repl-cmd", default=os.environ.get("PROVER_LEAN_REPL"),
                   help="command line that starts one Lean REPL (default: $PROVER_LEAN_REPL)")
    p.add_argument("--project", default=os.environ.get("PROVER_LEAN_PROJECT"),
                   help="working directory for the REPL (default: $PROVER_LEAN_PROJECT)")
    p.add_argument("--limit", type=int, default=20, help="miniF2F statements to use (default 20)")
    p.add_argument("--split", default="valid", choices=["valid", "test"], help="miniF2F split (default valid)")
    p.add_argument("--candidates", default=DEFAULT_CANDIDATES,
                   help=f"comma-separated proofs tried on every statement (default {DEFAULT_CANDIDATES})")
    p.add_argument("--repeat", type=int, default=1, help="run the whole workload this many times (default 1)")
    p.add_argument("--workers", type=int, default=1, help="REPL processes / concurrent checks (default 1)")
    p.add_argument("--cold-limit", type=int, default=10, help="at most this many cold checks (default 10)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per check (default 60)")
    p.add_argument("--header-timeout", type=float, default=600.0, help="seconds to import the header (default 600)")
    p.add_argument("--memory-mb", type=int, default=8192, help="address-space cap per REPL (default 8192)")
    p.add_argument("--out", help="also write the results as JSON to this file")
    p.add_argument("--double", nargs="?", const="v4.24.0", metavar="LABEL",
                   help="use the transcript-replay double (recorded at LABEL, default v4.24.0) instead of Lean")
    p.add_argument("--transcripts", metavar="DIR",
                   help="the REPL transcripts for --double (default: lean_repl_transcripts in the data dir; "
                   "tests/fixtures/lean_repl_transcripts.tar.xz unpacked is the same)")
    return p.parse_args(argv)


def minif2f_workload(split: str, limit: int, candidates: list[str]) -> list[tuple[str, str]]:
    """(header, command text) for the first `limit` statements of `split`, times every candidate."""
    from verifier_core.settings import data_dir
    from verifier_core.jsonl import read_records

    path = data_dir() / "minif2f" / "minif2f.jsonl"
    rows = [r for r in read_records(path) if r.get("split") == split][:limit]
    if not rows:
        raise SystemExit(f"no miniF2F rows for split {split!r} in {path}")
    return [(r["header"], f"{r['formal_statement']}\n  {c}") for r in rows for c in candidates]


DOUBLE = REPO_ROOT / "tests" / "helpers" / "replay.py"


def double_workload(label_dir: Path) -> list[tuple[str, str]]:
    """(header, command text) from recorded transcripts that import a header, then check in env 0.

    The double is a program of the test suite: asked, not imported (a bench imports no test module)."""
    listing = subprocess.run([sys.executable, str(DOUBLE), "--list-commands", str(label_dir)],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    work = []
    for line in listing.splitlines():
        cmds = [json.loads(c) for c in json.loads(line)]
        if set(cmds[0]) != {"cmd"} or not cmds[0]["cmd"].startswith("import"):
            continue
        work += [(cmds[0]["cmd"], c["cmd"]) for c in cmds[1:] if set(c) == {"cmd", "env"} and c["env"] == 0]
    if not work:
        raise SystemExit(f"no header + env-0 commands recorded under {label_dir}")
    # One header, as in miniF2F: mixing headers would measure header switches, not warm checks.
    common = Counter(h for h, _ in work).most_common(1)[0][0]
    return [(h, c) for h, c in work if h == common]


def summarize(mode: str, latencies: list[float], statuses: list[str], wall: float) -> dict:
    import numpy as np

    lat = np.array(latencies) if latencies else np.array([float("nan")])
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    return {"mode": mode, "checks": len(latencies), "p50_s": float(np.percentile(lat, 50)),
            "p95_s": float(np.percentile(lat, 95)), "mean_s": float(lat.mean()),
            "checks_per_s": len(latencies) / wall if wall > 0 else float("nan"), "wall_s": wall,
            "outcomes": counts}


def outcome(status: str, response) -> str:
    """`proved` / `not_proved` (errors, sorries or a refusal) for answered checks, else the failure."""
    if status != "ok" or response is None:
        return status
    failed = response.error is not None or response.errors or response.sorries
    return "not_proved" if failed else "proved"


def run_warm(cmd: list[str], cwd: str | None, work: list[tuple[str, str]], args) -> tuple[dict, float]:
    from tqdm import tqdm

    from lean_env.pool import ReplPool

    with ReplPool(cmd, cwd=cwd, workers=args.workers, memory_mb=args.memory_mb, timeout=args.timeout,
                  header_timeout=args.header_timeout, recycle_after=10**9) as pool:
        # Warm every worker's header first (timed on its own): the steady state is what is measured.
        t0 = time.monotonic()
        headers = sorted({h for h, _ in work})
        with ThreadPoolExecutor(args.workers) as ex:
            list(ex.map(lambda h: _warm(pool, h), [h for h in headers for _ in range(args.workers)]))
        header_s = time.monotonic() - t0
        start = time.monotonic()
        with ThreadPoolExecutor(args.workers) as ex:
            results = list(tqdm(ex.map(lambda hc: _timed_run(pool, *hc), work), total=len(work),
                                desc="warm", file=sys.stderr))
        wall = time.monotonic() - start
    return summarize("warm", [s for s, _ in results], [outcome(r.status, r.response) for _, r in results],
                     wall), header_s


def _timed_run(pool, header: str, text: str):
    """(caller-side seconds, PoolResult) of one warm check, queueing for a free REPL included."""
    t = time.monotonic()
    result = pool.run(header, {"cmd": text})
    return time.monotonic() - t, result


def _warm(pool, header: str) -> None:
    """Hold a lease briefly so that the pool starts a REPL and imports `header`."""
    with pool.lease(header):
        time.sleep(0.05)  # keeps concurrent warm-ups on distinct workers


def run_cold(cmd: list[str], cwd: str | None, work: list[tuple[str, str]], args) -> dict:
    from tqdm import tqdm

    from lean_env.repl import ReplError, ReplProcess

    def one(hc: tuple[str, str]) -> tuple[float, str]:
        header, text = hc
        t = time.monotonic()
        repl = ReplProcess(cmd, cwd=cwd, memory_mb=args.memory_mb)
        try:
            env = repl.send({"cmd": header}, args.header_timeout).env
            response = repl.send({"cmd": text, "env": env}, args.timeout)
            status = outcome("ok", response)
        except ReplError as e:
            status = type(e).__name__
        finally:
            repl.kill()
        return time.monotonic() - t, status

    start = time.monotonic()
    with ThreadPoolExecutor(args.workers) as ex:
        results = list(tqdm(ex.map(one, work[: args.cold_limit]), total=min(len(work), args.cold_limit),
                            desc="cold", file=sys.stderr))
    wall = time.monotonic() - start
    return summarize("cold", [r[0] for r in results], [r[1] for r in results], wall)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cwd = args.project
    if args.double:
        from verifier_core.settings import data_dir

        label_dir = Path(args.transcripts or data_dir() / "lean_repl_transcripts") / args.double
        if not label_dir.is_dir():
            print(f"no transcripts at {label_dir} (--transcripts names their folder)", file=sys.stderr)
            return 2
        cmd = [sys.executable, str(DOUBLE), str(label_dir)]
        work, backend, cwd = double_workload(label_dir), DOUBLE_NOTE, None
    else:
        if not args.repl_cmd:
            found = "`lake` is on PATH" if shutil.which("lake") else "no `lake` on PATH"
            print(f"SKIP: no Lean REPL configured ({found}). Pass --repl-cmd 'lake env <path to repl>' and "
                  "--project <Lean project with Mathlib> (or set PROVER_LEAN_REPL / PROVER_LEAN_PROJECT); "
                  "--double runs the harness against the replay double instead.")
            return 0
        cmd = shlex.split(args.repl_cmd)
        if not (shutil.which(cmd[0]) or Path(cwd or ".", cmd[0]).is_file()):
            print(f"SKIP: the REPL command {cmd[0]!r} was not found; no Lean here.")
            return 0
        work = minif2f_workload(args.split, args.limit, [c.strip() for c in args.candidates.split(",") if c.strip()])
        backend = f"Lean REPL: {args.repl_cmd} (cwd {cwd or os.getcwd()})"

    work = work * max(1, args.repeat)
    print(f"backend: {backend}")
    print(f"checks: {len(work)} warm, {min(len(work), args.cold_limit)} cold; workers {args.workers}")
    warm, header_s = run_warm(cmd, cwd, work, args)
    cold = run_cold(cmd, cwd, work, args)
    print(f"header import (warm-up of {args.workers} worker(s)): {header_s:.2f} s")
    print(f"{'mode':<6}{'checks':>8}{'p50 s':>10}{'p95 s':>10}{'mean s':>10}{'checks/s':>10}  outcomes")
    for r in (warm, cold):
        print(f"{r['mode']:<6}{r['checks']:>8}{r['p50_s']:>10.4f}{r['p95_s']:>10.4f}{r['mean_s']:>10.4f}"
              f"{r['checks_per_s']:>10.2f}  {r['outcomes']}")
    if args.double:
        print(f"NOTE: {DOUBLE_NOTE}")
    if args.out:
        Path(args.out).write_text(json.dumps({"backend": backend, "is_lean": not args.double,
                                              "header_import_s": header_s, "results": [warm, cold],
                                              "workers": args.workers}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
