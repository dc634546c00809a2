"""What deciding on Dafny's own reading costs: team references checked with and without it.

Each reference of `dafny_env/tasks/team.jsonl` is checked twice by one `DafnyVerifier`, in the same
process, alternating: once with the evidence step (`symbols` for the statement and the program,
`evidence.check`) switched off, once with it on. Prints the verdict counts and the per-check
seconds of both (median and total), so the cost of the new evidence sits beside its baseline.

    python bench/dafny_evidence_cost.py [--limit N] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from tqdm import tqdm

from dafny_env import DafnyVerifier
from verifier_core.records import Candidate, Task

TASKS = Path(__file__).resolve().parent.parent / "dafny_env" / "tasks" / "team.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="check only the first N tasks")
    ap.add_argument("--timeout", type=float, default=60.0, help="hard timeout per check (s)")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in TASKS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[: args.limit] if args.limit else rows
    seconds: dict[str, list[float]] = {"without": [], "with": []}
    statuses: dict[str, list[str]] = {"without": [], "with": []}
    with DafnyVerifier(workers=1, timeout=args.timeout) as v:
        v.check(Task("warm", "dafny", "lemma W()\n  ensures 1 == 1\n", kind="prove"), Candidate("warm", "{ }"))
        real_evidence = v._dafny_evidence
        for k, r in enumerate(tqdm(rows, desc="references", unit="task")):
            task = Task(r["id"], "dafny", r["statement"], kind=r["kind"])
            # Alternate which mode goes first, so neither always finds the warmer server.
            modes = ["without", "with"] if k % 2 == 0 else ["with", "without"]
            for mode in modes:
                v._dafny_evidence = real_evidence if mode == "with" else (lambda task, program, verdict, impls: verdict)
                v._spec_cache.clear()  # every task pays for its statement's symbols, as a first check does
                t0 = time.monotonic()
                verdict = v.check(task, Candidate(r["id"], r["reference"] + " " * (mode == "with")))
                seconds[mode].append(time.monotonic() - t0)
                statuses[mode].append(verdict.status)
    for mode in ("without", "with"):
        s = seconds[mode]
        counts = {x: statuses[mode].count(x) for x in sorted(set(statuses[mode]))}
        print(f"{mode:8s} evidence: {counts}  median {statistics.median(s):.3f} s  total {sum(s):.1f} s  (n={len(s)})")
    extra = [b - a for a, b in zip(seconds["without"], seconds["with"])]
    print(f"added per check: median {statistics.median(extra):.3f} s, mean {statistics.mean(extra):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
