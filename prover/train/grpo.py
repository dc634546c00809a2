"""The GRPO family on TRL's `GRPOTrainer`, with rewards from the real verifier.

What TRL has is passed through (`GRPOOptions` names it: num_generations, beta, epsilon/epsilon_high,
loss_type, scale_rewards, top_entropy_quantile, mask_truncated_completions, sync_ref_model,
entropy_coef, use_vllm). One small subclass adds:

- error masking: TRL 1.16 turns a `None` reward into NaN and zeroes the advantage of a row whose every
  reward is NaN, but the row still counts in the KL term, the entropy bonus and the token normaliser.
  `ProverGRPOTrainer` zeroes the completion mask of `error` rows, so they leave the loss entirely.
- `pg_loss: w_reinforce | topr` (see `prover.train.losses`), instead of TRL's clipped surrogate.
- ProRL's hard reset of the reference policy and the optimizer state every `reset_every` steps.

Rollouts (when vLLM is off) go through our `HFPolicy.from_model`, in chunks: each chunk's completions
are handed to the reward service at once, so verification overlaps the next chunk's generation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Sequence

from verifier_core.records import Task
from .rewards import RewardService
from .sft import LoraOptions

FINAL_DIR = "final"
DONE_FILE = "grpo_done.json"


@dataclass
class GRPOOptions:
    """GRPO settings: TRL's own options by their TRL names, plus the variants of the subclass."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("steps", "prompts_per_step", "num_generations", "learning_rate",
                                           "num_iterations", "ref_model_sync_steps", "rollout_chunk", "save_every",
                                           "max_prompt_length")
    FRACTIONS: ClassVar[tuple[str, ...]] = ("top_entropy_quantile", "ref_model_mixup_alpha")

    steps: int = 100
    prompts_per_step: int = 4  # distinct tasks per optimizer step; each gets num_generations samples
    num_generations: int = 8
    learning_rate: float = 1e-6
    beta: float = 0.0
    epsilon: float = 0.2
    epsilon_high: float | None = None  # DAPO's clip-higher; None = epsilon
    loss_type: str = "dapo"  # TRL: grpo | bnpo | dr_grpo | dapo | cispo | sapo | ...
    scale_rewards: Literal["group", "batch", "none"] = "group"
    num_iterations: int = 1
    top_entropy_quantile: float = 1.0  # 0.2 = train only on the top-20% entropy (forking) tokens
    mask_truncated_completions: bool = False
    sync_ref_model: bool = False
    ref_model_sync_steps: int = 512
    ref_model_mixup_alpha: float = 0.6
    entropy_coef: float = 0.0  # entropy bonus: loss -= entropy_coef * mean token entropy
    pg_loss: Literal["trl", "w_reinforce", "topr"] = "trl"
    w_reinforce_lambda: float = 0.1  # weight of positive samples; 0 = negative-sample reinforcement
    topr_truncation: float = 1.0  # negatives' importance ratio is clipped to [0, this]
    positive_threshold: float = 0.5  # reward above this = a positive sample (w_reinforce, topr)
    reset_every: int = 0  # ProRL: hard reset of reference + optimizer every N steps (0 = never)
    max_prompt_length: int | None = None
    rollout_chunk: int = 8  # completions per generate call; verification of one overlaps the next
    use_vllm: bool = False
    vllm_mode: Literal["colocate", "server"] = "colocate"
    gradient_checkpointing: bool = False
    bf16: bool = False
    lora: LoraOptions | None = None
    save_every: int = 1  # checkpoint every N steps (a SIGKILL loses at most the step in flight)
    seed: int = 0
    # sample only tasks solved sometimes (0 < p < 1) by the last EI round, else by `curriculum_samples`
    # samples per task measured first; a group of equal rewards has no advantage (DAPO's dynamic sampling)
    curriculum: bool = True
    curriculum_samples: int = 4
    # DAPO's dynamic sampling, its drop half: a group whose scored rewards are all equal has zero
    # advantage, and its tokens only dilute the token-level mean; they leave the loss (no refill)
    drop_constant_groups: bool = False


@dataclass
class StepStats:
    """Seconds of the current step, filled by the rollout and reward functions."""

    generation: float = 0.0
    verification_wait: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def reset(self) -> None:
        self.generation = self.verification_wait = 0.0
        self.started = time.monotonic()


