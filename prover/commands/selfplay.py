"""STP-style self-play: conjecture -> validate -> prove -> select -> train both roles, round after round.

Each round proposes new statements from seed statements that have verified proofs (by mutation, or
by a model with STP's conjecturer prompt), validates them (well-formed, soundness gate, not a
duplicate, not vacuous; each rejection counted), proves them with k samples together with planted
canaries (known-false statements: one verified stops the run) and the unproved originals, selects
the "barely provable" ones (proved, pass rate < 0.25), re-verifies each selected proof with a fresh
verifier process, trains the prover on selected proofs and the conjecturer on (seed prompt ->
selected conjecture) pairs, and evaluates the prover on held-out originals.

OUT holds rounds/NNN/ (every step's result), metrics.jsonl (a line per round), report.md with plots,
and dataset/ (every verified statement/proof pair; `datasets.load_dataset("json", data_files=...)`).
A killed run continues with the same command plus --resume.

examples:
  prover selfplay --config configs/selfplay-dafny-smoke.yaml --out runs/sp-smoke
  prover selfplay --config configs/selfplay-dafny-smollm2.yaml --out runs/sp-smollm2 --resume
  prover selfplay --config my-lean.yaml --out runs/sp-lean --ray-address auto
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UserError

HELP = "conjecturer/prover self-play rounds (STP), resumable, on Dafny or Lean"
RESUME = "rerun the same command with --resume to continue"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, help="YAML config (see configs/selfplay-*.yaml); unknown keys are errors")
    p.add_argument("--out", required=True, help="run directory")
    p.add_argument("--resume", action="store_true", help="continue the run in --out where it stopped")
    p.add_argument("--ray-address", help="generate and verify on ray actors of this cluster (`auto`, host:port, "
                                         "or `local` to start a one-machine ray)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    from conjecturer.canaries import CanaryVerified
    from conjecturer.config import SelfPlayConfig
    from conjecturer.selfplay import SelfPlay
    from prover.configfile import load_config
    from prover.verifiers import require_verifier

    cfg = load_config(SelfPlayConfig, args.config)
    if not args.ray_address:  # ray actors verify on their own machines
        require_verifier(cfg.lang)
    sp = SelfPlay(cfg, args.out, resume=args.resume, ray_address=args.ray_address, progress=not args.no_progress,
                  config_text=Path(args.config).read_text(encoding="utf-8"))
    try:
        rows = sp.run()
    except (FileNotFoundError, ValueError) as e:
        raise UserError(str(e)) from None
    except UserError:
        raise  # one line, from prover.cli
    except CanaryVerified as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for r in rows:
        held = r.get("heldout_pass_rate")
        print(f"round {r['round']}: proposed {r['proposed']}, valid {r['valid']}, vacuous {r['vacuous']}, "
              f"duplicate {r['duplicate']}, proved {r['conjectures_proved']}, selected {r['selected']}, "
              f"held-out pass rate {'–' if held is None else f'{100 * held:.1f}%'}")
    print(f"report: {Path(args.out) / 'report.md'}; dataset: {Path(args.out) / 'dataset'}")
    return 0
