"""The docs a new user reads first say what is true (issue 22, item 9): `--help` examples name real
tasks, nothing points outside the repository, every setting is documented, timings agree."""

import re
from pathlib import Path

from prover.benchmarks import load_benchmark
from prover.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_search_help_examples_name_real_tasks():
    from prover.commands import search

    examples = re.findall(r"--task-id (\S+) --bench (\S+)", search.__doc__)
    assert examples
    for task_id, bench in examples:
        assert task_id in {t.id for t in load_benchmark(bench)}, (task_id, bench)


def test_readme_and_configs_stay_inside_the_repository():
    assert "shared/research" not in README
    for config in (REPO / "configs").glob("*.yaml"):
        text = config.read_text(encoding="utf-8")
        assert "../" not in text and "shared/" not in text, config.name


def test_every_environment_variable_is_read_in_one_place_and_documented():
    names = set(re.findall(r"\"(PROVER_\w+)\"", (REPO / "verifier_core" / "settings.py").read_text(encoding="utf-8")))
    assert "PROVER_RUNS_DIR" in names
    elsewhere = [f"{path.relative_to(REPO)}: {name}" for pkg in ("verifier_core", "dafny_env", "lean_env", "prover", "conjecturer")
                 for path in sorted(REPO.glob(f"{pkg}/**/*.py")) if path.name != "settings.py"
                 for name in re.findall(r"environ(?:\.get)?[\[(]\s*\"(PROVER_\w+)\"", path.read_text(encoding="utf-8"))]
    assert elsewhere == []
    settings = README[README.index("## Settings"):]
    assert not [v for v in sorted(names) if v not in settings]


def test_setup_model_help_names_a_path_not_a_function(capsys):
    parser = build_parser()
    try:
        parser.parse_args(["setup-model", "--help"])
    except SystemExit:
        pass
    out = capsys.readouterr().out
    assert "models_dir()" not in out and "PROVER_CACHE_DIR" in out


def test_the_selfplay_smoke_time_agrees_between_readme_and_config():
    line = next(ln for ln in README.splitlines() if "configs/selfplay-dafny-smoke.yaml --out" in ln)
    config_head = "".join((REPO / "configs" / "selfplay-dafny-smoke.yaml").read_text(encoding="utf-8").splitlines()[:3])
    for number in re.findall(r"(\d+(?:\.\d+)?) min", line):
        assert f"{number} min" in config_head, (line, config_head)
    assert re.findall(r"(\d+(?:\.\d+)?) min", line)
