"""Training provers from verifier rewards: expert iteration (weighted SFT) and the GRPO family.

Heavy libraries (torch, transformers, trl, peft) are imported inside functions, so the config and
selection logic import instantly.
"""
