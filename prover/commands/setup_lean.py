"""Install Lean 4, Mathlib and the Lean REPL for the verifier (needs internet, about 6 GB of disk).

Steps: elan (the Lean version manager; its official installer), the pinned Lean toolchain, the Lake
project from `lean_env/project` copied to DIR, `lake update` (Mathlib and the REPL at pinned
commits), `lake exe cache get` (Mathlib's compiled files), a REPL build with one test command, and an
`import Mathlib` smoke test. The verifier then finds the REPL in DIR; `prover doctor` shows it.

Variants:
  default  Lean/Mathlib/REPL v4.24.0: for shared/data/minif2f/minif2f.jsonl (yangky11/miniF2F-lean4).
  v4.9     Lean v4.9.0-rc1, DeepSeek's Mathlib fork, REPL v4.9.0-rc1: for the DeepSeek-Prover-V1.5 /
           Goedel / STP statement files (minif2f_deepseek_v1.5.jsonl, minif2f_goedel_v2_test.jsonl);
           use it with PROVER_LEAN_PROJECT=<its DIR>. See lean_env/project_v4_9/lakefile.lean for its
           known build problems.

Elsewhere (no internet here): run this on a machine that has it and copy DIR, then set
PROVER_LEAN_PROJECT=DIR; or set PROVER_LEAN_REPL to any command that starts a REPL.
"""

from __future__ import annotations

import argparse

HELP = "install Lean + Mathlib + the REPL for Lean verification (needs internet)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--variant", choices=["default", "v4.9"], default="default",
                   help="which toolchain/Mathlib pin to install (default: %(default)s)")
    p.add_argument("--dir", default=None,
                   help="install directory (default: <cache>/lean/<variant>, where the verifier looks)")
    p.add_argument("--skip-smoke-test", action="store_true",
                   help="do not import Mathlib in the REPL at the end (saves a minute and several GB of RAM)")
    p.add_argument("--dry-run", action="store_true", help="print the steps without running them")


def run(args: argparse.Namespace) -> int:
    import shlex
    import sys
    from pathlib import Path

    from verifier_core.languages import language

    toolchain = language("lean").toolchain
    default_install_dir, install, install_plan = toolchain.default_install_dir, toolchain.install, toolchain.install_plan

    target = Path(args.dir).expanduser().resolve() if args.dir else default_install_dir(args.variant)
    if args.dry_run:
        print(f"elan (if missing), then copy lean_env project files for {args.variant} to {target}, then:")
        for step in install_plan(target, args.variant):
            print(f"  ({step.cwd or '.'}) {shlex.join(step.argv)}    # {step.title}")
        return 0
    return install(target, args.variant, log=sys.stderr, skip_smoke_test=args.skip_smoke_test)
