"""`setup.sh` refuses a Python the project cannot run on (Debian 13's python3 is 3.13) in one line,
before it makes a venv."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not shutil.which("dafny"), reason="setup.sh installs Dafny first when it is missing")
def test_setup_stops_on_python_3_13_with_advice(tmp_path):
    fake = tmp_path / "python3"
    fake.write_text('#!/bin/sh\ncase "$2" in *platform*) echo 3.13.5;; *) exit 1;; esac\n')
    fake.chmod(0o755)
    venv = tmp_path / "venv"
    r = subprocess.run(["bash", str(ROOT / "setup.sh"), "--minimal"], capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "PYTHON": str(fake), "VENV": str(venv)})
    assert r.returncode == 1
    assert "Python 3.13.5: this project needs 3.11 or 3.12; rerun with PYTHON=" in r.stderr
    assert not venv.exists()
