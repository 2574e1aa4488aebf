"""The command line's frame in Chinese: help pages and usage errors.

Click (vendored inside typer from 0.29 on, with its English strings written
in) prints "Usage:", "Options:", "Show this message and exit.", "Missing
argument", "No such option", "Invalid value"...  Rather than translate its
strings (which differ between versions), xlzu runs the command group with
``standalone_mode=False`` and turns each usage error into Chinese from the
error's *kind* and its parameter (class names and attributes that every click
version has), and rewrites the few fixed words of a help page.

Exit codes (the README lists them): 0 done (and help shown), 1 refused
(``错误：…`` about the workbook or the input), 2 the command itself is
written wrong, 3 a program error.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Sequence

from typer.core import TyperGroup

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_BUG = 3

_HELP_WORDS = [
    (re.compile(r"\\\["), "["),  # typer < 0.29 escapes "[" for rich even when rich is off
    (re.compile(r"^(\s*)Usage: ", re.M), r"\1用法："),
    (re.compile(r"\{([^{}\s]+)\}"), r"\1"),  # typer 0.29 shows an argument as {name}
    (re.compile(r"\[OPTIONS\]"), "[选项]"),
    (re.compile(r"COMMAND \[ARGS\]\.\.\."), "命令 [参数]..."),
    (re.compile(r"^(\s*)Options:?\s*$", re.M), r"\1选项："),
    (re.compile(r"^(\s*)Arguments:?\s*$", re.M), r"\1参数："),
    (re.compile(r"^(\s*)Commands:?\s*$", re.M), r"\1命令："),
    (re.compile(r"Show this message and exit\.?"), "显示这个帮助，然后退出。"),
    (re.compile(r"\[required\]"), "[必填]"),
    (re.compile(r"\[default: ([^\]]*)\]"), r"[默认：\1]"),
    (re.compile(r"\[env var: ([^\]]*)\]"), r"[环境变量：\1]"),
    (re.compile(r"Try '([^']*)' for help\.?"), r"运行“\1”查看帮助。"),
    (re.compile(r"<path>|(?<=\s)(PATH|FILE|DIRECTORY)(?=\s|$)"), "<路径>"),
    (re.compile(r"<str>|<text>|(?<=\s)TEXT(?=\s|$)"), "<文字>"),
    (re.compile(r"<int>|<integer>|(?<=\s)INTEGER(?=\s|$)"), "<整数>"),
    (re.compile(r"<float>|(?<=\s)FLOAT(?=\s|$)"), "<数字>"),
]


def chinese_help(text: str) -> str:
    """A help page or usage line with click's fixed words in Chinese."""
    for pattern, replacement in _HELP_WORDS:
        text = pattern.sub(replacement, text)
    return text


def _make_chinese(command: Any) -> None:
    """Give a command (and, for a group, every command under it) the Chinese
    help frame, whatever class typer made it with: its own ``get_help`` /
    ``get_usage`` (and a group's ``resolve_command``) wrap the original."""
    if not isinstance(command, ChineseGroup) and not getattr(command, "_xlzu_chinese", False):
        get_help, get_usage = command.get_help, command.get_usage
        command.get_help = lambda ctx: chinese_help(get_help(ctx))
        command.get_usage = lambda ctx: chinese_help(get_usage(ctx))
        if hasattr(command, "resolve_command"):
            resolve = command.resolve_command

            def resolve_command(ctx: Any, args: list[str]) -> Any:
                _check_command(command, ctx, args)
                return resolve(ctx, args)

            command.resolve_command = resolve_command
        command._xlzu_chinese = True
    for sub in getattr(command, "commands", {}).values():
        _make_chinese(sub)


class UnknownCommand(Exception):
    def __init__(self, name: str, ctx: Any):
        super().__init__(name)
        self.name = name
        self.ctx = ctx


