"""Policies propose proofs: `portfolio` (no weights), `hf:PATH` (transformers), `vllm:PATH` (vLLM)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Policy, Request, Sample

__all__ = ["Policy", "Request", "Sample", "load_policy", "resolve_model_path"]


def resolve_model_path(name: str) -> Path:
    """A checkpoint directory: `name` itself when it exists, else `models_dir()/name`."""
    from ..config import models_dir

    given = Path(name).expanduser()
    if given.is_dir():
        return given
    installed = models_dir() / name
    if installed.is_dir():
        return installed
    hint = " (install it with `prover setup-model smollm2-135m`)" if "smollm2" in name else ""
    raise FileNotFoundError(f"no model directory {given} or {installed}{hint}")


def load_policy(spec: str, **opts: Any) -> Policy:
    """Build a policy from `portfolio`, `hf:PATH` or `vllm:PATH`; `opts` go to its constructor.

    A bare PATH (no slash) resolves under `prover.config.models_dir()`. Heavy libraries are imported
    only for the policy asked for.
    """
    kind, _, arg = spec.partition(":")
    if kind == "portfolio" and not arg:
        from .portfolio import PortfolioPolicy

        return PortfolioPolicy(**opts)
    if kind == "hf" and arg:
        from .hf import HFPolicy

        return HFPolicy(resolve_model_path(arg), **opts)
    if kind == "vllm" and arg:
        from .vllm import VLLMPolicy

        return VLLMPolicy(resolve_model_path(arg), **opts)
    raise ValueError(f"unknown policy {spec!r}: expected `portfolio`, `hf:PATH` or `vllm:PATH`")
