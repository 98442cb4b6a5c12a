"""ruff and mypy are part of the test command, so CI and a newcomer run the same checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.site.fixtures import skip_or_fail

ROOT = Path(__file__).parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("ruff", "check", "."), id="ruff-check"),
        pytest.param(("ruff", "format", "--check", "."), id="ruff-format"),
        pytest.param(("mypy", "newsspider"), id="mypy"),
    ],
)
def test_code_quality(command: tuple[str, ...]) -> None:
    tool = shutil.which(command[0], path=str(Path(sys.executable).parent))
    if tool is None:
        skip_or_fail(f"{command[0]} is not installed: pip install -e '.[test]'")
    result = _run(tool, *command[1:])
    assert result.returncode == 0, result.stdout + result.stderr