def grpo_args(opts: GRPOOptions, output_dir: Path, temperature: float, top_p: float, max_new_tokens: int):
    from trl import GRPOConfig

    import torch

    return GRPOConfig(
        output_dir=str(output_dir), max_steps=opts.steps, learning_rate=opts.learning_rate,
        per_device_train_batch_size=opts.prompts_per_step * opts.num_generations,
        gradient_accumulation_steps=1, num_generations=opts.num_generations,
        max_completion_length=max_new_tokens, temperature=temperature, top_p=top_p, beta=opts.beta,
        epsilon=opts.epsilon, epsilon_high=opts.epsilon_high, loss_type=opts.loss_type,
        scale_rewards=opts.scale_rewards, num_iterations=opts.num_iterations,
        top_entropy_quantile=opts.top_entropy_quantile, mask_truncated_completions=opts.mask_truncated_completions,
        sync_ref_model=opts.sync_ref_model, ref_model_sync_steps=opts.ref_model_sync_steps,
        ref_model_mixup_alpha=opts.ref_model_mixup_alpha, entropy_coef=opts.entropy_coef,
        use_vllm=opts.use_vllm, vllm_mode=opts.vllm_mode, gradient_checkpointing=opts.gradient_checkpointing,
        bf16=opts.bf16, logging_steps=1, save_strategy="steps", save_steps=max(1, opts.save_every),
        save_total_limit=2, report_to=[], seed=opts.seed, use_cpu=not torch.cuda.is_available(),
        disable_tqdm=False, log_completions=False, shuffle_dataset=True, dataloader_num_workers=0)


def make_trainer_class():
    """`ProverGRPOTrainer`, built on first use (importing trl takes ~10 s)."""
    from trl import GRPOTrainer

    from .losses import hard_reset, policy_loss

    class ProverGRPOTrainer(GRPOTrainer):
        """GRPOTrainer + error masking, W-REINFORCE / TOPR and ProRL resets; see the module docstring."""

        def __init__(self, *args, prover: GRPOOptions, **kwargs):
            self.prover = prover
            self.last_rewards: list[float | None] = []
            super().__init__(*args, **kwargs)

        # ---- error masking (and the raw rewards the variants need)
        def _generate_and_score_completions(self, inputs):
            import torch

            out = super()._generate_and_score_completions(inputs)
            rewards = torch.tensor([float("nan") if r is None else float(r) for r in self.last_rewards],
                                   dtype=torch.float32, device=out["completion_mask"].device)
            if rewards.numel() != out["completion_mask"].shape[0]:
                raise RuntimeError(f"reward function saw {rewards.numel()} rows, batch has "
                                   f"{out['completion_mask'].shape[0]}")
            ok = ~torch.isnan(rewards)
            if self.prover.drop_constant_groups:
                ok = ok & ~constant_groups(rewards, self.num_generations)
            ok = ok.to(out["completion_mask"].dtype)
            out["completion_mask"] = out["completion_mask"] * ok.unsqueeze(1)
            if out.get("num_items_in_batch") is not None:
                # at least 1: a batch of dropped groups has no token, and its loss must be 0, not NaN
                out["num_items_in_batch"] = self.accelerator.gather(out["completion_mask"].sum()).sum().clamp(min=1)
            out["prover_rewards"] = rewards
            return out

        # ---- W-REINFORCE / TOPR
        def _compute_loss(self, model, inputs):
            if self.prover.pg_loss == "trl":
                return super()._compute_loss(model, inputs)
            prompt_ids, prompt_mask = inputs["prompt_ids"], inputs["prompt_mask"]
            completion_ids, completion_mask = inputs["completion_ids"], inputs["completion_mask"]
            import torch

            input_ids = torch.cat([prompt_ids, completion_ids], dim=1)
            attention_mask = torch.cat([prompt_mask, completion_mask], dim=1)
            logps, entropies, _ = self._get_per_token_logps_and_entropies(
                model, input_ids, attention_mask, completion_ids.size(1), compute_entropy=True)
            behavior = inputs.get("sampling_per_token_logps", inputs.get("old_per_token_logps"))
            parts = policy_loss(self.prover.pg_loss, logps, completion_mask, inputs["prover_rewards"],
                                lam=self.prover.w_reinforce_lambda, behavior_logps=behavior,
                                trunc=self.prover.topr_truncation, threshold=self.prover.positive_threshold,
                                ref_logps=inputs.get("ref_per_token_logps"), beta=self.beta, entropies=entropies,
                                entropy_coef=self.prover.entropy_coef)
            mode = "train" if self.model.training else "eval"
            if self.beta != 0.0:
                self._metrics[mode]["kl"].append(parts.kl)
            self._metrics[mode]["entropy"].append(parts.entropy)
            self._metrics[mode]["policy_loss"].append(parts.policy)
            normalizer = self.current_gradient_accumulation_steps if mode == "train" else 1.0
            return parts.loss / normalizer

        def reset_reference_and_optimizer(self) -> None:
            hard_reset(self.accelerator.unwrap_model(self.model), self.ref_model, self.optimizer)

    return ProverGRPOTrainer


