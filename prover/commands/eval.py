"""Evaluate a policy on a benchmark: sample N candidates per task, verify them, report pass@k.

Generation and verification overlap (one generating thread, W verifier workers). Every attempt is
appended to OUT/attempts.jsonl as it finishes; a killed run resumes when the same command is run
again (nothing is redone or duplicated, verifier `error`s are retried); one process at a time may
write OUT. A task whose statement the verifier cannot check (it does not parse or elaborate) is
excluded with the verifier's reason. At the end OUT holds summary.json (pass@k by k, verdict counts,
time split, stamps, exclusions), report.md and pass_at_k.png.
pass@k needs i.i.d. samples: for a policy that proposes a fixed list in order (portfolio) the
figure is "solved within k attempts" (one of its first k proposals verified) instead.

examples:
  prover eval --bench dafny-team --policy portfolio --samples 8 --k 1,8
  prover eval --bench minif2f-valid --policy hf:path/to/model --samples 32 --k 1,8,32 --workers 8
  prover eval --bench clover --policy portfolio --ray-address auto        # verifiers as ray actors
  prover eval --compare evals/run-a evals/run-b
  prover eval --list
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

from verifier_core.languages import language

from ..errors import UserError
from .argtypes import positive_float, positive_int
from .policy_args import add_policy_arguments, load_policy_from_args, policy_identity

HELP = "evaluate a policy on a benchmark (pass@k, resumable, with a report)"
DEFAULT_KS = (1, 8, 32)
RESUME = "rerun the same command to continue (finished attempts are kept)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bench", default="dafny-team",
                   help="benchmark name (see --list) or a task .jsonl file (default: dafny-team)")
    add_policy_arguments(p)
    p.add_argument("--samples", "-n", type=positive_int, default=8, help="samples per task (default: 8)")
    p.add_argument("--k", help="comma-separated k for pass@k (solved within k attempts for the portfolio); values "
                               "above --samples are dropped, with a note (default: those of 1,8,32 up to --samples)")
    p.add_argument("--out", help="run directory (default: evals/<bench>__<policy>__n<samples>); "
                                 "an existing one is resumed")
    p.add_argument("--workers", "-w", type=positive_int, default=min(2, os.cpu_count() or 1),
                   help="verifier workers (default: min(2, CPUs))")
    p.add_argument("--ray", action="store_true", help="run the verifier workers as actors of a local ray")
    p.add_argument("--ray-address", help="run the verifier workers as actors on this ray cluster (implies --ray)")
    p.add_argument("--limit", type=positive_int, help="only the first L tasks of the benchmark")
    p.add_argument("--timeout", type=positive_float, help="seconds per check (default: the verifier's own)")
    p.add_argument("--memory-mb", type=positive_int, help="memory cap per verifier process in MiB (default: the verifier's own)")
    p.add_argument("--gen-batch", type=positive_int, default=4, help="tasks per policy.generate call (default: 4)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--compare", nargs=2, metavar=("DIR1", "DIR2"), help="show two finished runs side by side")
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")


def _parse_ks(text: str | None, samples: int) -> list[int]:
    if text is None:
        return [k for k in DEFAULT_KS if k <= samples]
    try:
        ks = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise UserError(f"--k must be comma-separated integers, got {text!r}") from None
    if not ks or ks[0] < 1:
        raise UserError(f"--k values must be >= 1, got {text!r}")
    kept = [k for k in ks if k <= samples]
    if len(kept) < len(ks):
        print(f"note: pass@k needs n >= k samples; dropping k = {[k for k in ks if k > samples]} "
              f"(--samples {samples})", file=sys.stderr)
    return kept or [1]


def _default_out(bench: str, policy: str, samples: int) -> str:
    safe = lambda s: re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.basename(s.rstrip("/")) if "/" in s else s)
    return os.path.join("evals", f"{safe(bench)}__{safe(policy)}__n{samples}")


def run(args: argparse.Namespace) -> int:
    from .. import benchmarks

    if args.list:
        for b in benchmarks.list_benchmarks():
            print(f"{b.name:24} {b.lang:6} {b.kind:10} {b.description}")
        return 0
    if args.compare:
        from ..evaluation.compare import compare

        try:
            print(compare(*args.compare), end="")
        except FileNotFoundError as e:
            raise UserError(str(e)) from None
        return 0
    ks = _parse_ks(args.k, args.samples)
    return _evaluate(args, ks)


def _evaluate(args: argparse.Namespace, ks: list[int]) -> int:
    from .. import benchmarks
    from ..evaluation import backends
    from ..verifiers import require_verifier
    from ..evaluation.report import build_summary, write_report, write_summary
    from ..evaluation.runner import EvalRun, EvalSettings

    lang = benchmarks.benchmark_lang(args.bench)
    toolchain = benchmarks.installed_toolchain(lang)
    tasks, skipped = benchmarks.load_with_exclusions(args.bench, toolchain=toolchain)
    revision = benchmarks.data_revision(args.bench)
    if args.limit is not None:
        tasks = tasks[: args.limit]
    if not tasks:
        raise UserError(f"benchmark {args.bench!r} has no tasks to evaluate")
    note = ""
    if skipped:
        note = (f"{len(skipped)} tasks excluded: their reference solution does not verify on the installed "
                f"toolchain ({toolchain}), or their statement leaves nothing to prove.")
        print(f"note: {note} See `excluded` in summary.json.", file=sys.stderr)
    if not (args.ray or args.ray_address):  # ray actors verify on their own machines
        require_verifier(lang)
    out = args.out or _default_out(args.bench, args.policy, args.samples)
    if os.path.exists(out) and not os.path.isdir(out):
        raise UserError(f"--out {out} is a file; name a run directory (new, or one to resume)")
    options = {k: v for k, v in (("timeout", args.timeout), ("memory_mb", args.memory_mb)) if v is not None}
    settings = EvalSettings(bench=args.bench, data_revision=revision, policy=policy_identity(args), samples=args.samples,
                            limit=args.limit, lang=lang, toolchain=toolchain, task_ids=[t.id for t in tasks],
                            verifier=_verifier_settings(lang, options))
    if args.ray or args.ray_address:
        factory = backends.ray_factory(lang, options, args.ray_address, args.workers)
    else:
        factory = backends.local_factory(lang, options)
    policy = load_policy_from_args(args)
    from ..evaluation.statements import with_statement_problems

    statement_check = None
    # Named benchmarks have measured (or, for dafny-team, tested) references; a task file has neither.
    if args.bench not in benchmarks.BENCHMARKS:
        statement_check = language(lang).statement_check(settings.verifier["timeout"], settings.verifier.get("memory_mb"))
    statement_check = with_statement_problems(statement_check)
    runner = EvalRun(out, settings, tasks, policy, factory, workers=args.workers, gen_batch=args.gen_batch,
                     progress=not args.no_progress, statement_check=statement_check)
    t0 = time.time()
    try:
        scores = runner.run(ks)
    finally:
        policy.close()
    unusable = runner.excluded()
    if unusable:
        more = f"{len(unusable)} tasks excluded: the verifier cannot check their statement."
        note = f"{note} {more}".strip()
        print(f"note: {more} See `excluded` in summary.json.", file=sys.stderr)
    summary = build_summary(out, scores, ks, [*skipped, *unusable], note)
    write_summary(out, summary)
    report = write_report(out, summary)
    print(_one_line(summary, time.time() - t0, report), file=sys.stderr)
    if runner.failure:
        print(f"error: {runner.failure}; rerun the same command to continue", file=sys.stderr)
        return 1
    if summary["counts"]["error"]:
        print(f"error: {summary['counts']['error']} attempts ended in verifier errors (not scored); "
              f"rerun the same command to retry them", file=sys.stderr)
        return 1
    return 0


def _verifier_settings(lang: str, options: dict) -> dict:
    """The verifier options that shape verdicts, with the verifier's own defaults filled in, so that a
    resume under other limits (or after a default changed) is refused instead of mixing verdicts."""
    return {**language(lang).verifier_defaults(), **options}


def _one_line(summary: dict, wall: float, report) -> str:
    from ..evaluation.report import k_label, pct, per_k

    label, values = per_k(summary)
    paks = ", ".join(f"{k_label(label, int(k))} {pct(v)}" for k, v in values.items())
    counts = ", ".join(f"{k} {v}" for k, v in summary["counts"].items() if v)
    return (f"{summary['bench']} × {summary['policy']}: {paks}; solved {summary['solved']}/{summary['tasks']}; "
            f"{counts or 'no attempts'}; {wall:.1f} s. Report: {report}")
