"""The `prover train` config: typed dataclasses read with `prover.configfile` (unknown keys are errors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from verifier_core.languages import language, options_for


from .expert_iteration import EIConfig
from .grpo import GRPOOptions
from .rewards import RewardConfig
from .sft import SFTConfig
from .tasks import TaskSetConfig


@dataclass
class ModelConfig:
    """The starting checkpoint (a directory, or a name under `prover setup-model`'s models dir) and sampling."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("top_p", "max_new_tokens", "batch_size")
    FRACTIONS: ClassVar[tuple[str, ...]] = ("top_p",)

    path: str = "smollm2-135m"
    prompt_style: Literal["completion", "chat"] = "completion"
    temperature: float = 1.0
    top_p: float = 1.0
    max_new_tokens: int = 256
    batch_size: int | None = None  # rows per generate call; default 8 on CPU, 128 on a GPU


@dataclass
class Sampling:
    """One phase's sampling settings; a field left None takes `model`'s."""

    temperature: float | None = None
    top_p: float | None = None
    max_new_tokens: int | None = None


@dataclass
class PhaseSampling:
    """Sampling per phase: held-out evals (a lower temperature measures what the model knows), EI
    rounds and GRPO rollouts (exploration)."""

    heldout: Sampling = field(default_factory=Sampling)
    ei: Sampling = field(default_factory=Sampling)
    grpo: Sampling = field(default_factory=Sampling)


@dataclass
class WarmStart:
    """The `sft` stage: plain SFT on verified solutions before any RL. `corpus` is a JSONL file of
    `{"task": <Task>, "candidate": <verified candidate>, "source": ...}` (see prover.train.corpus)."""

    corpus: str | None = None
    epochs: int = 2
    learning_rate: float = 1e-4


@dataclass
class VerifierConfig:
    """Dafny's two modes (README, "Dafny"): exact re-checks DafnyServer's proof failures that can
    be server false negatives with one `dafny` process; fast does not, and checks up to `batch_size`
    candidates of one task in one request (`dafny_env/batching.py`), which decides their failures; a
    batched `verified` is re-checked alone, since z3 can prove a body beside its batch-mates that it
    does not prove alone. A false `failed` only lowers a reward. Training samples and GRPO rewards use `confirm_failures` (fast by default); the
    held-out evals inside training use `heldout_confirm_failures` (exact by default, so that their
    pass@1 is comparable with `prover eval`'s). Both modes are recorded in run.json and metrics."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("workers", "timeout", "batch_size")

    workers: int = 2  # verifier threads (each with its own verifier process or ray actor)
    timeout: float | None = None  # seconds per check; None = the verifier's default
    confirm_failures: bool = False  # Dafny, training samples and rewards: False = fast mode
    heldout_confirm_failures: bool = True  # Dafny, held-out evals: True = exact mode
    batch_size: int = 8  # Dafny fast mode: candidates of one task per request (1 = each alone)

    def options(self, lang: str, heldout: bool = False) -> dict:
        """The verifier options of training checks (or of the held-out evals) for `lang`."""
        out: dict = {} if self.timeout is None else {"timeout": self.timeout}
        out["confirm_failures"] = self.heldout_confirm_failures if heldout else self.confirm_failures
        if not heldout:
            out["batch_size"] = self.batch_size
        return options_for(language(lang), out)


@dataclass
class TrainConfig:
    method: Literal["ei", "grpo", "ei+grpo", "sft", "sft+ei", "sft+grpo", "sft+ei+grpo"] = "ei"
    model: ModelConfig = field(default_factory=ModelConfig)
    tasks: TaskSetConfig = field(default_factory=TaskSetConfig)
    verifier: VerifierConfig = field(default_factory=VerifierConfig)
    rewards: RewardConfig = field(default_factory=RewardConfig)
    ei: EIConfig = field(default_factory=EIConfig)
    sft: SFTConfig = field(default_factory=SFTConfig)
    grpo: GRPOOptions = field(default_factory=GRPOOptions)
    warm_start: WarmStart = field(default_factory=WarmStart)
    sampling: PhaseSampling = field(default_factory=PhaseSampling)
    # leave out of EI and GRPO the train tasks whose empty body verifies: their proofs teach `{}`
    skip_trivial: bool = True
    heldout_samples: int = 4  # samples per held-out task for pass@1 (0 = no held-out eval)
    eval_before: bool = True  # evaluate the starting checkpoint too
    seed: int = 0

    def stages(self) -> list[str]:
        return self.method.split("+")

    def sampling_for(self, phase: str) -> tuple[float, float, int]:
        """(temperature, top_p, max_new_tokens) of `phase` (heldout | ei | grpo)."""
        s: Sampling = getattr(self.sampling, phase)
        m = self.model
        return (m.temperature if s.temperature is None else s.temperature, m.top_p if s.top_p is None else s.top_p,
                m.max_new_tokens if s.max_new_tokens is None else s.max_new_tokens)
