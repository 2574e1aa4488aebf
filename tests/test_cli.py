"""The command line and its documentation: every command explains itself and
is in the README; errors are Chinese, with no traceback unless --debug."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
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
        assert result.exit_code == 0 and "用法：" in result.output
        assert any(line.startswith(f"| `xlzu {name} ") or line.startswith(f"| `xlzu {name}`") for line in table), \
            f"xlzu {name} is missing from the README command table"


def test_every_documented_command_exists():
    """The other direction: a README row whose command the CLI lacks fails."""
    names = set(commands())
    documented = re.findall(r"^\| `xlzu ((?:template )?[a-z]+)", README, flags=re.M)
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


# ---- the frame in Chinese: help pages, usage errors, exit codes -------------------
ENGLISH_FRAME = re.compile(
    r"Usage|Options|Arguments|Commands|Show this message|Missing|No such|Invalid value|Try '|"
    r"Error|required|default|Got unexpected|requires an argument|does not take|<path>|<str>|<int>|\bTEXT\b|\bINTEGER\b"
)


def test_every_help_page_is_chinese():
    runner = CliRunner()
    pages = [[]] + [name.split() for name in commands()] + [["template"]]
    for words in pages:
        result = runner.invoke(app, [*words, "--help"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("用法：") and "选项：" in result.output
        assert "显示这个帮助" in result.output
        assert "\\[" not in result.output  # no markup escape left over
        english = ENGLISH_FRAME.findall(result.output)
        assert english == [], f"xlzu {' '.join(words)} --help: {english}\n{result.output}"


def test_no_arguments_shows_the_chinese_help():
    for words in ([], ["template"]):
        result = CliRunner().invoke(app, words)
        assert result.exit_code == 0
        assert result.output.startswith("用法：") and "命令：" in result.output
        assert ENGLISH_FRAME.findall(result.output) == []


USAGE_ERRORS = [
    (["nosuch", "{book}"], ["没有“nosuch”这个命令", "roster"]),
    (["template", "nosuch"], ["没有“nosuch”这个命令", "build"]),
    (["new"], ["缺少班级工作簿"]),
    (["new", "{book}"], ["缺少选项 --roster", "名单"]),
    (["roster", "{book}", "--bogus"], ["没有 --bogus 这个选项"]),
    (["roster", "{book}", "--form", "x.csv"], ["没有 --form 这个选项", "是不是想写 --from"]),
    (["--bogus", "group", "{book}"], ["没有 --bogus 这个选项"]),
    (["group", "{book}", "--seed", "abc"], ["选项 --seed 的值“abc”不对", "应为整数"]),
    (["group", "{book}", "--seed"], ["选项 --seed 后面要写一个值", "随机种子"]),
    (["group", "{book}", "--regroup=yes"], ["选项 --regroup 后面不用写值"]),
    (["daily", "{book}", "-d"], ["选项 -d 后面要写一个值", "日期"]),
    (["group", "{book}", "初二", "3班.xlsx"], ["多出了参数：初二 3班.xlsx", "引号"]),
]


@pytest.mark.parametrize("words,expected", USAGE_ERRORS, ids=[" ".join(w) for w, _ in USAGE_ERRORS])
def test_usage_errors_are_chinese_with_exit_code_2(class_book, words, expected):
    before = class_book.read_bytes()
    result = CliRunner().invoke(app, [w.replace("{book}", str(class_book)) for w in words])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("错误：")
    for text in expected:
        assert text in result.output, result.output
    assert "用法：" in result.output and "查看帮助" in result.output  # the right usage, in Chinese
    assert ENGLISH_FRAME.findall(result.output) == [], result.output
    assert "Traceback" not in result.output
    assert class_book.read_bytes() == before


def test_exit_codes_are_the_readmes(class_book, tmp_path):
    """0 done, 1 refused, 2 written wrong, 3 a program error; the README's
    Chinese part lists the same."""
    runner = CliRunner()
    assert runner.invoke(app, ["roster", str(class_book)]).exit_code == 0
    assert runner.invoke(app, ["roster", str(tmp_path / "没有.xlsx")]).exit_code == 1
    assert runner.invoke(app, ["roster"]).exit_code == 2

    from xlzu.cli import guarded
    from xlzu.usage import ChineseGroup

    broken = typer.Typer(cls=ChineseGroup)

    @broken.command()
    @guarded
    def divide() -> None:
        1 / 0

    @broken.command()
    def other() -> None:
        pass

    result = runner.invoke(broken, ["divide"])
    assert result.exit_code == 3 and "程序出错（ZeroDivisionError" in result.output

    codes = dict(re.findall(r"^- `(\d)`：(.+)$", README, flags=re.M))
    assert set(codes) == {"0", "1", "2", "3"}, codes
    assert "完成" in codes["0"] and "没有执行" in codes["1"] and "写法不对" in codes["2"] and "程序出错" in codes["3"]
