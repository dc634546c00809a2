"""Search for a proof of one statement with a policy and a verifier.

Modes:
  sample      draw up to --budget whole proofs (in batches of --batch), verify new ones in parallel,
              stop at the first verified one (--all: verify every sample, for pass@k)
  repair      like sample, but each round feeds the verifier's messages about a failed attempt back
              into the prompt (--rounds rounds of --batch samples)
  best-first  Lean only: best-first tactic search over REPL proof states (--budget expansions,
              --batch tactics per expansion); a found proof is re-verified as a whole file

Examples:
  prover search --lang dafny --task-id team/prove/sum_formula --bench dafny-team --policy portfolio
  prover search --lang dafny --statement-file spec.dfy --policy hf:smollm2-135m --budget 16 --json
  prover search --lang lean --statement-file thm.lean --policy portfolio --mode sample
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from verifier_core import settings
from verifier_core.languages import language

from ..errors import UserError
from ..statement_files import task_from_text
from .argtypes import positive_float, positive_int
from .policy_args import add_policy_arguments, load_policy_from_args

HELP = "search for a proof of one statement (whole-proof sampling, repair, or best-first tactic search)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", required=True, choices=("lean", "dafny"), help="the statement's language")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--statement-file", help="Lean: header + statement ending in `:= by` (a trailing `sorry` is "
                     "dropped); Dafny: the spec program, with the target's body missing")
    src.add_argument("--task-id", help="a task of the benchmark named by --bench")
    p.add_argument("--bench", help="benchmark name for --task-id (e.g. dafny-team, minif2f-valid)")
    p.add_argument("--kind", default="prove", choices=("prove", "implement", "hints"),
                   help="Dafny task kind for --statement-file (default: prove)")
    add_policy_arguments(p)
    p.add_argument("--mode", default="sample", choices=("sample", "best-first", "repair"))
    p.add_argument("--budget", type=positive_int, default=32,
                   help="samples (sample, repair) or expansions (best-first) to spend (default: 32)")
    p.add_argument("--batch", type=positive_int, default=8,
                   help="samples per generation call / repair round, or tactics per expansion (default: 8)")
    p.add_argument("--rounds", type=positive_int, help="repair rounds (default: budget / batch)")
    p.add_argument("--seconds", type=positive_float, help="wall-clock budget for the search")
    p.add_argument("--all", action="store_true", help="sample mode: verify every sample instead of stopping at a proof")
    v = p.add_argument_group("verifier")
    v.add_argument("--workers", type=positive_int, default=2, help="parallel verifier processes (default: 2)")
    v.add_argument("--timeout", type=positive_float, help="seconds per check (default: the verifier's own)")
    p.add_argument("--trace", help="write the JSON trace here (default: $PROVER_RUNS_DIR or ./runs, under search/)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from verifier_core.records import Task

    from ..verifiers import require_verifier

    try:
        task = _load_task(args)
    except OSError as e:
        raise UserError(f"cannot read --statement-file {args.statement_file}: {e.strerror}") from None
    except (ValueError, KeyError) as e:
        raise UserError(str(e.args[0]) if e.args else str(e)) from None
    if args.mode == "best-first" and not language(task.lang).tactic_search:
        raise UserError(f"best-first tactic search needs proof states, which {language(task.lang).title} does not "
                        "have; use --mode sample or repair")
    assert isinstance(task, Task)
    require_verifier(task.lang)
    policy = load_policy_from_args(args, batch_size=args.batch)
    from ..verifiers import get_verifier

    # Best-first search holds one REPL for its proof states while the whole-file re-check of a found
    # proof needs another; with a single process that re-check would wait for ever.
    vopts = {"workers": max(2, args.workers) if args.mode == "best-first" else args.workers}
    if args.timeout is not None:
        vopts["timeout"] = args.timeout
    try:
        verifier = get_verifier(task.lang, **vopts)
    except (ImportError, RuntimeError, OSError) as e:
        policy.close()
        raise UserError(f"no {task.lang} verifier: {e}") from None
    try:
        result = _search(args, task, policy, verifier)
    finally:
        verifier.close()
        policy.close()
    trace = Path(args.trace) if args.trace else _default_trace(task.id)
    result.write_trace(trace)
    _print(result, trace, args.json)
    return 0 if result.proved else 1


def _search(args, task, policy, verifier):
    from tqdm import tqdm

    total = args.budget
    bar = tqdm(total=total, desc=f"{args.mode} {task.id}", unit="exp" if args.mode == "best-first" else "sample",
               file=sys.stderr, disable=args.no_progress or None, dynamic_ncols=True)
    found = {"verified": 0}

    def on_attempt(a):
        found[a.status] = found.get(a.status, 0) + 1
        bar.set_postfix_str(", ".join(f"{k} {v}" for k, v in found.items() if v))

    try:
        if args.mode == "sample":
            from ..search.sampling import sample_search

            return sample_search(task, policy, verifier, k=args.budget, batch=args.batch,
                                 stop_on_first=not args.all, max_seconds=args.seconds,
                                 on_attempt=on_attempt, on_drawn=bar.update)
        if args.mode == "repair":
            from ..search.repair import repair_search

            rounds = args.rounds or max(1, args.budget // max(1, args.batch))
            bar.total = rounds * args.batch
            return repair_search(task, policy, verifier, rounds=rounds, n=args.batch, max_seconds=args.seconds,
                                 on_attempt=on_attempt, on_drawn=bar.update)
        from ..search.lean_tactics import lean_best_first

        try:
            session = language(task.lang).proof_session(verifier, task.header, timeout=args.timeout)
        except ValueError as e:
            raise UserError(str(e)) from None
        with session:
            return lean_best_first(task, policy, session, verifier, width=args.batch, max_expansions=args.budget,
                                   max_seconds=args.seconds, on_expand=lambda node, score: bar.update(1))
    finally:
        bar.close()


def _load_task(args):
    if args.task_id:
        if not args.bench:
            raise ValueError("--task-id needs --bench NAME")
        from ..benchmarks import load_benchmark

        tasks = [t for t in load_benchmark(args.bench) if t.id == args.task_id]
        if not tasks:
            raise KeyError(f"no task {args.task_id!r} in benchmark {args.bench!r}")
        if tasks[0].lang != args.lang:
            raise ValueError(f"task {args.task_id!r} is {tasks[0].lang}, not {args.lang}")
        return tasks[0]
    text = Path(args.statement_file).read_text(encoding="utf-8")
    return task_from_text(Path(args.statement_file).stem, args.lang, text, kind=args.kind)


def _default_trace(task_id: str) -> Path:
    runs = Path(settings.current().runs_dir)
    safe = re.sub(r"[^\w.-]+", "_", task_id)
    return runs / "search" / f"{safe}-{time.strftime('%Y%m%d-%H%M%S')}.json"


def _print(result, trace: Path, as_json: bool) -> None:
    if as_json:
        out = result.summary()
        out["trace"] = str(trace)
        print(json.dumps(out, ensure_ascii=False))
        return
    if result.proved:
        print(f"proved {result.task_id} in {result.seconds:.1f} s after {len(result.attempts)} attempts "
              f"(generation {result.gen_seconds:.1f} s, verification {result.verify_seconds:.1f} s):")
        print(result.proof.strip("\n"))
    else:
        counts: dict[str, int] = {}
        for a in result.attempts:
            counts[a.status] = counts.get(a.status, 0) + 1
        what = ", ".join(f"{v} {k}" for k, v in counts.items()) or "no attempts"
        print(f"no proof of {result.task_id}: {result.stop_reason} ({what}; best status: {result.status})")
        last = next((a for a in reversed(result.attempts) if a.messages or a.reason), None)
        if last is not None:
            print(f"last failure: {last.reason or last.messages[0].get('text', '')}"[:500])
    print(f"trace: {trace}", file=sys.stderr)
