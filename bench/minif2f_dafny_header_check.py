"""Verify miniF2F-Dafny's trusted header once, whole, and record the result.

Checks of candidates never re-verify the header (its members are `{:verify false}` there); this is
the one check they rely on. Every implementation of the header is verified (in parts of
`--part-size`, one Dafny process each, so a slow member is seen by name); each part's result is
appended to `--parts` as it lands and a rerun resumes from there. The record (header id, toolchain,
Dafny's outcome for every implementation, the slowest members) is added to
`dafny_env/minif2f/header_check.json`, replacing an older record of the same header on the same
toolchain. A member that does not verify is recorded as such (`not_verified`), never dropped.
`--retry-limit` verifies each member that timed out again, alone, under a longer limit (the record
keeps both limits and the retried members).

    python bench/minif2f_dafny_header_check.py dafny_env/minif2f/original/definitions.dfy dafny_env/minif2f/original/library.dfy
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from tqdm import tqdm

    from dafny_env.header import CHECK_RECORD, check_header, header_id, header_implementations, part_key
    from dafny_env.toolchain import detect
    from verifier_core.jsonl import JsonlWriter, read_records

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", help="the header's files, in order (joined with a newline)")
    ap.add_argument("--time-limit", type=int, default=120,
                    help="Dafny's per-VC limit in seconds (z3 wall clock: leave room for a loaded machine)")
    ap.add_argument("--retry-limit", type=int, default=None,
                    help="verify each implementation that timed out again, alone, under this per-VC limit")
    ap.add_argument("--timeout", type=float, default=3600.0, help="hard limit of one part's process, seconds")
    ap.add_argument("--part-size", type=int, default=8, help="implementations per Dafny process")
    ap.add_argument("--workers", type=int, default=1, help="Dafny processes at a time")
    ap.add_argument("--parts", type=Path, default=Path("runs/minif2f_header_check_parts.jsonl"),
                    help="JSONL of finished parts (resumed from; delete it to start over)")
    args = ap.parse_args(argv)
    header = "\n".join(Path(p).read_text(encoding="utf-8") for p in args.files)
    stamp = {"header": header_id(header), "toolchain": detect().stamp}
    done = {part_key(r["names"], r["time_limit"]): r for r in read_records(args.parts)
            if all(r.get(k) == v for k, v in stamp.items())}
    total = sum(header_implementations(header).values())  # those Dafny verifies
    bar = tqdm(total=total, desc="header implementations", unit="impl")
    bar.update(sum(len(r["names"] or []) for r in done.values() if r["time_limit"] == args.time_limit))

    writer = JsonlWriter(args.parts)

    def landed(res: dict) -> None:
        writer.write({**stamp, **res})
        if res["time_limit"] == args.time_limit:  # a retry is not new ground
            bar.update(len(res["names"] or []))
        slow = [f"{n} {t:.0f}s" for n, t in res["impl_seconds"].items() if t > 30]
        bad = [f"{n}: {o}" for n, o in res["outcomes"].items() if o != "verified"]
        if slow or bad or res["reply"] != "done":
            bar.write(f"part {res['reply']} in {res['seconds']}s; slow: {slow}; not verified: {bad}")

    rec = check_header(header, args.time_limit, args.timeout, args.part_size, args.workers, done, landed,
                       args.retry_limit)
    bar.close()
    writer.close()
    old = json.loads(CHECK_RECORD.read_text(encoding="utf-8")) if CHECK_RECORD.exists() else []
    old = [r for r in old if not (r["header"] == rec["header"] and r["toolchain"] == rec["toolchain"])]
    CHECK_RECORD.write_text(json.dumps(old + [rec], indent=1) + "\n", encoding="utf-8")
    print(json.dumps(rec, indent=1))
    return 0 if rec["reply"] == "done" and not rec["frontend_errors"] and not rec["not_verified"] else 1


if __name__ == "__main__":
    sys.exit(main())
