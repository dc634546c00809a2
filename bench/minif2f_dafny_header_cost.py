"""What the trusted miniF2F-Dafny header costs a check: the same lemmas with and without it.

The lemmas are miniF2F-Dafny problems whose statements use nothing from the header (so they can be
checked without it), with the empty body. Each is checked, one at a time, by one `dafny` process
(Dafny 2.3; CPU seconds include z3's) in these ways:

  no-header    the lemma alone: the baseline;
  trusted      the header as every check gets it (`dafny_env.header.compose`): every header member
               `{:verify false}`, the header cut to what the lemma can reach;
  verify-false every header member `{:verify false}`, the whole header;
  proc-filter  the whole header as is, with Boogie's `/proc:*<lemma>*` so only the lemma's own
               procedures are verified (the option's alternative to `{:verify false}`; DafnyServer
               takes the same option per request).

It prints the median wall and CPU seconds of each way and its ratio to no-header (target <= 2x).

    python bench/minif2f_dafny_header_cost.py --lemmas 4 --repeats 1
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time


def run_dafny(argv_base: list[str], text: str, extra: list[str], timeout: float) -> tuple[float, float, str]:
    """(wall s, CPU s of dafny and z3, output) of one `dafny` run on `text`."""
    from verifier_core.procs import run_limited

    with tempfile.TemporaryDirectory(prefix="hdrcost-") as tmp:
        path = os.path.join(tmp, "p.dfy")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        r = run_limited([*argv_base, *extra, path], timeout=timeout, memory_mb=8192, cwd=tmp,
                        env=dict(os.environ, LC_ALL="C.UTF-8"))
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, r.stdout + r.stderr


def main(argv: list[str] | None = None) -> int:
    from dafny_env import header as H
    from dafny_env.cli_backend import CliRunner
    from dafny_env.dialect import to_dafny2
    from dafny_env.toolchain import detect
    from prover.benchmarks import load_benchmark

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lemmas", type=int, default=4, help="how many header-free problems to time")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--ways", nargs="+", default=["no-header", "trusted", "verify-false", "proc-filter"])
    args = ap.parse_args(argv)

    tc = detect()
    base = [*CliRunner(tc).dafny(), "/compile:0", "/nologo", "/vcsCores:1", "/timeLimit:60", *tc.z3_args]
    tasks = load_benchmark("minif2f-dafny-valid")
    header = tasks[0].header
    reserved = H.reserved_names(header)
    free = [t for t in tasks if not (H._identifiers(t.statement) & reserved)][: args.lemmas]
    print(f"{tc.stamp}; {len(free)} header-free lemmas: {', '.join(t.id for t in free)}")
    times: dict[str, list[tuple[float, float]]] = {w: [] for w in args.ways}
    for t in free:
        program = to_dafny2(t.statement + "{\n}\n").text
        name = t.id.replace("_", "__")
        texts = {
            "no-header": (program, []),
            "trusted": (H.compose(header, program, tc.major).text, []),
            "verify-false": (H.compose(header, program, tc.major, prune=False).text, []),
            "proc-filter": (H.compose(header, program, tc.major, trusted=False).text, [f"/proc:*{name}"]),
        }
        for _ in range(args.repeats):
            for way in args.ways:
                text, extra = texts[way]
                wall, cpu, out = run_dafny(base, text, extra, args.timeout)
                summary = next((ln for ln in out.splitlines() if "finished with" in ln or "errors detected" in ln), "?")
                print(f"  {t.id:<45} {way:<13} wall {wall:7.2f} s  cpu {cpu:6.2f} s  {summary.strip()}")
                times[way].append((wall, cpu))
    print(f"\n{'way':<13} {'median wall s':>14} {'median cpu s':>13} {'wall ratio':>11} {'cpu ratio':>10}")
    ref_wall = statistics.median(w for w, _ in times["no-header"]) if times.get("no-header") else None
    ref_cpu = statistics.median(c for _, c in times["no-header"]) if times.get("no-header") else None
    for way, xs in times.items():
        if not xs:
            continue
        wall, cpu = statistics.median(w for w, _ in xs), statistics.median(c for _, c in xs)
        ratio_w = f"{wall / ref_wall:.2f}x" if ref_wall else "-"
        ratio_c = f"{cpu / ref_cpu:.2f}x" if ref_cpu else "-"
        print(f"{way:<13} {wall:14.2f} {cpu:13.2f} {ratio_w:>11} {ratio_c:>10}")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; CPU time is the steadier measure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
