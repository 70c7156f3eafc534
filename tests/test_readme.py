"""Every `$ publisher ...` command shown in the README runs and succeeds."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from cli_helpers import REPO, run_cli

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r"^\$ publisher (.+)$", README, flags=re.MULTILINE)


def test_readme_shows_the_two_commands_first() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make demo" in first_block and "make test" in first_block


def test_readme_has_commands() -> None:
    assert len(COMMANDS) >= 5


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for all README commands: later ones use what earlier ones wrote."""
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "seeds", folder / "seeds")
    return folder


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command: str, workdir: Path) -> None:
    result = run_cli(*shlex.split(command), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_every_picture_the_readme_shows_is_in_the_repository() -> None:
    pictures = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", README)
    assert "docs/seed-cover.png" in pictures and "docs/seed-cover-ar.png" in pictures
    for picture in pictures:
        assert (REPO / picture).is_file(), picture
