"""The policy options shared by `prover search` and `prover eval`."""

from __future__ import annotations

import argparse
import sys

GENERATION_OPTIONS = ("temperature", "top_p", "max_new_tokens", "prompt_style", "threads", "seed")


def add_policy_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policy", default="portfolio", help="portfolio, hf:PATH or vllm:PATH (default: portfolio); "
                   "a bare hf name such as smollm2-135m resolves under the models folder")
    g = p.add_argument_group("model policies (hf:, vllm:)")
    g.add_argument("--temperature", type=float, default=1.0, help="0 = greedy (default: 1.0)")
    g.add_argument("--top-p", type=float, default=0.95)
    g.add_argument("--max-new-tokens", type=int, default=512)
    g.add_argument("--prompt-style", choices=("completion", "chat"),
                   help="default: chat when the tokenizer has a chat template, else completion")
    g.add_argument("--threads", type=int, help="torch CPU threads (default: $PROVER_TORCH_THREADS or 1)")
    g.add_argument("--seed", type=int)


def policy_identity(args: argparse.Namespace) -> str:
    """The policy spec plus the generation options that shape its samples (stamped on results)."""
    if args.policy == "portfolio":
        return args.policy
    opts = " ".join(f"{k}={getattr(args, k)}" for k in GENERATION_OPTIONS
                    if k != "threads" and getattr(args, k) is not None)
    return f"{args.policy} {opts}".strip()


def load_policy_from_args(args: argparse.Namespace, prog: str, **extra):
    """Build the policy the arguments name; print why not and return None when it cannot be built."""
    from ..policies import load_policy

    # The portfolio ignores generation options, so every policy gets the same keyword arguments.
    opts = {k: getattr(args, k) for k in GENERATION_OPTIONS if getattr(args, k) is not None}
    opts.update(extra)
    try:
        return load_policy(args.policy, **opts)
    except (ValueError, FileNotFoundError, RuntimeError, ImportError) as e:
        print(f"{prog}: cannot load policy {args.policy!r}: {e}", file=sys.stderr)
        return None
