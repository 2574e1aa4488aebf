"""The command line and its documentation: every command explains itself and
is in the README; errors are Chinese, with no traceback unless --debug."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from xlzu.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group=None, prefix: str = "") -> dict:
    """Every leaf command of the CLI, by its full name ("template build")."""
    group = group or typer.main.get_command(app)
    found = {}
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(cmd, "commands"):
            found.update(commands(cmd, full + " "))
        else:
            found[full] = cmd
    return found


def test_every_command_has_help_and_is_documented():
    runner = CliRunner()
    names = commands()
    assert {"new", "roster", "demo"} <= set(names)
    table = [line for line in README.splitlines() if line.startswith("| `xlzu ")]
    for name, cmd in names.items():
        assert cmd.help and cmd.help.strip(), f"xlzu {name} has no help"
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
        assert any(line.startswith(f"| `xlzu {name} ") or line.startswith(f"| `xlzu {name}`") for line in table), \
            f"xlzu {name} is missing from the README command table"


def test_every_documented_command_exists():
    """The other direction: a README row whose command the CLI lacks fails."""
    names = set(commands())
    documented = re.findall(r"^\| `xlzu ((?:[a-z]+ )?[a-z]+)", README, flags=re.M)
    assert documented, "no command table in the README"
    missing = [d for d in documented if d not in names]
    assert missing == [], f"in the README but not a command: {missing}"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    assert blocks[0].strip() == "pip install . && xlzu demo"
    test_command = blocks[1].strip()
    assert "pytest" in test_command and "[test]" in test_command
    head = README.split("## ", 1)[0]
    assert blocks[0] in head and blocks[1] in head  # before any section
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
    assert '"$rc" -eq 5' in ci  # no tests collected is a failure


def test_errors_are_chinese_without_traceback(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["roster", str(tmp_path / "没有.xlsx")])
    assert result.exit_code == 1
    assert "错误：找不到工作簿文件" in result.output
    assert "Traceback" not in result.output


def test_debug_shows_the_python_error(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["--debug", "roster", str(tmp_path / "没有.xlsx")])
    assert result.exit_code != 0
    assert result.exception is not None and type(result.exception).__name__ == "WorkbookNotFound"


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("xlzu ")
