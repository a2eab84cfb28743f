"""devtools is a development app: production settings do not install it unless asked."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "citegrid.example"}


def _help(command, env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CITEGRID_DEVTOOLS"}}
    return subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_have_no_benchmark_or_seeding():
    for command in ("benchmark", "seed_synthetic", "snapshotdocs"):
        result = _help(command, PRODUCTION)
        assert result.returncode != 0
        assert f"Unknown command: '{command}'" in result.stderr


def test_a_production_like_run_can_ask_for_them():
    result = _help("seed_synthetic", {**PRODUCTION, "CITEGRID_DEVTOOLS": "1"})
    assert result.returncode == 0, result.stderr
    assert "synthetic content" in result.stdout


def test_development_settings_install_them():
    result = _help("benchmark", {"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
