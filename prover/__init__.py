"""Train and evaluate language-model theorem provers against formal verifiers (Lean 4, Dafny)."""

__version__ = "0.1.0"
