"""The top-level command line: help that says no command opens the board, help for
every flag, and the board's own --exchanges, --refresh and --theme for one run."""

import argparse
import sys
import types

import pytest

from fundtui import cli
from fundtui.store import paths


def all_parsers(parser, name="fundtui"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from all_parsers(sub, f"{name} {sub_name}")


def test_help_says_no_command_opens_the_board_and_gives_examples(capsys):
    assert cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    first_usage = text.splitlines()[0]
    assert first_usage.startswith("usage: fundtui [--demo]") and "COMMAND" not in first_usage
    assert "With no COMMAND, fundtui opens the board" in text
    assert "commands (optional: none opens the board)" in text
    assert "examples:\n  fundtui " in text
    for flag in ("--exchanges A,B", "--refresh SECONDS", "--theme NAME|PATH"):
        assert flag in text


def test_every_flag_of_every_command_has_help():
    missing = [
        f"{name} {'/'.join(a.option_strings) or a.dest}"
        for name, parser in all_parsers(cli.build_parser())
        for a in parser._actions
        if not a.help and not isinstance(a, argparse._SubParsersAction)
    ]
    assert missing == []


def test_no_help_text_shows_a_doubled_percent_sign():
    for name, parser in all_parsers(cli.build_parser()):
        assert "%%" not in parser.format_help(), name
    calc = dict(all_parsers(cli.build_parser()))["fundtui calc"].format_help()
    assert "(1 = 1 %)" in " ".join(calc.split())


@pytest.fixture
def board(monkeypatch):
    """The board's entry replaced by one that records the config it was given."""
    calls = []
    app = types.ModuleType("fundtui.ui.app")
    app.run_app = lambda config, demo=False: calls.append((config, demo)) or 0
    monkeypatch.setitem(sys.modules, "fundtui.ui.app", app)
    return calls


def test_refresh_on_the_command_line_opens_the_board_with_it(board):
    # was: "argument COMMAND: invalid choice: '5'"
    paths.config_file().write_text("[general]\nrefresh_seconds = 60\n")
    assert cli.main(["--refresh", "5"]) == 0
    assert board[-1][0].refresh_seconds == 5.0
    assert cli.main([]) == 0  # for that run only: the file still says 60
    assert board[-1][0].refresh_seconds == 60.0
    assert paths.config_file().read_text() == "[general]\nrefresh_seconds = 60\n"


def test_exchanges_on_the_command_line_pick_and_enable_the_venues(board):
    paths.config_file().write_text("[exchanges.okx]\nenabled = false\n")
    assert cli.main(["--exchanges", "okx,Binance", "--demo"]) == 0
    config, demo = board[-1]
    assert demo and config.exchanges == ("okx", "binance")
    assert [v.name for v in config.active_venues()] == ["okx", "binance"]


def test_theme_on_the_command_line_sets_the_configs_theme(board):
    paths.config_file().write_text("")
    assert cli.main(["--theme", "light"]) == 0
    assert board[-1][0].theme == "light"
    assert cli.main(["--theme", "/some/where/mine.toml"]) == 0
    assert board[-1][0].theme == "/some/where/mine.toml"
    assert cli.main([]) == 0
    assert board[-1][0].theme is None


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--refresh", "1"], "between 5 and 3600, got '1'"),
        (["--refresh", "nan"], "got 'nan'"),
        (["--refresh", "5s"], "got '5s'"),
        (["--exchanges", "binance,nope"], "unknown exchange 'nope'"),
        (["--exchanges", "binance,,okx"], "comma-separated"),
        (["--theme", ""], "theme name"),
        (["--theme", "\x1b]0;PWNED\x07"], "\\x1b]0;PWNED\\x07"),
        (["--exchanges", "okx", "snapshot"], "--exchanges before a command"),
        (["--refresh", "10", "record"], "--refresh before a command"),
    ],
)
def test_a_bad_board_flag_is_one_line_and_exit_2(board, capsys, argv, says):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("fundtui: error: "), err
    assert says in err and "\x1b" not in err
    assert board == []


def test_a_commands_own_exchanges_and_refresh_are_not_taken_for_the_boards(monkeypatch):
    from fundtui.commands import record

    seen = []
    monkeypatch.setattr(record, "run", lambda args: seen.append(args) or 0)
    assert cli.main(["record", "--exchanges", "okx", "--refresh", "10", "--demo"]) == 0
    assert seen[0].exchanges == ["okx"] and seen[0].refresh == 10.0
