"""The typed self-play config (`prover selfplay --config FILE`); every STP constant lives here.

Loaded with `prover.configfile.load_config`, so an unknown key is an error that names the closest
known one. Defaults are STP's (Dong & Ma 2025, arXiv:2502.00212) where STP has the constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, Optional

from prover.train.sft import SFTConfig

MUTATION_OPERATORS = ("constant", "bound", "swap", "drop_hypothesis", "quantifier_range", "compose")


@dataclass
class SeedsConfig:
    """Where seed statements come from: benchmark names or task JSONL files (never miniF2F-test)."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("limit", "heldout_limit")
    FRACTIONS: ClassVar[tuple[str, ...]] = ("heldout_fraction",)

    benchmarks: list[str] = field(default_factory=lambda: ["dafny-team"])
    files: list[str] = field(default_factory=list)
    # fraction of the seeds held out (by a fixed hash of the task id) for the per-round held-out eval
    heldout_fraction: float = 0.25
    limit: Optional[int] = None  # the first N training seeds (after the split)
    heldout_limit: Optional[int] = None  # the first N held-out tasks


@dataclass
class ConjecturerConfig:
    """`mutation` (no weights) or a policy spec (`hf:PATH`, `vllm:PATH`) with STP's conjecturer prompt."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("per_seed", "max_per_round", "top_p", "max_new_tokens", "batch_size")
    FRACTIONS: ClassVar[tuple[str, ...]] = ("empty_lemma_prob", "lemma_max_share", "top_p")

    kind: Literal["mutation", "policy"] = "mutation"
    policy: str = ""
    per_seed: int = 4  # conjectures asked for per (seed, lemma) input
    max_per_round: int = 64  # STP caps the conjectures of a round at N (the number of originals)
    operators: list[str] = field(default_factory=lambda: list(MUTATION_OPERATORS))
    empty_lemma_prob: float = 0.5  # STP: a seed is also paired with the empty lemma with probability 0.5
    lemma_max_share: float = 0.1  # STP: a lemma may be used by at most 10% of the inputs
    temperature: float = 1.0
    top_p: float = 0.95
    max_new_tokens: int = 192
    prompt_style: Optional[Literal["completion", "chat"]] = "completion"
    batch_size: Optional[int] = None


@dataclass
class ProverConfig:
    """The policy that proves conjectures, canaries and originals (k samples each)."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("samples", "top_p", "max_new_tokens", "batch_size", "gen_batch",
                                           "workers", "timeout", "rollout_actors")
    FRACTIONS: ClassVar[tuple[str, ...]] = ("top_p",)

    policy: str = "portfolio"
    samples: int = 8
    temperature: float = 1.0
    top_p: float = 0.95
    max_new_tokens: int = 256
    prompt_style: Optional[Literal["completion", "chat"]] = "completion"
    batch_size: Optional[int] = None
    gen_batch: int = 4
    workers: int = 2
    timeout: float = 20.0
    # Dafny: False = the fast mode (README, "Dafny"): DafnyServer's proof failures are not re-checked
    # by a `dafny` process and the statement's members are reused between candidates. A rare false
    # `failed` only lowers a pass rate, it never makes a reward (`verified` is the same in both
    # modes); its measured rate is stamped on every verdict and in run.json/metrics.json.
    confirm_failures: bool = False
    rollout_actors: int = 1  # with --ray-address: ray actors that generate (each holds the policy)


