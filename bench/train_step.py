"""Seconds per GRPO step, split into generation / verification / update, on this machine.

A model of SmolLM2-135M's shape with random weights (speed does not depend on the weights; nothing is
downloaded) and its real tokenizer when installed, on dafny-team tasks, with the real Dafny
verifier. Generation is forced to the full --tokens (random weights rarely stop by themselves), so
the numbers are for fixed-length completions. Random text rarely holds a readable candidate, so
most verdicts are `failed` without a verifier call and the verification column is near zero; for
real verification costs see `bench/dafny_throughput.py` and the `seconds` of `prover train` runs.

    python bench/train_step.py --steps 3 --prompts 2 --generations 4 --tokens 64
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--prompts", type=int, default=2)
    ap.add_argument("--generations", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--layers", type=int, default=None, help="override the number of layers (default: SmolLM2's 30)")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from prover.benchmarks import load_benchmark
    from verifier_core.settings import models_dir
    from prover.evaluation.backends import local_factory
    from prover.train.grpo import GRPOOptions, build_trainer
    from prover.train.rewards import RewardService

    smol = models_dir() / "smollm2-135m"
    tmp = Path(tempfile.mkdtemp(prefix="train-step-"))
    if not (smol / "config.json").exists():
        raise SystemExit("needs SmolLM2's config and tokenizer: run `prover setup-model smollm2-135m` first")
    cfg = LlamaConfig.from_pretrained(smol)
    tok = AutoTokenizer.from_pretrained(smol)
    if args.layers:
        cfg.num_hidden_layers = args.layers
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg)
    model.generation_config.eos_token_id = None  # never stop early: fixed-length completions
    model.save_pretrained(tmp / "model")
    tok.save_pretrained(tmp / "model")
    tasks = load_benchmark("dafny-team")[: max(args.prompts * 2, 4)]
    service = RewardService(local_factory("dafny", {"timeout": 60}), workers=2)
    rows = []
    opts = GRPOOptions(steps=args.steps, prompts_per_step=args.prompts, num_generations=args.generations,
                       learning_rate=1e-6, save_every=10**9, rollout_chunk=8)

    def on_step(step, logs, stats):
        counts, check_s = service.take_counts()
        wall = time.monotonic() - stats.started
        rows.append((step, wall, stats.generation, check_s, stats.verification_wait,
                     wall - stats.generation - stats.verification_wait, counts))

    trainer = build_trainer(tmp / "model", tasks, opts, service, tmp / "run", temperature=1.0, top_p=1.0,
                            max_new_tokens=args.tokens, prompt_style="completion", on_step=on_step)
    trainer.args.save_strategy = "no"
    trainer.train()
    service.close()
    device = "cuda" if torch.cuda.is_available() else f"cpu ({torch.get_num_threads()} threads)"
    n = args.prompts * args.generations
    print(f"\nGRPO step, {cfg.num_hidden_layers}-layer SmolLM2 shape ({sum(p.numel() for p in model.parameters()) / 1e6:.0f} M params), "
          f"{n} completions x {args.tokens} tokens, {device}:")
    print("step  wall s  generation s  verification s (checks / waited)  update s  verdicts")
    for step, wall, gen, check, wait, upd, counts in rows:
        print(f"{step:>4}  {wall:6.1f}  {gen:12.1f}  {check:8.1f} / {wait:6.1f}                {upd:8.1f}  "
              + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    if len(rows) > 1:
        later = rows[1:]
        print(f"mean of steps 2..: wall {sum(r[1] for r in later) / len(later):.1f} s, generation "
              f"{sum(r[2] for r in later) / len(later):.1f} s, update {sum(r[5] for r in later) / len(later):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
