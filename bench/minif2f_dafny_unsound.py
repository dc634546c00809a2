"""miniF2F-Dafny pass rates with and without the statements upstream calls false or unprovable.

dafny-lang/miniF2F#8 (and PR #9, which fixes them) lists statements the Lean -> Dafny translation made
false or unprovable; the tasks carry them as `meta["upstream_unsound"]`
(prover/data/minif2f_dafny_unsound.jsonl). Prints, per split, the authors' own empty-proof result
(Dafny 4.11, stored with the data) over all problems and over the sound ones; with `--run DIR` (a
`prover eval` run directory) also that run's solved counts, with and without.

    python bench/minif2f_dafny_unsound.py [--run runs/minif2f-dafny-test]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", help="a prover eval run directory on minif2f-dafny-valid or -test")
    args = ap.parse_args()
    from prover.benchmarks import load_benchmark

    for split in ("valid", "test"):
        tasks = load_benchmark(f"minif2f-dafny-{split}")
        bad = {t.id for t in tasks if "upstream_unsound" in t.meta}
        empty = {t.id for t in tasks if t.meta.get("empty_proof_dafny_4_11") == "verified"}
        n, m = len(tasks), len(tasks) - len(bad)
        print(f"{split}: {len(bad)} of {n} statements marked unsound upstream; authors' empty proof (Dafny 4.11): "
              f"{len(empty)}/{n} = {100 * len(empty) / n:.1f}% with them, "
              f"{len(empty - bad)}/{m} = {100 * len(empty - bad) / m:.1f}% without")
    if args.run:
        from prover.evaluation.runner import final_attempts

        attempts = list(final_attempts(Path(args.run)).values())
        ids = {a["task_id"] for a in attempts}
        solved = {a["task_id"] for a in attempts if a["status"] == "verified"}
        from prover.benchmarks import minif2f_dafny_unsound

        bad = set(minif2f_dafny_unsound()) & ids
        print(f"run {args.run}: solved {len(solved)}/{len(ids)} with the unsound statements, "
              f"{len(solved - bad)}/{len(ids - bad)} without ({len(bad)} of its tasks are marked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
