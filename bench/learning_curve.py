"""Does SmolLM2-135M get better at the team's Dafny tasks from verifier rewards? (real Dafny, CPU)

Held-out pass@1 (every held-out task x --heldout-samples) of the base model, then --rounds rounds of
expert iteration on the dafny-team train split (hash split, see prover.train.tasks), then --grpo-steps
GRPO steps from the last EI checkpoint, then held-out pass@1 again. Prints the training reward curve,
both pass@1 values and a 95% paired-bootstrap interval over held-out tasks (of after, and of
after - before). The last line reads `held-out pass@1: before X% after Y% (95% CI lo–hi)` where the
interval is that of `after`.

    python bench/learning_curve.py --out runs/learning-curve            # resumable: rerun to continue
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/learning-curve")
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--train-tasks", type=int, default=12, help="first N tasks of the train split (0 = all)")
    ap.add_argument("--heldout-tasks", type=int, default=0, help="first N held-out tasks (0 = all)")
    ap.add_argument("--heldout-samples", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--samples", type=int, default=4, help="EI samples per train task and round")
    ap.add_argument("--grpo-steps", type=int, default=2)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4, help="SFT learning rate")
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from prover.configfile import from_dict
    from prover.evaluation.backends import local_factory
    from prover.train.config import TrainConfig
    from prover.train.metrics import bootstrap_ci
    from prover.train.pipeline import Training
    from prover.train.tasks import train_and_heldout

    cfg = from_dict(TrainConfig, {
        "method": "ei+grpo",
        "model": {"path": args.model, "prompt_style": "completion", "temperature": 1.0, "top_p": 1.0,
                  "max_new_tokens": args.max_new_tokens, "batch_size": args.batch_size},
        "tasks": {"train": ["dafny-team"], "heldout_fraction": 0.3, "limit": args.train_tasks or None,
                  "heldout_limit": args.heldout_tasks or None},
        "verifier": {"workers": 2, "timeout": 60},
        "ei": {"rounds": args.rounds, "samples_per_task": args.samples, "max_pass_rate": 0.5,
               "eval_every": args.rounds, "gen_batch": 8},
        "sft": {"learning_rate": args.lr, "epochs": 2, "batch_size": 4, "max_length": 512, "warmup_steps": 0},
        "grpo": {"steps": args.grpo_steps, "prompts_per_step": 2, "num_generations": 4, "learning_rate": 1e-5,
                 "loss_type": "dapo", "rollout_chunk": 8},
        "heldout_samples": args.heldout_samples,
    }, where="learning_curve")
    t0 = time.time()
    train, held = train_and_heldout(cfg.tasks)
    print(f"dafny-team: {len(train)} train tasks, {len(held)} held-out tasks; {args.rounds} EI rounds x "
          f"{args.samples} samples, {args.grpo_steps} GRPO steps", flush=True)
    run = Training(cfg, args.out, local_factory("dafny", cfg.verifier.options("dafny")), resume=args.resume,
                   heldout_factory=local_factory("dafny", cfg.verifier.options("dafny", heldout=True)))
    run.run(train, held)
    print("\ntraining reward curve (verified fraction of the samples trained on):")
    for r in run.metrics.records():
        if r.get("phase") in ("ei", "grpo"):
            v = r["verdicts"]
            print(f"  {r['phase']:4} {r['step']:>2}: reward {r['reward_mean']:.3f}  "
                  f"(verified {v['verified']}, failed {v['failed']}, rejected {v['rejected']}, "
                  f"timeout {v['timeout']}, error {v['error']})")
    before, after = run.evals[0], run.evals[-1]
    lo, hi, dlo, dhi = bootstrap_ci(before.per_task, after.per_task)
    for e in run.evals:
        print(f"  held-out pass@1 after {e.label}: {100 * e.pass1:.1f}%")
    print(f"after - before: {100 * (after.pass1 - before.pass1):+.1f} points (95% CI {100 * dlo:+.1f} to "
          f"{100 * dhi:+.1f}); {len(held)} held-out tasks x {args.heldout_samples} samples; "
          f"wall {time.time() - t0:.0f} s")
    print(f"held-out pass@1: before {100 * before.pass1:.1f}% after {100 * after.pass1:.1f}% "
          f"(95% CI {100 * lo:.1f}–{100 * hi:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