def constant_groups(rewards, group_size: int):
    """A row mask: True where the row's group (consecutive `group_size` rows, TRL's order) has one
    scored reward value only (NaN rows, `error`s, are not scored)."""
    import torch

    g = rewards.view(-1, group_size)
    scored = ~torch.isnan(g)
    hi = torch.where(scored, g, torch.full_like(g, -float("inf"))).max(dim=1).values
    lo = torch.where(scored, g, torch.full_like(g, float("inf"))).min(dim=1).values
    const = (hi == lo) | ~scored.any(dim=1)
    return const.repeat_interleave(group_size)


def make_rollout_func(tasks_by_prompt: dict[str, Task], service: RewardService, stats: StepStats,
                      pending: dict[str, Any], opts: GRPOOptions, temperature: float, top_p: float,
                      max_new_tokens: int, prompt_style: str):
    """TRL `rollout_func`: generate with `HFPolicy.from_model` chunk by chunk; verification starts per chunk."""
    from ..policies.base import Request
    from ..policies.hf import HFPolicy

    counter = [0]

    def rollout_func(prompts: list[str], trainer) -> dict[str, Any]:
        model = trainer.accelerator.unwrap_model(trainer.model)
        policy = HFPolicy.from_model(model, trainer.processing_class, temperature=temperature, top_p=top_p,
                                     max_new_tokens=max_new_tokens, batch_size=opts.rollout_chunk,
                                     prompt_style=prompt_style)
        prompt_ids, completion_ids, logprobs, keys = [], [], [], []
        for start in range(0, len(prompts), opts.rollout_chunk):
            chunk = prompts[start:start + opts.rollout_chunk]
            tasks = [tasks_by_prompt[p] for p in chunk]
            t0 = time.monotonic()
            rows = policy.generate_rows([Request(task=t, n=1) for t in tasks])
            stats.generation += time.monotonic() - t0
            futs = service.submit_many([(task, g.raw, g.style) for task, (g,) in zip(tasks, rows)])
            for task, (g,), fut in zip(tasks, rows, futs):
                counter[0] += 1
                key = f"r{counter[0]}"
                pending[key] = fut
                prompt_ids.append(trainer.processing_class(g.prompt, add_special_tokens=False)["input_ids"])
                completion_ids.append(g.token_ids or [min(policy.eos_ids)])
                logprobs.append(g.token_logprobs or [0.0])
                keys.append(key)
        return {"prompt_ids": prompt_ids, "completion_ids": completion_ids, "logprobs": logprobs,
                "rollout_key": keys}

    return rollout_func


def make_reward_func(trainer_ref: list, tasks_by_id: dict[str, Task], service: RewardService, stats: StepStats,
                     pending: dict[str, Any], prompt_style: str):
    """TRL reward function: the verdicts of the rollouts (or, with vLLM, of the completions given)."""
    from ..prompts import build_prompt

    def verifier_reward(prompts, completions, task_id, rollout_key=None, **_):
        t0 = time.monotonic()
        if rollout_key is not None:
            futs = [pending.pop(k) for k in rollout_key]
        else:
            tasks = [tasks_by_id[tid] for tid in task_id]
            futs = service.submit_many([(task, text, build_prompt(task, prompt_style).style)
                                        for task, text in zip(tasks, completions)])
        scored = [f.result() for f in futs]
        stats.verification_wait += time.monotonic() - t0
        rewards = [s.reward for s in scored]
        trainer_ref[0].last_rewards = rewards
        return rewards

    return verifier_reward


def is_finished(out_dir: Path) -> bool:
    return (Path(out_dir) / FINAL_DIR / DONE_FILE).exists()