class ChineseGroup(TyperGroup):
    """The top ``xlzu`` group: Chinese help and usage errors, README exit codes."""

    def get_help(self, ctx: Any) -> str:
        return chinese_help(super().get_help(ctx))

    def get_usage(self, ctx: Any) -> str:
        return chinese_help(super().get_usage(ctx))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        _check_command(self, ctx, args)
        return super().resolve_command(ctx, args)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        _make_chinese(self)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except BaseException as exc:  # noqa: BLE001 - sorted by kind below
            if getattr(exc, "ctx", False) is None:  # some parser errors carry no context
                try:
                    exc.ctx = self._context_for(given, prog_name)  # type: ignore[attr-defined]
                except Exception:  # noqa: BLE001 - the message is still given
                    pass
            code = _report(exc, given)
            if code is None:
                raise
            if not standalone_mode:
                return code
            sys.exit(code)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


    def _context_for(self, given: list[str], prog_name: str | None) -> Any:
        """The context of the (sub)command the command line names."""
        name = prog_name or _prog_name()
        ctx = self.make_context(name, [], resilient_parsing=True)
        command: Any = self
        for token in given:
            sub = getattr(command, "commands", {}).get(token)
            if sub is not None:
                ctx = sub.make_context(token, [], parent=ctx, resilient_parsing=True)
                command = sub
        return ctx


def _prog_name() -> str:
    base = sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] if sys.argv and sys.argv[0] else ""
    return "python -m xlzu" if base in ("__main__.py", "-c", "") else (base.removesuffix(".exe") or "xlzu")


def _check_command(group: Any, ctx: Any, args: list[str]) -> None:
    """An unknown command name, in Chinese (click says "No such command")."""
    if not args or args[0].startswith("-"):
        return
    name = args[0]
    if ctx.token_normalize_func is not None:
        name = ctx.token_normalize_func(name)
    if group.get_command(ctx, name) is None:
        raise UnknownCommand(args[0], ctx)


def _kinds(exc: BaseException) -> set[str]:
    return {c.__name__ for c in type(exc).__mro__}


def _report(exc: BaseException, args: list[str]) -> int | None:
    """Print what went wrong in Chinese; the exit code, or None to re-raise."""
    kinds = _kinds(exc)
    if "NoArgsIsHelpError" in kinds:  # `xlzu` alone, or `xlzu template`: show the help
        print(exc.ctx.get_help())  # type: ignore[attr-defined]
        return EXIT_OK
    if isinstance(exc, UnknownCommand) or "UsageError" in kinds:
        ctx = getattr(exc, "ctx", None)
        lines = [f"错误：{usage_message(exc, args)}"]
        if ctx is not None:
            lines.append(ctx.get_usage())
            lines.append(f"运行“{ctx.command_path} --help”查看帮助。")
        print("\n".join(lines), file=sys.stderr)
        return EXIT_USAGE
    if "Abort" in kinds:
        print("已取消。", file=sys.stderr)
        return EXIT_REFUSED
    if "ClickException" in kinds:  # e.g. a file click could not open
        print(f"错误：{exc}", file=sys.stderr)
        return int(getattr(exc, "exit_code", EXIT_REFUSED))
    if "Exit" in kinds:
        return int(getattr(exc, "exit_code", EXIT_OK))
    return None


