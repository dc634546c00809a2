"""Weighted supervised fine-tuning: the prover update of expert iteration (STP's `weighted_lm`).

Each example is (prompt, completion, weight). The loss is the cross-entropy of the completion tokens
only, every token's loss scaled by its example's weight, averaged over all completion tokens of the
batch. It runs on transformers' `Trainer` (so accelerate's multi-GPU launch and bf16 work unchanged);
TRL's SFTTrainer has no per-example weights, so only `compute_loss` is ours.

The result is a plain HF checkpoint (a LoRA adapter is merged first) that `HFPolicy(out_dir)` loads.
A marker file is written last: a directory with it is finished, one without it is retrained.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Sequence

DONE_FILE = "sft_done.json"


@dataclass
class SFTExample:
    """`prompt` is the exact text the model was given; the loss covers `completion` only."""

    prompt: str
    completion: str
    weight: float = 1.0
    task_id: str = ""
    meta: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"prompt": self.prompt, "completion": self.completion, "weight": self.weight,
                "task_id": self.task_id, "meta": self.meta}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SFTExample":
        return cls(d["prompt"], d["completion"], float(d.get("weight", 1.0)), d.get("task_id", ""),
                   dict(d.get("meta") or {}))


@dataclass
class LoraOptions:
    """peft LoRA settings; the adapter is merged into the base weights when training ends."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("r", "alpha")
    FRACTIONS: ClassVar[tuple[str, ...]] = ("dropout",)

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])


