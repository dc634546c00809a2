"""Validate conjectures the way self-play does, before anyone tries to prove them.

  prover validate --lang dafny --jsonl IN --out OUT [--workers N] [--timeout S] [--vacuity-proofs K]

Each input line: {"id", "statement"} (a whole Dafny program whose one bodyless lemma is the
conjecture; optional "target": that lemma's name). Each output line: {"id", "status", "reason"},
status one of:
  valid      none of the below
  unparsed   no statement, or a line that is not a JSON object with a string statement
  duplicate  equal to an earlier line of IN up to whitespace and the lemma's name, or up to
             renaming variables and reordering clauses
  ill-formed Dafny does not resolve it, or its specs are not well-formed (`requires s[0] > 0` with
             `s` possibly empty)
  rejected   the soundness gate refuses the statement itself (`assume`, `{:axiom}`, ...)
  vacuous    its requires prove `false` (one of the portfolio's first K proofs verifies the lemma
             with `ensures false`, every other clause kept)
  tautology  its ensures verify with an empty body and no requires
  error      the check itself could not finish (infrastructure; never a verdict on the statement)
The checks are conjecturer/validate.py's, the code self-play runs. OUT is appended and flushed per
line; ids already in OUT are skipped, so a killed run resumes.
"""

from __future__ import annotations

import argparse
import sys

HELP = "validate conjectures (JSONL {id, statement} in, {id, status, reason} out), as self-play does"
# self-play's reasons, as this command names them
STATUS = {"gate": "rejected", "ill_formed": "ill-formed", "near_duplicate": "duplicate"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", required=True, choices=("dafny",), help="conjecture language (Dafny only)")
    p.add_argument("--jsonl", required=True, metavar="IN", help="input JSONL: id, statement[, target]")
    p.add_argument("--out", required=True, metavar="OUT", help="output JSONL (appended; ids already there are skipped)")
    p.add_argument("--workers", type=int, default=2, help="conjectures checked in parallel (default 2)")
    p.add_argument("--timeout", type=float, default=30.0, help="hard per-check timeout in seconds (default 30)")
    p.add_argument("--vacuity-proofs", type=int, default=3, help="portfolio proofs tried for vacuity (default 3)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the verdict cache")


def run(args: argparse.Namespace) -> int:
    from conjecturer.config import ValidationConfig
    from conjecturer.records import Conjecture
    from conjecturer.languages import selfplay_part
    from conjecturer.validate import Deduper, ValidationResult, validate
    from verifier_core.jsonl import JsonlWriter, read_jsonl, read_records

    from ..verifiers import get_verifier

    try:
        done_ids = {str(r.get("id")) for r in read_records(args.out)}
    except FileNotFoundError:
        done_ids = set()
    conjectures: list[Conjecture] = []
    bad: list[dict] = []
    for ln in read_jsonl(args.jsonl):
        rec = ln.record if isinstance(ln.record, dict) else None
        item_id = str(rec.get("id", f"line{ln.lineno}")) if rec else f"line{ln.lineno}"
        statement = rec.get("statement") if rec else None
        if not isinstance(statement, str) or not statement.strip():
            why = ln.error or f"line {ln.lineno}: no string `statement`"
            bad.append({"id": item_id, "status": "unparsed", "reason": why})
            continue
        target = rec.get("target") if isinstance(rec.get("target"), str) else ""
        conjectures.append(Conjecture(item_id, "dafny", statement, "", "cli", target=target))
    cfg = ValidationConfig(vacuity_proofs=args.vacuity_proofs, resolve_timeout=args.timeout)
    with JsonlWriter(args.out) as writer:
        for rec in bad:
            if rec["id"] not in done_ids:
                writer.write(rec)

        def record(res: ValidationResult) -> None:
            if res.id not in done_ids:
                writer.write({"id": res.id, "status": STATUS.get(res.status, res.status), "reason": res.detail})

        verifier = get_verifier("dafny", cache=not args.no_cache, workers=args.workers, timeout=args.timeout)
        try:
            # ids already answered are passed as done: their checks are not run again
            done = {c.id: ValidationResult(c.id, "valid") for c in conjectures if c.id in done_ids}
            checks = selfplay_part("dafny").conjecture_checks(verifier.check_many, cfg, lambda: None)
            validate(conjectures, checks, Deduper("dafny"), done, record, workers=args.workers)
        finally:
            verifier.close()
    return 0
