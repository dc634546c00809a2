"""Train a prover from verifier rewards: expert iteration (STP) and/or GRPO, as the config says.

OUT holds checkpoints, metrics.jsonl (a line per EI round / GRPO step / held-out eval: reward,
counts of all five verdicts, seconds split into generation / verification / update, GRPO kl and
entropy), a TensorBoard log when tensorboard is installed, and report.md with plots. A killed run
(even SIGKILL) continues with the same command plus --resume; nothing finished is redone.

examples:
  prover train --config configs/train-ei-smoke.yaml --out runs/ei-smoke
  prover train --config configs/train-grpo-smoke.yaml --out runs/grpo-smoke --resume
  prover train --config configs/train-grpo-gpu.yaml --out runs/qwen --ray-address auto
  accelerate launch --multi_gpu --num_processes 4 -m prover.cli train --config configs/train-grpo-gpu.yaml --out runs/q
"""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import UserError

HELP = "train a prover with expert iteration or GRPO against the real verifier (resumable)"
RESUME = "rerun the same command with --resume to continue"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, help="a train YAML (see configs/train-*.yaml); unknown keys are errors")
    p.add_argument("--out", required=True, help="run directory (checkpoints, metrics.jsonl, report.md)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out where it stopped")
    p.add_argument("--ray-address", help="verify on ray actors of this cluster (`auto` = the local one)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def _check_before_claiming(cfg, lang: str, ray_address: str | None) -> None:
    """What a run would fail on later, checked before it claims OUT (a refused start leaves nothing)."""
    from ..policies import resolve_model_path
    from ..verifiers import require_verifier

    try:
        resolve_model_path(cfg.model.path)
    except FileNotFoundError as e:
        raise UserError(f"model.path: {e}") from None
    if not ray_address:  # ray actors verify on their own machines
        require_verifier(lang)


def run(args: argparse.Namespace) -> int:
    from ..configfile import load_config
    from ..train.config import TrainConfig

    cfg = load_config(TrainConfig, args.config)
    from ..evaluation import backends
    from ..train.pipeline import Training
    from ..train.tasks import train_and_heldout

    try:
        train, heldout = train_and_heldout(cfg.tasks)
    except ValueError as e:  # no tasks after the split, or tasks that are no tasks
        raise UserError(str(e)) from None
    lang = train[0].lang
    _check_before_claiming(cfg, lang, args.ray_address)
    factories = []
    for heldout_checks in (False, True):
        options = cfg.verifier.options(lang, heldout=heldout_checks)
        if args.ray_address:
            factories.append(backends.ray_factory(lang, options, args.ray_address, cfg.verifier.workers))
        else:
            factories.append(backends.local_factory(lang, options))
    training = Training(cfg, args.out, factories[0], heldout_factory=factories[1], resume=args.resume,
                        progress=not args.no_progress)
    print(f"train: {len(train)} tasks, held-out: {len(heldout)} tasks, method {cfg.method}", file=sys.stderr)
    final = training.run(train, heldout)
    evals = training.evals
    if len(evals) >= 2:
        print(f"held-out pass@1: {evals[0].label} {100 * evals[0].pass1:.1f}% -> "
              f"{evals[-1].label} {100 * evals[-1].pass1:.1f}%", file=sys.stderr)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:  # under accelerate launch: say which rank got here, the others' lines are interleaved
        print(f"rank {os.environ.get('RANK', '0')}/{world} finished", file=sys.stderr)
    if training.main:
        print(f"final checkpoint: {final}\nreport: {training.out / 'report.md'}", file=sys.stderr)
    return 0
