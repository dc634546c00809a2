"""The policy options shared by `prover search` and `prover eval`."""

from __future__ import annotations

import argparse

from ..errors import UserError

from .argtypes import nonnegative_float, nonnegative_int, positive_int, probability

GENERATION_OPTIONS = ("temperature", "top_p", "max_new_tokens", "prompt_style", "threads", "seed")
# The model policies' own defaults, stamped on results when the option is not given. The arguments
# default to None so that an option given to a policy that does not take it is an error, not ignored.
GENERATION_DEFAULTS = {"temperature": 1.0, "top_p": 0.95, "max_new_tokens": 512}


def add_policy_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policy", default="portfolio", help="portfolio, hf:PATH or vllm:PATH (default: portfolio); "
                   "a bare hf name such as smollm2-135m resolves under the models folder")
    g = p.add_argument_group("model policies (hf:, vllm:); the portfolio takes none of these")
    g.add_argument("--temperature", type=nonnegative_float, help="0 = greedy (default: 1.0)")
    g.add_argument("--top-p", type=probability, help="(default: 0.95)")
    g.add_argument("--max-new-tokens", type=positive_int, help="(default: 512)")
    g.add_argument("--prompt-style", choices=("completion", "chat"),
                   help="default: chat when the tokenizer has a chat template, else completion")
    g.add_argument("--threads", type=positive_int, help="torch CPU threads (default: $PROVER_TORCH_THREADS or 1)")
    g.add_argument("--seed", type=nonnegative_int)


def policy_identity(args: argparse.Namespace) -> str:
    """The policy spec plus the generation options that shape its samples (stamped on results)."""
    if args.policy == "portfolio":
        return args.policy
    given = {k: getattr(args, k) for k in GENERATION_OPTIONS if k != "threads"}
    values = {k: GENERATION_DEFAULTS.get(k) if v is None else v for k, v in given.items()}
    opts = " ".join(f"{k}={v}" for k, v in values.items() if v is not None)
    return f"{args.policy} {opts}".strip()


def load_policy_from_args(args: argparse.Namespace, **hints):
    """Build the policy the arguments name; raise `UserError` (one line, exit 2) when it cannot be built.

    `hints` are the command's own settings for policies that take them (see `load_policy`)."""
    from ..policies import load_policy

    # Only the options given reach the policy, which refuses those it does not take (naming its own).
    opts = {k: getattr(args, k) for k in GENERATION_OPTIONS if getattr(args, k) is not None}
    try:
        return load_policy(args.policy, hints=hints, **opts)
    except (ValueError, FileNotFoundError, RuntimeError, ImportError) as e:
        raise UserError(f"cannot load policy {args.policy!r}: {e}") from None
