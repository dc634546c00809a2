"""Policy-gradient losses TRL's GRPOTrainer lacks, as pure functions of small tensors.

- `w_reinforce`: Weighted REINFORCE (Zhu et al. 2025, "The surprising effectiveness of negative
  reinforcement"): rewards as +-1, positives weighted by `lam`; `lam = 0` is negative-sample
  reinforcement (only push down wrong proofs).
- `topr`: Tapered Off-Policy REINFORCE (Le Roux et al. 2025): positives get the plain (SFT-like)
  gradient; negatives are weighted by the sequence importance ratio pi/mu truncated to [0, `trunc`],
  which keeps off-policy negatives from blowing up.

Both read a sample as positive when its reward is above `threshold` (verified = 1, else 0 by
default). A sample whose reward is NaN (a verifier `error`) is removed from the loss and from the
token count. Tokens are averaged over the whole batch (like TRL's `bnpo`), then a k3 KL term
(`beta`) is added and an entropy bonus (`entropy_coef`) subtracted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LossParts:
    loss: object  # scalar tensor
    policy: float
    kl: float
    entropy: float


def scorable_mask(mask, rewards):
    """`mask` (B, T) with the rows of NaN-reward (error) samples zeroed."""
    import torch

    ok = ~torch.isnan(rewards)
    return mask * ok.unsqueeze(1).to(mask.dtype)


def masked_mean(x, mask):
    return (x * mask).sum() / mask.sum().clamp(min=1.0)


def sample_signs(rewards, threshold: float = 0.5):
    """+1 for a positive sample, -1 for a negative one (NaN rows get -1 but are masked anyway)."""
    import torch

    return torch.where(rewards > threshold, 1.0, -1.0).to(torch.float32)


def w_reinforce_coefs(rewards, lam: float, threshold: float = 0.5):
    """Per-sample coefficient of log pi: `lam` for positives, -1 for negatives."""
    import torch

    return torch.where(rewards > threshold, float(lam), -1.0).to(torch.float32)


def topr_coefs(logps, behavior_logps, mask, rewards, trunc: float = 1.0, threshold: float = 0.5):
    """Per-sample coefficient of log pi: +1 for positives, -clip(pi(y)/mu(y), 0, trunc) for negatives."""
    import torch

    log_ratio = ((logps.detach() - behavior_logps) * mask).sum(-1)
    ratio = torch.exp(log_ratio).clamp(min=0.0, max=float(trunc))
    return torch.where(rewards > threshold, torch.ones_like(ratio), -ratio).to(torch.float32)


def policy_loss(variant: str, logps, mask, rewards, *, lam: float = 1.0, behavior_logps=None, trunc: float = 1.0,
                threshold: float = 0.5, ref_logps=None, beta: float = 0.0, entropies=None,
                entropy_coef: float = 0.0) -> LossParts:
    """The loss of `variant` (`w_reinforce` or `topr`); see the module docstring. Shapes: (B, T), rewards (B,)."""
    import torch

    m = scorable_mask(mask.float(), rewards)
    safe_rewards = torch.nan_to_num(rewards, nan=0.0)
    if variant == "w_reinforce":
        coef = w_reinforce_coefs(safe_rewards, lam, threshold)
    elif variant == "topr":
        mu = logps.detach() if behavior_logps is None else behavior_logps
        coef = topr_coefs(logps, mu, m, safe_rewards, trunc, threshold)
    else:
        raise ValueError(f"unknown policy loss {variant!r}: expected 'w_reinforce' or 'topr'")
    per_token = -coef.unsqueeze(1) * logps
    pg = masked_mean(per_token, m)
    loss = pg
    kl_value = 0.0
    if beta and ref_logps is not None:
        kl = torch.exp(ref_logps - logps) - (ref_logps - logps) - 1
        kl_mean = masked_mean(kl, m)
        loss = loss + beta * kl_mean
        kl_value = float(kl_mean.detach())
    ent_value = 0.0
    if entropies is not None:
        ent = masked_mean(entropies, m)
        ent_value = float(ent.detach())
        if entropy_coef:
            loss = loss - entropy_coef * ent
    return LossParts(loss, float(pg.detach()), kl_value, ent_value)


def hard_reset(model, ref_model, optimizer) -> None:
    """ProRL's periodic reset: the reference becomes the current policy and the optimizer forgets its moments."""
    import torch

    if ref_model is not None:
        with torch.no_grad():
            ref_model.load_state_dict(model.state_dict(), strict=False)
    if optimizer is not None:
        optimizer.state.clear()
