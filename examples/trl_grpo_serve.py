"""Train with plain TRL `GRPOTrainer`, rewarded by this project's verifier through `prover serve`.

  prover serve &                                   # loopback :8000, no key needed there
  python examples/trl_grpo_serve.py --server http://127.0.0.1:8000 --model Qwen/Qwen2.5-0.5B-Instruct --steps 50

The dataset is the team's Dafny tasks (`dafny_env/tasks/team.jsonl`) with the columns the reward
function reads (`statement`, `kind`); TRL passes them to it with every batch. The reward is 1 for
`verified`, 0 for failed/rejected/timeout, None for an infrastructure `error` (TRL leaves it out).
`--async` uses `AsyncProverReward`, which TRL awaits alongside its other async reward functions.
Prints one JSON line: the steps done, the logged mean rewards, the last batch's verdict statuses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def dataset(limit: int):
    from datasets import Dataset

    rows = [json.loads(line) for line in (ROOT / "dafny_env" / "tasks" / "team.jsonl").read_text().splitlines() if line]
    return Dataset.from_list([{"prompt": f"Complete the following Dafny program.\n```dafny\n{r['statement']}\n",
                               "statement": r["statement"], "kind": r["kind"], "id": r["id"]} for r in rows[:limit]])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True, help="URL of a running `prover serve`")
    ap.add_argument("--api-key-file", help="its API key, when it has one")
    ap.add_argument("--model", required=True, help="model name or checkpoint directory")
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--num-generations", type=int, default=4)
    ap.add_argument("--max-completion-length", type=int, default=64)
    ap.add_argument("--limit", type=int, default=8, help="team tasks in the dataset (default 8)")
    ap.add_argument("--out", default="grpo-serve-out")
    ap.add_argument("--async", dest="use_async", action="store_true", help="use the async reward function")
    args = ap.parse_args()

    import torch
    from trl import GRPOConfig, GRPOTrainer

    from prover.rewards.trl import AsyncProverReward, ProverReward

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    key = Path(args.api_key_file).read_text().splitlines()[0].strip() if args.api_key_file else None
    # "program": the completion continues the open fence with a whole program (the prompt's style).
    reward = (AsyncProverReward if args.use_async else ProverReward)(args.server, key, style="program")
    config = GRPOConfig(output_dir=args.out, max_steps=args.steps, per_device_train_batch_size=args.num_generations,
                        num_generations=args.num_generations, max_completion_length=args.max_completion_length,
                        logging_steps=1, save_strategy="no", report_to=[], use_cpu=not torch.cuda.is_available(),
                        disable_tqdm=True, dataloader_num_workers=0)
    trainer = GRPOTrainer(model=args.model, reward_funcs=[reward], args=config, train_dataset=dataset(args.limit))
    trainer.train()
    print(json.dumps({"steps": trainer.state.global_step,
                      "rewards": [log["reward"] for log in trainer.state.log_history if "reward" in log],
                      "statuses": dict(Counter(v.status for v in reward.last_verdicts))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
