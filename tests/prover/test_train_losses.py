"""Every loss variant against values computed by hand on tiny tensors."""

import math

import pytest

torch = pytest.importorskip("torch")

from prover.train.losses import hard_reset, policy_loss, scorable_mask, topr_coefs  # noqa: E402

NAN = float("nan")


def _lp():
    # 3 samples x 2 tokens of log-probs; the second token of sample 2 is padding
    return torch.tensor([[-1.0, -2.0], [-0.5, -0.5], [-3.0, 0.0]], requires_grad=True)


MASK = torch.tensor([[1.0, 1.0], [1.0, 1.0], [1.0, 0.0]])


def test_error_rows_leave_the_loss_and_the_token_count():
    rewards = torch.tensor([1.0, NAN, 0.0])
    assert scorable_mask(MASK, rewards).tolist() == [[1, 1], [0, 0], [1, 0]]
    lp = _lp()
    parts = policy_loss("w_reinforce", lp, MASK, rewards, lam=1.0)
    # sample 0 positive (coef +1): -(-1 - 2) = 3; sample 2 negative (coef -1): +(-3) = -3; 3 tokens
    assert parts.loss.item() == pytest.approx((3.0 - 3.0) / 3)
    parts.loss.backward()
    assert lp.grad[1].abs().sum().item() == 0.0  # the error sample gets no gradient at all
    assert lp.grad[0].tolist() == pytest.approx([-1 / 3, -1 / 3])
    assert lp.grad[2].tolist() == pytest.approx([1 / 3, 0.0])


def test_w_reinforce_lambda_weights_positives():
    rewards = torch.tensor([1.0, 0.0, 1.0])
    lp = _lp()
    parts = policy_loss("w_reinforce", lp, MASK, rewards, lam=0.1)
    # positives: 0.1 * -(-3) = 0.3 and 0.1 * 3 = 0.3; negative: -(+1)*... = (-0.5 - 0.5) = -1; 5 tokens
    assert parts.loss.item() == pytest.approx((0.3 + 0.3 - 1.0) / 5)
    nsr = policy_loss("w_reinforce", _lp(), MASK, rewards, lam=0.0)  # negative-sample reinforcement only
    assert nsr.loss.item() == pytest.approx(-1.0 / 5)


def test_topr_truncates_negative_importance_weights():
    lp = _lp()
    behavior = torch.tensor([[-1.0, -2.0], [-1.0, -1.0], [-2.0, 0.0]])
    rewards = torch.tensor([1.0, 0.0, 0.0])
    coefs = topr_coefs(lp, behavior, MASK, rewards, trunc=1.0)
    # sample 1: log ratio = 0.5 + 0.5 = 1 -> ratio e, truncated to 1; sample 2: ratio e^-1 (kept)
    assert coefs.tolist() == pytest.approx([1.0, -1.0, -math.exp(-1)])
    assert topr_coefs(lp, behavior, MASK, rewards, trunc=2.0).tolist()[1] == pytest.approx(-2.0)
    parts = policy_loss("topr", lp, MASK, rewards, behavior_logps=behavior, trunc=1.0)
    expect = (3.0 + (-1.0) * 1.0 + (-3.0) * math.exp(-1)) / 5
    assert parts.loss.item() == pytest.approx(expect)
    parts.loss.backward()
    # the importance weight is a constant (no gradient through it): d/dlp of sample 2 = e^-1 / 5
    assert lp.grad[2, 0].item() == pytest.approx(math.exp(-1) / 5)


def test_topr_without_behavior_logprobs_is_on_policy():
    lp = _lp()
    parts = policy_loss("topr", lp, MASK, torch.tensor([0.0, 0.0, 0.0]))
    assert parts.loss.item() == pytest.approx((-3.0 - 1.0 - 3.0) / 5)  # every ratio is exactly 1


def test_kl_and_entropy_bonus():
    lp = _lp()
    ref = lp.detach() + torch.tensor([[0.1, 0.0], [0.0, 0.0], [0.0, 0.0]])
    ent = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 100.0]])  # the padded 100 must not count
    rewards = torch.tensor([1.0, 1.0, 1.0])
    parts = policy_loss("w_reinforce", lp, MASK, rewards, lam=1.0, ref_logps=ref, beta=0.5, entropies=ent,
                        entropy_coef=0.01)
    kl0 = math.exp(0.1) - 0.1 - 1
    pg = (3.0 + 1.0 + 3.0) / 5
    mean_ent = (1 + 2 + 3 + 4 + 5) / 5
    assert parts.kl == pytest.approx(kl0 / 5, rel=1e-4)
    assert parts.entropy == pytest.approx(mean_ent)
    assert parts.loss.item() == pytest.approx(pg + 0.5 * kl0 / 5 - 0.01 * mean_ent, rel=1e-4)


def test_unknown_variant_is_an_error():
    with pytest.raises(ValueError, match="unknown policy loss"):
        policy_loss("ppo", _lp(), MASK, torch.zeros(3))


def test_hard_reset_copies_policy_into_reference_and_clears_optimizer():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    ref = torch.nn.Linear(3, 2)
    opt = torch.optim.AdamW(model.parameters(), lr=0.1)
    model(torch.ones(1, 3)).sum().backward()
    opt.step()
    assert opt.state and not torch.equal(model.weight, ref.weight)
    hard_reset(model, ref, opt)
    assert torch.equal(model.weight, ref.weight) and torch.equal(model.bias, ref.bias)
    assert len(opt.state) == 0
    before = model.weight.detach().clone()
    model(torch.ones(1, 3)).sum().backward()
    opt.step()  # a fresh Adam step moves every weight by ~lr (m/sqrt(v) = 1), plus weight decay
    assert (model.weight - before).abs().max().item() == pytest.approx(0.1, rel=0.02)