@dataclass
class ValidationConfig:
    """Checks before proving; each rejection is counted under its reason."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("resolve_timeout",)
    FRACTIONS: ClassVar[tuple[str, ...]] = ("near_duplicate_ratio",)

    vacuity_proofs: int = 3  # the portfolio's first (cheapest) proofs tried on `requires ...; ensures false`
    # near-duplicates: equal up to renaming and clause order; with a ratio, also a difflib token ratio
    # at or above it (off by default: a one-token mutant of a short lemma is already ~0.95 similar)
    near_duplicate_ratio: Optional[float] = None
    resolve_timeout: float = 30.0


@dataclass
class SelectionConfig:
    """STP's selection rules; see conjecturer/select.py."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("per_lemma_cap", "max_weight")
    FRACTIONS: ClassVar[tuple[str, ...]] = ("seed_min_pass_rate", "barely_max_pass_rate", "elegance_quantile",
                                            "keep_proved_original_prob")

    seed_min_pass_rate: float = 0.35  # seeds: originals proved with pass rate above this
    barely_max_pass_rate: float = 0.25  # "barely provable": proved at least once, pass rate below this
    require_lemma_use: bool = True  # with a lemma, some verified proof must invoke it
    elegance_quantile: float = 0.2  # drop conjectures below this quantile of proof/statement length ratio
    elegance_min_group: int = 2  # groups (by lemma) smaller than this are kept whole
    per_lemma_cap: int = 16  # most conjecturer examples that share one lemma
    match_top_k: int = 4  # each unproved target up-weights its k most similar conjectures
    max_weight: float = 4.0
    keep_unmatched: bool = True  # keep conjectures no unproved target matched (weight `unmatched_weight`)
    unmatched_weight: float = 0.5
    keep_proved_original_prob: float = 0.05  # STP: a proved original is re-proved with this probability
    audit: bool = True  # re-verify every selected conjecture's proof with a fresh `dafny` process


@dataclass
class ProverSelection:
    """The prover's examples: `prover.train.expert_iteration.select_examples` reads these names."""

    FRACTIONS: ClassVar[tuple[str, ...]] = ("max_pass_rate",)

    max_pass_rate: float = 0.5  # verified proofs of tasks with pass rate <= this (STP)
    length_coef: float = 0.001  # weight exp(-length_coef * len - time_coef * verify_seconds) / n_correct
    time_coef: float = 0.01
    replay_rounds: int = 2  # examples of the last R rounds are trained on again, deduplicated


@dataclass
class TrainConfig:
    """Train both roles with `prover.train.sft.weighted_sft` (one model in both roles: one run on the union)."""

    enabled: bool = False
    sft: SFTConfig = field(default_factory=SFTConfig)
    prover: ProverSelection = field(default_factory=ProverSelection)
    conjecturer_weight: float = 1.0  # multiplies conjecturer example weights against prover ones


@dataclass
class HeldOutConfig:
    samples: int = 4
    enabled: bool = True
    confirm_failures: bool = True  # Dafny: the held-out eval runs in the exact mode, as `prover eval` does


@dataclass
class CanaryConfig:
    enabled: bool = True
    count: int = 3  # canaries planted per round (cycling through the language's list)


@dataclass
class SelfPlayConfig:
    POSITIVE: ClassVar[tuple[str, ...]] = ("rounds",)

    lang: Literal["dafny", "lean"] = "dafny"
    rounds: int = 3
    seed: int = 0
    seeds: SeedsConfig = field(default_factory=SeedsConfig)
    conjecturer: ConjecturerConfig = field(default_factory=ConjecturerConfig)
    prover: ProverConfig = field(default_factory=ProverConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)
    selection: SelectionConfig = field(default_factory=SelectionConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    heldout: HeldOutConfig = field(default_factory=HeldOutConfig)
    canaries: CanaryConfig = field(default_factory=CanaryConfig)

    def __post_init__(self) -> None:
        unknown = [o for o in self.conjecturer.operators if o not in MUTATION_OPERATORS]
        if unknown:
            raise ValueError(f"conjecturer.operators: unknown {unknown}; known: {list(MUTATION_OPERATORS)}")
        if self.conjecturer.kind == "policy" and not self.conjecturer.policy:
            raise ValueError("conjecturer.kind 'policy' needs conjecturer.policy (e.g. hf:smollm2-135m)")
        if any("minif2f-test" in b or b.endswith("-test") for b in self.seeds.benchmarks):
            raise ValueError(f"seeds.benchmarks {self.seeds.benchmarks}: a test benchmark is never a seed")
        if self.rounds < 1 or self.prover.samples < 1:
            raise ValueError("rounds and prover.samples must be >= 1")
