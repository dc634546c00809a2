"""Unknown policy options are errors that name the valid ones, never silently ignored."""

import argparse
import sys
from pathlib import Path
import subprocess

import pytest

from prover.commands.policy_args import add_policy_arguments, load_policy_from_args, policy_identity
from prover.policies import load_policy, policy_options

REPO = Path(__file__).resolve().parents[2]


def test_portfolio_takes_no_options():
    assert load_policy("portfolio").name == "portfolio"
    with pytest.raises(ValueError, match="policy 'portfolio' has no option 'temperature'; it takes none"):
        load_policy("portfolio", temperature=0.5)


def test_a_misspelt_model_option_names_the_valid_ones(tmp_path):
    with pytest.raises(ValueError, match=r"no option 'temprature' \(did you mean 'temperature'\?\); it takes: "
                                         r"temperature, top_p, max_new_tokens"):
        load_policy(f"hf:{tmp_path}", temprature=0.7)
    with pytest.raises(ValueError, match="no option 'threads'.*gpu_memory_utilization"):
        load_policy(f"vllm:{tmp_path}", threads=4)  # vLLM has no CPU thread option
    assert "threads" in policy_options(__import__("prover.policies.hf", fromlist=["HFPolicy"]).HFPolicy)


def _args(*argv):
    p = argparse.ArgumentParser()
    add_policy_arguments(p)
    return p.parse_args(list(argv))


def test_cli_refuses_generation_options_for_the_portfolio():
    from prover.errors import UserError

    assert load_policy_from_args(_args()) is not None
    with pytest.raises(UserError, match="has no option 'temperature'"):
        load_policy_from_args(_args("--temperature", "0.2"))


def test_identity_stamps_the_defaults_as_before():
    assert policy_identity(_args()) == "portfolio"
    assert policy_identity(_args("--policy", "hf:m", "--seed", "3")) == \
        "hf:m temperature=1.0 top_p=0.95 max_new_tokens=512 seed=3"


def test_eval_exits_2_on_an_option_the_policy_does_not_take(tmp_path):
    res = subprocess.run([sys.executable, "-m", "prover.cli", "eval", "--bench", "dafny-team", "--limit", "1",
                          "--policy", "portfolio", "--top-p", "0.5", "--out", str(tmp_path / "r"), "--no-progress"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "has no option 'top_p'" in res.stderr


def test_a_callers_hints_go_only_where_taken():
    from prover.policies import _checked
    from prover.policies.hf import HFPolicy
    from prover.policies.portfolio import PortfolioPolicy

    assert load_policy("portfolio", hints={"batch_size": 4}).name == "portfolio"
    assert _checked(HFPolicy, "hf:m", {"seed": 1}, {"batch_size": 4}) == {"batch_size": 4, "seed": 1}
    assert _checked(PortfolioPolicy, "portfolio", {}, {"batch_size": 4}) == {}
