"""Numbers are range-checked (issue 22, item 8): command-line options and config fields out of range
are refused with the option's name, and an empty config file is refused instead of run on defaults."""

import pytest

from prover.cli import build_parser
from prover.configfile import ConfigError, from_dict, load_config


@pytest.mark.parametrize("argv", [
    ["eval", "--limit", "-1"],
    ["eval", "--limit", "0"],
    ["eval", "--samples", "0"],
    ["eval", "--workers", "0"],
    ["eval", "--timeout", "-5"],
    ["eval", "--gen-batch", "0"],
    ["eval", "--memory-mb", "0"],
    ["eval", "--top-p", "1.5"],
    ["eval", "--temperature", "-1"],
    ["eval", "--max-new-tokens", "0"],
    ["verify", "--lang", "dafny", "--jsonl", "x", "--timeout", "-5"],
    ["verify", "--lang", "dafny", "--jsonl", "x", "--timeout", "nan"],
    ["verify", "--lang", "dafny", "--jsonl", "x", "--workers", "0"],
    ["verify", "--lang", "dafny", "--jsonl", "x", "--memory-mb", "-1"],
    ["search", "--lang", "dafny", "--task-id", "x", "--budget", "0"],
    ["search", "--lang", "dafny", "--task-id", "x", "--batch", "-2"],
    ["search", "--lang", "dafny", "--task-id", "x", "--seconds", "0"],
    ["search", "--lang", "dafny", "--task-id", "x", "--rounds", "0"],
])
def test_out_of_range_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {argv[-2]}" in err.replace("argument -n/--samples", "argument --samples") \
        .replace("argument -w/--workers", "argument --workers") and "must be" in err, err


def test_in_range_options_pass():
    args = build_parser().parse_args(["eval", "--limit", "1", "--timeout", "0.5", "--top-p", "1", "--temperature", "0"])
    assert (args.limit, args.timeout, args.top_p, args.temperature) == (1, 0.5, 1.0, 0.0)


def _train(data):
    from prover.train.config import TrainConfig

    return from_dict(TrainConfig, data)


@pytest.mark.parametrize("data, where", [
    ({"grpo": {"steps": -3}}, "grpo.steps"),
    ({"grpo": {"steps": 0}}, "grpo.steps"),
    ({"grpo": {"learning_rate": 0}}, "grpo.learning_rate"),
    ({"ei": {"rounds": 0}}, "ei.rounds"),
    ({"ei": {"max_pass_rate": 1.5}}, "ei.max_pass_rate"),
    ({"model": {"top_p": 0}}, "model.top_p"),
    ({"model": {"temperature": -0.5}}, "model.temperature"),
    ({"verifier": {"workers": 0}}, "verifier.workers"),
    ({"verifier": {"timeout": -1}}, "verifier.timeout"),
    ({"tasks": {"heldout_fraction": 2}}, "tasks.heldout_fraction"),
    ({"tasks": {"limit": 0}}, "tasks.limit"),
    ({"sft": {"batch_size": 0}}, "sft.batch_size"),
    ({"heldout_samples": -1}, "heldout_samples"),
])
def test_out_of_range_train_config_fields_are_refused(data, where):
    with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
        _train(data)


def test_negative_rewards_stay_allowed():
    assert _train({"rewards": {"failed": -0.5}}).rewards.failed == -0.5


@pytest.mark.parametrize("data, where", [
    ({"rounds": 0}, "rounds"),
    ({"prover": {"samples": 0}}, "prover.samples"),
    ({"prover": {"timeout": 0}}, "prover.timeout"),
    ({"selection": {"barely_max_pass_rate": 1.2}}, "selection.barely_max_pass_rate"),
    ({"conjecturer": {"per_seed": -1}}, "conjecturer.per_seed"),
])
def test_out_of_range_selfplay_config_fields_are_refused(data, where):
    from conjecturer.config import SelfPlayConfig

    with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
        from_dict(SelfPlayConfig, data)


@pytest.mark.parametrize("text", ["", "\n# only a comment\n"])
def test_an_empty_config_file_is_refused(tmp_path, text):
    from prover.train.config import TrainConfig

    path = tmp_path / "empty.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="empty"):
        load_config(TrainConfig, path)
