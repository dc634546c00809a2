"""Verify miniF2F-Dafny's trusted header once, whole, and record the result.

Checks of candidates never re-verify the header (its members are `{:verify false}` there); this is
the one check they rely on. The record (header id, toolchain, Dafny's outcome for every
implementation) is added to `dafny_env/minif2f/header_check.json`, replacing an older record of the
same header on the same toolchain.

    python bench/minif2f_dafny_header_check.py dafny_env/minif2f/original/definitions.dfy dafny_env/minif2f/original/library.dfy
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from dafny_env.header import CHECK_RECORD, check_header

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", help="the header's files, in order (joined with a newline)")
    ap.add_argument("--time-limit", type=int, default=120, help="Dafny's per-VC limit in seconds")
    args = ap.parse_args(argv)
    rec = check_header("\n".join(Path(p).read_text(encoding="utf-8") for p in args.files), args.time_limit)
    old = json.loads(CHECK_RECORD.read_text(encoding="utf-8")) if CHECK_RECORD.exists() else []
    old = [r for r in old if not (r["header"] == rec["header"] and r["toolchain"] == rec["toolchain"])]
    CHECK_RECORD.write_text(json.dumps(old + [rec], indent=1) + "\n", encoding="utf-8")
    print(json.dumps(rec, indent=1))
    return 0 if rec["reply"] == "done" and not rec["frontend_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