@dataclass
class SFTConfig:
    """Every constant of the weighted SFT step (STP used lr 5e-5, 1 epoch, warm-up <= 5 steps)."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("learning_rate", "epochs", "batch_size", "grad_accum", "max_length",
                                           "max_grad_norm")

    learning_rate: float = 5e-5
    epochs: int = 1
    batch_size: int = 4
    grad_accum: int = 1
    max_length: int = 1024
    # 0: a warm-up starts at lr 0, and an EI or self-play round often has only 1-2 steps, so a
    # default warm-up made whole rounds train nothing (measured: self-play's tiny-model test)
    warmup_steps: int = 0
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    lora: LoraOptions | None = None
    normalize_weights: bool = True  # rescale weights to mean 1, so the lr means the same whatever the weights
    bf16: bool = False
    seed: int = 0


def weighted_lm_loss(logits, labels, weights, num_items=None):
    """Mean over completion tokens of (token cross-entropy x its example's weight).

    logits (B, T, V) predict labels (B, T) shifted by one inside this function; label -100 is ignored.
    `num_items` (transformers' `num_items_in_batch`: the completion tokens of every micro-batch of the
    optimizer step) replaces this batch's own count, so that micro-batches add up to the step's mean.
    """
    import torch

    shift_logits = logits[:, :-1, :].float()
    shift_labels = labels[:, 1:]
    mask = shift_labels != -100
    ce = torch.nn.functional.cross_entropy(shift_logits.reshape(-1, shift_logits.size(-1)),
                                           shift_labels.clamp(min=0).reshape(-1), reduction="none")
    ce = ce.view(shift_labels.shape) * mask
    per_token = ce * weights.view(-1, 1).to(ce.dtype)
    if num_items is not None:
        return per_token.sum() / num_items
    return per_token.sum() / mask.sum().clamp(min=1)


def encode_examples(tokenizer, examples: Sequence[SFTExample], max_length: int) -> list[dict[str, Any]]:
    """Token ids with prompt positions labelled -100; too-long rows keep the start of the completion."""
    rows = []
    eos = tokenizer.eos_token or ""
    for ex in examples:
        p = tokenizer(ex.prompt, add_special_tokens=False)["input_ids"]
        c = tokenizer(ex.completion + eos, add_special_tokens=False)["input_ids"]
        if len(p) + len(c) > max_length:
            keep_p = max(0, max_length - len(c))
            p = p[len(p) - keep_p:] if keep_p else []
            c = c[: max_length - len(p)]
        if not c:
            continue
        rows.append({"input_ids": p + c, "labels": [-100] * len(p) + c, "weight": float(ex.weight)})
    return rows


def is_finished(out_dir: str | os.PathLike) -> bool:
    return (Path(out_dir) / DONE_FILE).exists()


def weighted_sft(model_path, examples: Sequence[SFTExample], cfg: SFTConfig, out_dir) -> Path:
    """Fine-tune `model_path` on `examples`, save a plain checkpoint in `out_dir` and return it.

    Idempotent: a finished `out_dir` (its marker file exists) is returned without training. With no
    examples the base weights are copied unchanged, so a round always yields a loadable checkpoint.
    """
    out = Path(out_dir)
    if is_finished(out):
        return out
    if out.exists():
        shutil.rmtree(out)  # a half-written checkpoint from a killed run: start it over
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    t0 = time.monotonic()
    stats = _train(Path(model_path), list(examples), cfg, tmp)
    stats["seconds"] = time.monotonic() - t0
    (tmp / DONE_FILE).write_text(json.dumps(stats, indent=1), encoding="utf-8")
    os.replace(tmp, out)
    return out


def _train(model_path: Path, examples: list[SFTExample], cfg: SFTConfig, out: Path) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainingArguments

    from ..policies.hf import default_threads

    if not torch.cuda.is_available():
        torch.set_num_threads(default_threads())
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
    rows = encode_examples(tokenizer, examples, cfg.max_length)
    stats: dict[str, Any] = {"examples": len(examples), "rows": len(rows), "base": str(model_path)}
    if rows:
        if cfg.normalize_weights:
            mean_w = sum(r["weight"] for r in rows) / len(rows)
            for r in rows:
                r["weight"] = r["weight"] / mean_w if mean_w > 0 else 1.0
        if cfg.lora is not None:
            from peft import LoraConfig, get_peft_model

            model = get_peft_model(model, LoraConfig(r=cfg.lora.r, lora_alpha=cfg.lora.alpha,
                                                     lora_dropout=cfg.lora.dropout,
                                                     target_modules=list(cfg.lora.target_modules),
                                                     task_type="CAUSAL_LM"))
        args = TrainingArguments(
            output_dir=str(out / "trainer"), per_device_train_batch_size=cfg.batch_size,
            gradient_accumulation_steps=cfg.grad_accum, num_train_epochs=cfg.epochs,
            learning_rate=cfg.learning_rate, warmup_steps=cfg.warmup_steps, weight_decay=cfg.weight_decay,
            max_grad_norm=cfg.max_grad_norm, lr_scheduler_type="constant_with_warmup", seed=cfg.seed,
            bf16=cfg.bf16, logging_steps=1, save_strategy="no", report_to=[], remove_unused_columns=False,
            use_cpu=not torch.cuda.is_available(), disable_tqdm=False, dataloader_num_workers=0)
        trainer = _weighted_trainer(model=model, args=args, train_dataset=rows,
                                   data_collator=_Collator(tokenizer.pad_token_id))
        result = trainer.train()
        stats["train_loss"] = float(result.training_loss)
        stats["steps"] = int(result.global_step)
        # per step: the loss and the learning rate it was taken with (a warm-up longer than the run
        # trains at lr 0, which only this shows)
        stats["log"] = [{"step": e["step"], "loss": e["loss"], "learning_rate": e["learning_rate"]}
                        for e in trainer.state.log_history if "loss" in e and "learning_rate" in e]
        if cfg.lora is not None:
            model = model.merge_and_unload()
        shutil.rmtree(out / "trainer", ignore_errors=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return stats


class _Collator:
    """Right-pads a batch; padding is masked from attention and loss."""

    def __init__(self, pad_id: int):
        self.pad_id = pad_id

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        n = max(len(r["input_ids"]) for r in rows)
        ids = torch.full((len(rows), n), self.pad_id, dtype=torch.long)
        labels = torch.full((len(rows), n), -100, dtype=torch.long)
        attn = torch.zeros((len(rows), n), dtype=torch.long)
        for i, r in enumerate(rows):
            k = len(r["input_ids"])
            ids[i, :k] = torch.tensor(r["input_ids"])
            labels[i, :k] = torch.tensor(r["labels"])
            attn[i, :k] = 1
        weights = torch.tensor([r["weight"] for r in rows], dtype=torch.float32)
        return {"input_ids": ids, "attention_mask": attn, "labels": labels, "weights": weights}


def _weighted_trainer(**kwargs):
    """A transformers Trainer whose loss is `weighted_lm_loss` (built here: transformers imports slowly)."""
    from transformers import Trainer

    class WeightedTrainer(Trainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            weights = inputs.pop("weights")
            labels = inputs.pop("labels")
            outputs = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"])
            # transformers leaves the gradient-accumulation division to a loss that takes
            # `num_items_in_batch` (it does not divide again), and with `average_tokens_across_devices`
            # the count covers every process while DDP averages the gradients: scale back up
            loss = weighted_lm_loss(outputs.logits, labels, weights, num_items_in_batch)
            if num_items_in_batch is not None and self.args.average_tokens_across_devices:
                loss = loss * self.accelerator.num_processes
            return (loss, outputs) if return_outputs else loss

    return WeightedTrainer(**kwargs)
