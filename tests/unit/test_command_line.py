"""The command line's short way for the app's start (``parse_command_line``) gives what the
whole grammar gives, for any line: the same values, or the same error or help, word for word,
with the same exit status."""

from __future__ import annotations

import argparse
import contextlib
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.cli import parser as command_line

TOKENS = ["--db", "clinic.db", "--db=other.db", "--lang", "da", "en", "xx", "--role",
          "clinician", "patient", "nurse", "--role=clinician", "-h", "--help", "--la", "--d",
          "--r", "--he", "demo", "patient", "list", "dose", "--patient", "1", "--bogus", "--",
          "", "-", "--lang=da", "verify"]


def outcome(parse: object, line: list[str]) -> tuple[object, str, str]:
    """What a parse of ``line`` gives: its values or its exit status, and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result: object = vars(parse(line))  # type: ignore[operator]
        except SystemExit as stop:
            result = ("exit", stop.code)
    return result, out.getvalue(), err.getvalue()


def whole(line: list[str]) -> argparse.Namespace:
    return command_line.build_parser().parse_args(line)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=6))
def test_any_line_parses_as_the_whole_grammar_parses_it(line: list[str]) -> None:
    assert outcome(command_line.parse_command_line, line) == outcome(whole, line)


def test_the_app_s_line_is_parsed_without_the_commands_parsers(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    built: list[int] = []
    real = command_line.build_parser

    def counting() -> argparse.ArgumentParser:
        built.append(1)
        return real()

    monkeypatch.setattr(command_line, "build_parser", counting)
    for line in ([], ["--db", "x.db"], ["--lang", "da", "--role", "clinician"], ["--d=y"]):
        assert command_line.parse_command_line(line).command is None
    assert built == []
    assert command_line.parse_command_line(["--db", "x.db", "demo"]).command == "demo"
    assert built == [1]