def build_trainer(model_path: Path, tasks: Sequence[Task], opts: GRPOOptions, service: RewardService,
                  out_dir: Path, *, temperature: float, top_p: float, max_new_tokens: int, prompt_style: str,
                  on_step=None):
    """A ready `ProverGRPOTrainer` on `tasks` (one dataset row per task; the sampler repeats it
    `num_generations` times). `on_step(step, logs, stats)` is called once per finished step."""
    import os

    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback

    from ..policies.hf import default_threads
    from .targets import prompt_text

    if opts.drop_constant_groups and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # a process's rows need not hold whole groups; the mask reads groups from local rows
        raise ValueError("grpo.drop_constant_groups works in one process only")

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    if not torch.cuda.is_available():
        torch.set_num_threads(default_threads())
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
    prompts = {prompt_text(t, prompt_style, tokenizer): t for t in tasks}
    by_id = {t.id: t for t in tasks}
    data = Dataset.from_list([{"prompt": p, "task_id": t.id} for p, t in prompts.items()])
    stats = StepStats()
    pending: dict[str, Any] = {}
    trainer_ref: list = [None]
    peft_config = None
    if opts.lora is not None:
        from peft import LoraConfig

        peft_config = LoraConfig(r=opts.lora.r, lora_alpha=opts.lora.alpha, lora_dropout=opts.lora.dropout,
                                 target_modules=list(opts.lora.target_modules), task_type="CAUSAL_LM")
    args = grpo_args(opts, Path(out_dir) / "trainer", temperature, top_p, max_new_tokens)
    reward = make_reward_func(trainer_ref, by_id, service, stats, pending, prompt_style)
    rollout = None if opts.use_vllm else make_rollout_func(prompts, service, stats, pending, opts, temperature,
                                                           top_p, max_new_tokens, prompt_style)

    class Hooks(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            stats.reset()

        def on_step_end(self, args, state, control, **kw):
            if opts.reset_every and state.global_step % opts.reset_every == 0:
                trainer_ref[0].reset_reference_and_optimizer()

        def on_log(self, args, state, control, logs=None, **kw):
            if on_step is not None and logs and "reward" in logs:
                on_step(state.global_step, dict(logs), stats)

    trainer = make_trainer_class()(model=model, reward_funcs=[reward], args=args, train_dataset=data,
                                   processing_class=tokenizer, peft_config=peft_config, rollout_func=rollout,
                                   callbacks=[Hooks()], prover=opts)
    trainer_ref[0] = trainer
    return trainer


def run_grpo(model_path: Path, tasks: Sequence[Task], opts: GRPOOptions, service: RewardService, out_dir: Path, *,
             temperature: float, top_p: float, max_new_tokens: int, prompt_style: str, on_step=None,
             resume: bool = False) -> Path:
    """Train with GRPO on `tasks`; returns the final checkpoint `out_dir/final` (HFPolicy loads it).

    A checkpoint is saved every `save_every` steps; `resume=True` continues from the newest one.
    """
    import json
    import os
    import shutil

    out_dir = Path(out_dir)
    if is_finished(out_dir):
        return out_dir / FINAL_DIR
    trainer = build_trainer(model_path, tasks, opts, service, out_dir, temperature=temperature, top_p=top_p,
                            max_new_tokens=max_new_tokens, prompt_style=prompt_style, on_step=on_step)
    last = _last_checkpoint(out_dir / "trainer") if resume else None
    trainer.train(resume_from_checkpoint=str(last) if last else None)
    final = out_dir / FINAL_DIR
    if trainer.accelerator.is_main_process:  # the ranks hold the same weights; one writes them
        tmp = out_dir / (FINAL_DIR + ".partial")
        model = trainer.accelerator.unwrap_model(trainer.model)
        if opts.lora is not None:
            model = model.merge_and_unload()
        model.save_pretrained(tmp)
        trainer.processing_class.save_pretrained(tmp)
        (tmp / DONE_FILE).write_text(json.dumps({"steps": trainer.state.global_step}), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    trainer.accelerator.wait_for_everyone()
    return final


def _last_checkpoint(folder: Path) -> Path | None:
    """The newest complete TRL checkpoint in `folder`; partial ones (killed while saving) are removed.

    transformers writes `trainer_state.json` last, so a checkpoint without it was cut short.
    """
    import re
    import shutil

    if not folder.is_dir():
        return None
    found = []
    for d in folder.iterdir():
        m = re.fullmatch(r"checkpoint-(\d+)", d.name)
        if m and d.is_dir():
            if (d / "trainer_state.json").exists():
                found.append((int(m.group(1)), d))
            else:
                shutil.rmtree(d, ignore_errors=True)
    return max(found)[1] if found else None
