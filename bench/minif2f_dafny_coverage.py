"""Which miniF2F-Dafny problems the empty body proves here, against the authors' own Dafny 4.11 run.

Each problem's own body (`{}`; `{ assert 1 != 0; }` in one) is checked through `DafnyVerifier`
exactly as a candidate is (gate, trusted header on Dafny 2.3 through the shipped port, bridge,
verifier), and compared with `empty_proof_dafny_4_11` from the authors' results files. A
whitespace-only body is sent as `{\\n}`, the portfolio policy's empty body, so that a later
`prover eval --policy portfolio` finds these verdicts in the verdict cache.

Every disagreement gets a reason from our verdict:
  `bridge`          the program does not get through the Dafny 2.3 port/bridge (parse or resolution
                    error, or a gate/header rejection): nothing was proved or refuted;
  `2.3 limitation`  Dafny 2.3 + z3 4.8.12 could not prove what Dafny 4.11 proved (a proof failure);
  `timeout`         no verdict within the limit;
  `error`           infrastructure failure (never counted as a failure);
  `only here`       verified here, not by the authors' 4.11 run.

Per-problem results are appended to `--out` (JSONL; rerun to resume), the table goes to `--table`.
Each result keeps the wall limit it ran under (`limit_s`); a rerun with a longer `--timeout` checks
again every problem that timed out under a shorter one (a loaded machine makes 30 s timeouts of
checks Dafny finishes), and the table gives each problem's limit.

    python bench/minif2f_dafny_coverage.py --splits valid test --workers 2 --timeout 120 \
        --out runs/minif2f_coverage.jsonl --table dafny_env/minif2f/coverage_dafny_2_3.md
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter

PAPER = {"valid": "44.7% (109/244, paper); 106/244 in the shipped results file",
         "test": "40.6% (99/244, paper); 95/244 in the shipped results file"}


def candidate_body(given: str) -> str:
    return "{\n}" if not given.strip()[1:-1].strip() else given


def reason(ours: dict, theirs: str) -> str:
    status, why = ours["status"], ours.get("reason", "")
    if (status == "verified") == (theirs == "verified"):
        return ""
    if status == "verified":
        return "only here"
    if status == "timeout":
        return "timeout"
    if status == "error":
        return "error"
    if status == "rejected" or why.startswith(("parse", "resolution")):
        return "bridge"
    return "2.3 limitation"


def table(rows: list[dict], splits: list[str]) -> str:
    out = ["# miniF2F-Dafny: the empty body on Dafny 2.3 (here) vs the authors' Dafny 4.11 run", ""]
    out += ["| split | verified here | verified by the authors (4.11) | agree | disagreements by reason | paper |",
            "|---|---|---|---|---|---|"]
    for split in splits:
        rs = [r for r in rows if r["split"] == split]
        here = sum(r["status"] == "verified" for r in rs)
        theirs = sum(r["authors_4_11"] == "verified" for r in rs)
        agree = sum(not r["disagreement"] for r in rs)
        why = Counter(r["disagreement"] for r in rs if r["disagreement"])
        out.append(f"| {split} | {here}/{len(rs)} | {theirs}/{len(rs)} | {agree}/{len(rs)} | "
                   f"{', '.join(f'{k}: {v}' for k, v in sorted(why.items())) or '-'} | {PAPER[split]} |")
    statuses = Counter((r["split"], r["status"]) for r in rows)
    out += ["", "Our verdicts: " + ", ".join(f"{s} {st}: {n}" for (s, st), n in sorted(statuses.items())), ""]
    limits = Counter(_limit(r) for r in rows)
    out += ["Wall limit per check: " + ", ".join(f"{k}: {v} problems" for k, v in sorted(limits.items())), ""]
    out += ["| problem | split | authors (4.11) | here (2.3) | seconds | limit | disagreement | our reason |",
            "|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["split"], r["id"])):
        why = r.get("reason", "").replace("|", "\\|").replace("\n", " ")[:160]
        out.append(f"| {r['id']} | {r['split']} | {r['authors_4_11']} | {r['status']} | {r['seconds']} | "
                   f"{_limit(r)} | {r['disagreement'] or 'agree'} | {why} |")
    return "\n".join(out) + "\n"


def _limit(r: dict) -> str:
    return f"{r.get('limit_s', 30):g} s" + ("" if r.get("versions") else " (earlier run)")


def main(argv: list[str] | None = None) -> int:
    from tqdm import tqdm

    from prover.benchmarks import load_benchmark
    from verifier_core.records import Candidate
    from verifier_core.jsonl import JsonlWriter, read_records
    from dafny_env.verifier import verdict_versions
    from prover.verifiers import get_verifier

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--splits", nargs="+", default=["valid", "test"], choices=["valid", "test"])
    ap.add_argument("--limit", type=int, default=None, help="first N problems of each split")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per check (the eval's default)")
    ap.add_argument("--out", default="minif2f_dafny_coverage.jsonl", help="per-problem results (resumable)")
    ap.add_argument("--table", default="minif2f_dafny_coverage.md", help="the markdown table")
    ap.add_argument("--report", action="store_true", help="only write the table of what --out has")
    ap.add_argument("--ids", nargs="+", default=None,
                    help="check only these problems (again, if done under another gate/bridge/parser version)")
    ap.add_argument("--reaching-repairs", action="store_true",
                    help="check only the problems whose statement reaches a repaired header member "
                         "(`dafny_env.header.repaired_members_reached`), again if done under another version")
    args = ap.parse_args(argv)

    import os

    done = {(r["split"], r["id"]): r for r in read_records(args.out)} if os.path.exists(args.out) else {}
    per_split = [load_benchmark(f"minif2f-dafny-{split}")[: args.limit] for split in args.splits]
    # Interleaved, so that a run stopped early still covers every split alike.
    tasks = [t for group in itertools.zip_longest(*per_split) for t in group if t is not None]

    versions = verdict_versions()

    def settled(key: tuple[str, str]) -> bool:
        """Checked under this gate/bridge/parser, and not a timeout under a shorter limit."""
        r = done.get(key)
        return (r is not None and r.get("versions") == versions
                and not (r["status"] == "timeout" and r.get("limit_s", 30.0) < args.timeout))

    if args.reaching_repairs:
        from dafny_env.header import repaired_members_reached

        tasks = [t for t in tasks if repaired_members_reached(t.header, t.statement)]
    chosen = [t for t in tasks if not args.ids or t.id in args.ids]
    todo = [] if args.report else [t for t in chosen if not settled((t.meta["split"], t.id))]

    # Problems never checked come first, then earlier timeouts the authors' run proved (a
    # disagreement the rerun may settle), then the other timeouts, then results of older versions.
    def order(t) -> int:
        r = done.get((t.meta["split"], t.id))
        if r is None:
            return 0
        if r["status"] == "timeout":
            return 1 if t.meta.get("empty_proof_dafny_4_11") == "verified" else 2
        return 3

    todo.sort(key=order)
    print(f"{len(tasks)} problems, {len(done)} already done, {len(todo)} to check", file=sys.stderr)
    verifier = get_verifier("dafny", workers=args.workers, timeout=args.timeout)
    bar = tqdm(total=len(todo), desc="problems", file=sys.stderr)
    with JsonlWriter(args.out) as w:
        def record(i: int, v) -> None:
            t = todo[i]
            theirs = t.meta.get("empty_proof_dafny_4_11", "")
            r = {"id": t.id, "split": t.meta["split"], "authors_4_11": theirs, "status": v.status,
                 "reason": v.reason, "seconds": v.seconds, "cached": v.cached, "toolchain": v.toolchain,
                 "limit_s": args.timeout, "versions": versions}
            r["disagreement"] = reason(r, theirs)
            done[(r["split"], r["id"])] = r
            w.write(r)
            bar.update(1)

        try:
            verifier.check_many([(t, Candidate(t.id, candidate_body(t.meta["given_body"]))) for t in todo],
                                on_result=record)
        finally:
            verifier.close()
            bar.close()
    rows = [done[(t.meta["split"], t.id)] for t in tasks if (t.meta["split"], t.id) in done]
    text = table(rows, args.splits)
    if len(rows) < len(tasks):
        text = text.replace("\n\n", f"\n\n**Partial: {len(rows)} of {len(tasks)} problems checked** "
                                    "(interleaved valid/test, in file order).\n\n", 1)
    with open(args.table, "w", encoding="utf-8") as f:
        f.write(text)
    print("\n".join(text.splitlines()[:6]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
