"""The ``autograder`` command: a thin argparse layer over the library; the top of the layers, imported by nothing.

Each command's code is imported lazily (``check`` starts fast). Exit codes: 0 success; 1 ``check`` found something
to fix (``repair``: a cell could not be matched); 2 a usage error or an ``AutograderError`` (its message on
stderr, in ``--lang``); 3 a bug of the grader (a traceback and a line asking to report it); 141 the reader of
stdout went away (a closed pipe; nothing printed). Any console encoding works (``cli.console``).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from autograder.cli import console, course, run, static
from autograder.cli.common import LANGS

__all__ = ["COMMANDS", "LANGS", "build_parser", "main"]

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}
BUG_EXIT = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Keras/Colab の課題ノートブックを保存された出力から採点します（実行しません）。 "
                    "Grades assignment notebooks from their saved outputs, without running them.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (static, course, run):
        module.register(sub, COMMANDS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    console.prepare_streams()  # cp932 / ASCII consoles: readable fallbacks, never a UnicodeEncodeError
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader went away (`autograder check x | head -1`): end quietly
        return console.quiet_broken_pipe()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    from autograder.errors import AutograderError

    if getattr(args, "lang", "ja") == "ja" and console.cannot_show_japanese():
        print("autograder: this console cannot show Japanese; add --lang en for English messages.", file=sys.stderr)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        raise
    except AutograderError as exc:  # every error a person can act on: the message says what to do
        text = str(exc) if exc.both_in_str else exc.message(getattr(args, "lang", "ja"))  # instructors' errors: both
        print(f"autograder: {text}", file=sys.stderr)
        return 2
    except Exception:  # a bug of ours: never dressed up as a user error
        import traceback

        traceback.print_exc()
        print("autograder: 採点プログラムの内部エラーです。上のメッセージと使ったコマンドを添えて報告してください。 / "
              "internal error of the grader: please report it with the traceback above and the command you ran.",
              file=sys.stderr)
        return BUG_EXIT


build_parser()  # fills COMMANDS, which tests and tools read without parsing


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