def usage_message(exc: BaseException, args: Sequence[str] = ()) -> str:
    """One usage error in Chinese, from its kind and its parameter."""
    kinds = _kinds(exc)
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, UnknownCommand):
        names = "、".join(_command_names(ctx))
        return f"没有“{exc.name}”这个命令。可用的命令：{names}。"
    param = getattr(exc, "param", None)
    if "MissingParameter" in kinds:
        if param is not None and _is_option(param):
            return f"缺少选项 {_option_name(param)}（{_help(param)}）。"
        what = _help(param) if param is not None else "参数"
        return f"缺少{what}：请写在命令后面。"
    if "NoSuchOption" in kinds:
        name = getattr(exc, "option_name", "") or ""
        maybe = [p for p in (getattr(exc, "possibilities", None) or []) if p]
        text = f"没有 {name} 这个选项。"
        if maybe:
            text += f"是不是想写 {'、'.join(maybe)}？"
        return text
    if "BadOptionUsage" in kinds:
        name = getattr(exc, "option_name", "") or ""
        option = _find_option(ctx, name)
        message = str(getattr(exc, "message", "") or exc)
        flag = getattr(option, "is_flag", False) or "does not take" in message
        if flag:
            return f"选项 {name} 后面不用写值（写上 {name} 就表示要这样做）。"
        if option is not None or "requires" in message:
            what = f"：{_help(option)}。" if option is not None else "。"
            return f"选项 {name} 后面要写一个值{what}"
        return f"选项 {name} 的写法不对。"
    if "BadParameter" in kinds:
        if param is None:
            return "有一个值不对。"
        shown = _given_value(param, args)
        value = f"“{shown}”" if shown is not None else ""
        if _is_option(param):
            return f"选项 {_option_name(param)} 的值{value}不对：{_expected(param)}。"
        return f"{_help(param)}{value}不对：{_expected(param)}。"
    message = str(getattr(exc, "message", "") or exc)
    extra = re.search(r"unexpected extra arguments?(?:\(s\))?\s*\((.*)\)", message)
    if extra:
        return f"多出了参数：{extra.group(1)}。文件名或日期里有空格时，请用引号把它括起来。"
    unknown = re.search(r"No such command '(.*)'", message)
    if unknown:
        return f"没有“{unknown.group(1)}”这个命令。"
    return "命令的写法不对。"


def _command_names(ctx: Any) -> list[str]:
    command = getattr(ctx, "command", None)
    if command is None or not hasattr(command, "list_commands"):
        return []
    return list(command.list_commands(ctx))


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "option" or any(
        str(o).startswith("-") for o in getattr(param, "opts", [])
    )


def _option_name(param: Any) -> str:
    opts = [o for o in getattr(param, "opts", []) if str(o).startswith("-")]
    return max(opts, key=len) if opts else str(getattr(param, "name", ""))


def _help(param: Any) -> str:
    text = (getattr(param, "help", None) or "").strip().rstrip("。")
    return text or str(getattr(param, "name", "参数"))


def _find_option(ctx: Any, name: str) -> Any:
    command = getattr(ctx, "command", None)
    for param in getattr(command, "params", []):
        if name in getattr(param, "opts", []) or name in getattr(param, "secondary_opts", []):
            return param
    return None


def _given_value(param: Any, args: Sequence[str]) -> str | None:
    """What was typed for an option, found in the command line."""
    names = [str(o) for o in getattr(param, "opts", [])]
    for i, token in enumerate(args):
        for name in names:
            if token == name and i + 1 < len(args):
                return args[i + 1]
            if token.startswith(name + "="):
                return token[len(name) + 1 :]
    return None


def _expected(param: Any) -> str:
    """What a parameter takes, from its type (typer's type descriptor, or
    click's ParamType in versions that have one)."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    ptype = getattr(param, "type", None)
    name = str(getattr(ptype, "name", "") or "").lower()
    choices = getattr(descriptor, "choices", None) or getattr(ptype, "choices", None)
    if choices:
        return "应为以下之一：" + "、".join(str(getattr(c, "value", c)) for c in choices)
    if annotation is int or name in ("integer", "int", "integer range", "int range"):
        return "应为整数，如 3"
    if annotation is float or name in ("float", "float range"):
        return "应为数字，如 2.5"
    if getattr(descriptor, "is_datetime", False) or name == "datetime":
        return "应为日期，如 2026-11-24"
    if getattr(descriptor, "is_path", False) or name in ("path", "file", "filename", "directory"):
        return "应为文件或文件夹的名称"
    return "这个值用不了"
