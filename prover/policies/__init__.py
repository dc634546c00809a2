"""Policies propose proofs: `portfolio` (no weights), `hf:PATH` (transformers), `vllm:PATH` (vLLM)."""

from __future__ import annotations

import difflib
import inspect
from pathlib import Path
from typing import Any

from .base import Policy, Request, Sample

__all__ = ["Policy", "Request", "Sample", "load_policy", "policy_options", "resolve_model_path"]


def resolve_model_path(name: str) -> Path:
    """A checkpoint directory: `name` itself when it exists, else `models_dir()/name`."""
    from verifier_core.settings import models_dir

    given = Path(name).expanduser()
    if given.is_dir():
        return given
    installed = models_dir() / name
    if installed.is_dir():
        return installed
    hint = " (install it with `prover setup-model smollm2-135m`)" if "smollm2" in name else ""
    raise FileNotFoundError(f"no model directory {given} or {installed}{hint}")


def load_policy(spec: str, *, hints: dict[str, Any] | None = None, **opts: Any) -> Policy:
    """Build a policy from `portfolio`, `hf:PATH` or `vllm:PATH`; `opts` go to its constructor.

    A bare PATH (no slash) resolves under `verifier_core.settings.models_dir()`. Heavy libraries are imported
    only for the policy asked for. An option the policy does not take is a `ValueError` that names
    the ones it does (a misspelt `temprature` silently sampling at the default would waste a run).
    `hints` are the caller's own settings (e.g. a search's batch size), passed only where taken.
    """
    kind, _, arg = spec.partition(":")
    if kind == "portfolio" and not arg:
        from .portfolio import PortfolioPolicy

        return PortfolioPolicy(**_checked(PortfolioPolicy, spec, opts, hints))
    if kind == "hf" and arg:
        from .hf import HFPolicy

        return HFPolicy(resolve_model_path(arg), **_checked(HFPolicy, spec, opts, hints))
    if kind == "vllm" and arg:
        from .vllm import VLLMPolicy

        return VLLMPolicy(resolve_model_path(arg), **_checked(VLLMPolicy, spec, opts, hints))
    raise ValueError(f"unknown policy {spec!r}: expected `portfolio`, `hf:PATH` or `vllm:PATH`")


def check_policy(spec: str) -> None:
    """Raise ValueError / FileNotFoundError when `load_policy(spec)` would, without loading a model:
    a run checks its policies before it claims its output directory."""
    kind, _, arg = spec.partition(":")
    if kind == "portfolio" and not arg:
        return
    if kind in ("hf", "vllm") and arg:
        resolve_model_path(arg)
        return
    raise ValueError(f"unknown policy {spec!r}: expected `portfolio`, `hf:PATH` or `vllm:PATH`")


def policy_options(cls: type) -> list[str]:
    """The keyword options a policy class takes (its model path excluded)."""
    params = inspect.signature(cls).parameters.values()
    return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


def _checked(cls: type, spec: str, opts: dict[str, Any], hints: dict[str, Any] | None) -> dict[str, Any]:
    valid = policy_options(cls)
    unknown = [k for k in opts if k not in valid]
    if unknown:
        named = []
        for k in unknown:
            close = difflib.get_close_matches(k, valid, n=1)
            named.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        takes = f"it takes: {', '.join(valid)}" if valid else "it takes none"
        raise ValueError(f"policy {spec!r} has no option {', '.join(named)}; {takes}")
    return {**{k: v for k, v in (hints or {}).items() if k in valid}, **opts}
