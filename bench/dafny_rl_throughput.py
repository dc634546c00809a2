"""Dafny checking at RL speed: many policy-shaped candidates per spec, stock `dafny` vs `prover verify`.

Training and self-play send k candidates for the same spec, most of them wrong. For each team task
(`dafny-team`) this bench checks, as bodies of the task's target (what a policy writes):
  the reference body, an empty body, the reference + a true assert, + another true assert,
  + a false assert, up to `--samples` bodies of the portfolio policy, and the real SmolLM2-135M
  samples stored in bench/data/smollm2_team_samples.json (what the model wrote, extracted as
  `prover eval` does; the file records the command that made it),
in one run, at the same parallelism, with no verdict cache:
  (a) one stock `dafny /compile:0 /trace` process per check on the program the verifier assembles
      (gate + Dafny 4 -> 2.3 bridge): the baseline, and the reference verdicts (`verified` when
      dafny exits 0 and /trace lists every implementation verified);
  (b) `DafnyVerifier` as `prover verify` runs it (exact mode: the server proof failures that can be
      server false negatives re-checked by one `dafny` process; eval's default);
  (c) `DafnyVerifier(confirm_failures=False)`, the fast mode training uses: candidates of one task
      that fill the target's body share one DafnyServer request (`dafny_env/batching.py`), which
      decides their failures; each one it finds `verified` is re-checked alone (z3 proves some
      bodies beside their batch-mates only), so a batch pays off as the share of failures grows;
  (d) the fast mode with every candidate in a request of its own (`batch_size=1`): what batching buys;
  (e) what `prover train` runs: the candidates as fenced completions through the reward service
      (`RewardService`: extraction, one fast-mode checker per worker thread, a task's completions
      handed over together).
Prints checks/s, the ratio to (a), p50/p95 latency, and agreement with (a) item by item; for (c)
the items it fails that stock dafny verifies (its false negatives, the rate stamped on its
verdicts). The pools are started (untimed) before their rows: a pool lives for a whole job.
Candidates the gate refuses never reach Dafny; they are listed as excluded, not timed.
`--kinds` keeps some candidate kinds only: `--kinds portfolio,smollm2` is the policies' own samples,
whose success rate is a policy's, not the constructed 3-of-5 verifying kinds'.

  python bench/dafny_rl_throughput.py --limit 16 --workers 2
  python bench/dafny_rl_throughput.py --limit 40 --workers 2 --kinds portfolio,smollm2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tqdm import tqdm

from dafny_env import DafnyVerifier
from dafny_env.cli_backend import CliRunner
from dafny_env.dialect import to_dafny2
from dafny_env.messages import parse_output
from dafny_env.soundness import gate
from dafny_env.syntax import parse
from dafny_env.toolchain import detect
from dafny_env.verifier import BATCH_SIZE, vc_time_limit
from prover.benchmarks import load_benchmark
from verifier_core.records import Candidate, Task
from dafny_env.templates import dafny_candidates

SMOLLM2_SAMPLES = Path(__file__).resolve().parent / "data" / "smollm2_team_samples.json"


def smollm2_samples(path: Path = SMOLLM2_SAMPLES) -> dict[str, list[str]]:
    """task id -> the stored SmolLM2 samples (extracted text; empty when nothing was extractable)."""
    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    for row in json.loads(path.read_text(encoding="utf-8"))["samples"]:
        out.setdefault(row["task_id"], []).append(row["text"])
    return out


def reference_body(task: Task) -> str | None:
    """The reference's body of the task's target (the one declaration the statement leaves bodyless)."""
    targets = [d for d in parse(task.statement).walk() if d.is_callable and not d.has_body]
    ref = task.meta.get("reference", "")
    if len(targets) != 1 or not ref:
        return None
    for d in parse(ref).walk():
        if d.qualname == targets[0].qualname and d.has_body:
            return ref[d.body_start : d.body_end]
    return None


def _with_assert(body: str, claim: str) -> str:
    return "{\n  assert " + claim + ";" + body.strip()[1:]


def items(tasks: list[Task], samples: int, smollm2: dict[str, list[str]] | None = None) -> list[tuple[str, Task, str]]:
    """(item id, task, candidate) for every task with a reference body; SmolLM2's samples that
    hold no extractable text are left out (they never reach a verifier: `failed` at extraction)."""
    out = []
    for task in tasks:
        body = reference_body(task)
        if body is None:
            continue
        kinds = {"reference": body, "empty": "{\n}", "true-assert": _with_assert(body, "true"),
                 "true-assert-2": _with_assert(body, "0 <= 1"), "false-assert": _with_assert(body, "false")}
        seen = set(kinds.values())
        for i, cand in enumerate(c for c in dafny_candidates(task) if c not in seen):
            if i >= samples:
                break
            kinds[f"portfolio-{i}"] = cand
        for i, text in enumerate((smollm2 or {}).get(task.id, [])):
            if text.strip():
                kinds[f"smollm2-{i}"] = text
        out += [(f"{task.id}#{k}", task, c) for k, c in kinds.items()]
    return out


def stock_program(task: Task, body: str) -> str | None:
    g = gate(task, body)
    return to_dafny2(g.program).text if g.ok else None


def stock_verdict(output: str, returncode: int | None, kind: str) -> str:
    parsed = parse_output(output, 2)
    ok = (kind == "done" and returncode == 0 and parsed.completed and not parsed.errors and not parsed.timeouts
          and not parsed.frontend_errors and all(i.outcome == "verified" for i in parsed.impls))
    return "verified" if ok else "not verified"


def measure_stock(programs: dict[str, str], workers: int, timeout: float) -> dict:
    runner = CliRunner(detect(), aot=False)
    limit = vc_time_limit(timeout)

    def one(item: tuple[str, str]) -> tuple[str, float, str]:
        reply = runner.run(item[1], timeout, limit)
        return item[0], reply.seconds, stock_verdict(reply.output, reply.returncode, reply.kind)

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as ex:
        results = list(tqdm(ex.map(one, programs.items()), total=len(programs), desc="stock dafny per check",
                            file=sys.stderr))
    return _row(time.monotonic() - start, [(i, s, v) for i, s, v in results])


def measure_verifier(verifier: DafnyVerifier, work: list[tuple[str, Task, str]], label: str) -> dict:
    start = time.monotonic()
    verdicts = verifier.check_many([(t, Candidate(i, c)) for i, t, c in work])
    wall = time.monotonic() - start
    row = _row(wall, [(i, v.seconds, v.status) for (i, _, _), v in zip(work, verdicts)])
    row["reasons"] = {i: v.reason for (i, _, _), v in zip(work, verdicts)}
    row["toolchain"] = verifier.toolchain()
    return row


def measure_reward_service(work: list[tuple[str, Task, str]], workers: int, timeout: float) -> dict:
    from prover.evaluation.backends import local_factory
    from prover.extract import extract
    from prover.train.rewards import RewardService

    raws = [f"```dafny\n{body}\n```" for _, _, body in work]
    differ = [i for (i, t, body), raw in zip(work, raws) if extract(raw, t, "chat").text != body]
    if differ:
        raise SystemExit(f"extraction changes these candidates, so the row would check other programs: {differ}")
    service = RewardService(local_factory("dafny", {"timeout": timeout, "confirm_failures": False}), workers=workers)
    try:
        # One warm-up group per worker thread starts its checker's server (untimed, as for the pools).
        warm = [Task(f"warm{w}", "dafny", f"lemma W{w}() ensures true\n") for w in range(workers)]
        service.score_many([t for t in warm for _ in range(2)], ["```dafny\n{\n}\n```", "```dafny\n{ }\n```"] * workers,
                           ["chat"] * 2 * workers)
        start = time.monotonic()
        scored = service.score_many([t for _, t, _ in work], raws, ["chat"] * len(work))
        wall = time.monotonic() - start
    finally:
        service.close()
    row = _row(wall, [(i, s.verdict.seconds, s.verdict.status) for (i, _, _), s in zip(work, scored)])
    row["reasons"] = {i: s.verdict.reason for (i, _, _), s in zip(work, scored)}
    return row


def _row(wall: float, results: list[tuple[str, float, str]]) -> dict:
    lat = sorted(s for _, s, _ in results)
    return {"checks": len(results), "wall_s": round(wall, 2), "checks_per_s": round(len(results) / wall, 3),
            "p50_s": round(statistics.median(lat), 3), "p95_s": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 3),
            "outcomes": {i: v for i, _, v in results}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=40, help="number of team tasks (default 40)")
    ap.add_argument("--samples", type=int, default=2, help="portfolio bodies per task besides the five kinds (default 2)")
    ap.add_argument("--workers", type=int, default=2, help="parallel checks for every row (default 2)")
    ap.add_argument("--timeout", type=float, default=60.0, help="hard per-check timeout, s (default 60)")
    ap.add_argument("--smollm2", type=Path, default=SMOLLM2_SAMPLES,
                    help="stored SmolLM2 samples to include (default bench/data/smollm2_team_samples.json)")
    ap.add_argument("--kinds", help="comma-separated candidate kinds to keep, by prefix: reference, empty, "
                    "true-assert, false-assert, portfolio, smollm2 (default: all)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    args = ap.parse_args(argv)

    tasks = load_benchmark("dafny-team")[: args.limit]
    work, excluded = [], []
    programs: dict[str, str] = {}
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip()) if args.kinds else ()
    for item_id, task, body in items(tasks, args.samples, smollm2_samples(args.smollm2)):
        if kinds and not item_id.split("#", 1)[1].startswith(kinds):
            continue
        program = stock_program(task, body)
        if program is None:
            excluded.append(item_id)
            continue
        work.append((item_id, task, body))
        programs[item_id] = program
    print(f"{len(work)} candidates of {len(tasks)} team tasks, {args.workers} workers, timeout {args.timeout:g} s, "
          f"load average {os.getloadavg()[0]:.1f}; excluded by the gate: {excluded}", file=sys.stderr)

    stock = measure_stock(programs, args.workers, args.timeout)
    rows = {"stock dafny per check": stock}
    modes = (("prover verify (exact)", True, 1), ("prover verify (fast)", False, BATCH_SIZE),
             ("fast, unbatched", False, 1))
    for label, confirm, batch_size in modes:
        with DafnyVerifier(workers=args.workers, timeout=args.timeout, confirm_failures=confirm,
                           batch_size=batch_size) as v:
            # Start the servers before timing (one-time, about 3 s each): a pool lives for a whole job.
            v.check_many([(Task("warm", "dafny", "lemma W() ensures true\n"), Candidate(f"w{i}", "{\n}"))
                          for i in range(args.workers)])
            rows[label] = measure_verifier(v, work, label)
    rows["train's reward service"] = measure_reward_service(work, args.workers, args.timeout)
    print(f"{len(work)} candidates ({len(tasks)} team tasks x {len(work) / max(1, len(tasks)):.1f}), "
          f"{args.workers} workers, cache off, load average {os.getloadavg()[0]:.1f}, {rows['prover verify (fast)']['toolchain']}")
    smol = [i for i, _, _ in work if "#smollm2-" in i]
    smol_out = [i for i in excluded if "#smollm2-" in i]
    print(f"SmolLM2 samples with extractable text: {len(smol) + len(smol_out)}, reached Dafny: {len(smol)}; "
          f"excluded by the gate before any Dafny call (not timed): {len(excluded)} items")
    for name, r in rows.items():
        ratio = r["checks_per_s"] / stock["checks_per_s"]
        disagree = sorted(k for k in r["outcomes"] if (r["outcomes"][k] == "verified") != (stock["outcomes"][k] == "verified"))
        r["ratio"], r["disagree"] = round(ratio, 2), disagree
        false_neg = [k for k in disagree if stock["outcomes"][k] == "verified"]
        false_pos = [k for k in disagree if r["outcomes"][k] == "verified"]
        r["false_negatives"], r["false_positives"] = false_neg, false_pos
        verified = sum(v == "verified" for v in r["outcomes"].values())
        print(f"{name:>24}: {r['checks_per_s']:.2f} checks/s  ratio {ratio:.2f}x  (wall {r['wall_s']:.1f} s, "
              f"p50 {r['p50_s']:.2f} s, p95 {r['p95_s']:.2f} s, {verified}/{r['checks']} verified; "
              f"agrees with stock dafny /trace on {r['checks'] - len(disagree)}/{r['checks']})")
        if name != "stock dafny per check":
            print(f"{'':>26}false negatives (stock verified, this did not): {len(false_neg)}/{r['checks']} "
                  f"= {len(false_neg) / r['checks']:.1%} {false_neg}")
            print(f"{'':>26}false positives (this verified, stock did not): {len(false_pos)} {false_pos}")
            confirmed = sum("[confirmed by dafny CLI]" in x for x in r["reasons"].values())
            print(f"{'':>26}failures re-checked by a dafny process: {confirmed}")
            for k in disagree:
                print(f"{'':>28}{k}: {r['reasons'][k][:160]}")
    if args.json:
        Path(args.json).write_text(json.dumps({"workers": args.workers, "timeout": args.timeout,
                                               "excluded": excluded, **rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
