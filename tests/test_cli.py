"""The command line: exit codes, one-line errors, the snapshot command and config files."""

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from fundtui import __version__, cli
from fundtui.config import Config, default_config_text
from fundtui.core.rate_text import rate_pct
from fundtui.feeds import demo
from fundtui.feeds.source import VenueError
from fundtui.store import paths
from tests.fresh_process import last_json

REPO = Path(__file__).resolve().parents[1]


def run(*args, input=None):
    """``python -m fundtui ARGS`` in a fresh process (the test's folders are inherited)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "fundtui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
        input=input,
    )


def assert_one_line_error(proc, code=2):
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("fundtui")
    return lines[0]


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"fundtui {__version__}"


def test_help_as_module():
    p = run("--help")
    assert p.returncode == 0
    assert "snapshot" in p.stdout and "config" in p.stdout and "--demo" in p.stdout


def imported_after(argv):
    """Top-level packages among textual, ccxt and rich imported by main(argv)."""
    code = (
        "import io, contextlib, json, sys\n"
        "from fundtui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main({argv!r})\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'ccxt', 'rich'})\n"
        "print(json.dumps([rc, heavy]))\n"
    )
    return last_json(code)


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["snapshot", "--demo"], ["snapshot", "--demo", "--json"], ["config", "path"]],
)
def test_headless_commands_do_not_import_textual_or_ccxt(argv):
    rc, heavy = imported_after(argv)
    assert rc == 0
    assert heavy == []


def test_snapshot_demo_json():
    p = run("snapshot", "--demo", "--json", "--exchanges", "hyperliquid,binance")
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    snap = json.loads(p.stdout)
    assert list(snap) == ["generated_at", "quotes", "spreads", "errors"]
    assert snap["generated_at"].endswith("Z")
    assert snap["errors"] == {}
    venues = [q["exchange"] for q in snap["quotes"]]
    assert set(venues) == {"hyperliquid", "binance"}
    # --exchanges order is the venue order, then symbols
    assert venues == sorted(venues, key=["hyperliquid", "binance"].index)
    hl = [q["symbol"] for q in snap["quotes"] if q["exchange"] == "hyperliquid"]
    assert hl == sorted(hl)
    for q in snap["quotes"]:
        assert q["rate_8h"] == pytest.approx(q["funding_rate"] * 8 / q["interval_hours"])
        assert q["apr"] == pytest.approx(q["funding_rate"] * 8760 / q["interval_hours"])
        assert q["next_funding_time"] > snap["generated_at"][:-1]
    spreads = snap["spreads"]
    assert spreads and all(s["venues"] == 2 for s in spreads)
    assert [s["spread_8h"] for s in spreads] == sorted(
        (s["spread_8h"] for s in spreads), reverse=True
    )
    wif = next(s for s in spreads if s["base"] == "WIF")  # planted: hyperliquid pays far more
    assert wif["short_exchange"] == "hyperliquid" and wif["long_exchange"] == "binance"
    assert wif["apr"] == pytest.approx(wif["spread_8h"] * 3 * 365)


def test_snapshot_demo_table_matches_the_json(capsys):
    assert cli.main(["snapshot", "--demo", "--json"]) == 0
    snap = json.loads(capsys.readouterr().out)
    assert cli.main(["snapshot", "--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:8] == ["BASE", "VENUE", "SYMBOL", "RATE", "INT", "8H", "APR", "NEXT"]
    top = snap["spreads"][0]
    first = lines[1].split()
    assert first[0] == top["base"]
    assert rate_pct(top["spread_8h"]) in lines[1]
    assert f"{top['long_exchange']} / {top['short_exchange']}" in lines[1]
    # every venue row of the top base shows that venue's rate as in the JSON
    row_venues = [first[1]] + [ln.split()[0] for ln in lines[2 : top["venues"] + 1]]
    assert len(row_venues) == top["venues"]
    for ln in lines[1 : top["venues"] + 1]:
        cells = ln.split()
        venue, symbol, rate, interval = cells[1:5] if cells[0] == top["base"] else cells[0:4]
        q = next(q for q in snap["quotes"] if q["exchange"] == venue and q["symbol"] == symbol)
        assert rate == rate_pct(q["funding_rate"])
        # at least three significant digits, within half a unit of the last decimal
        decimals = len(rate[:-1].split(".")[1])
        half_unit = 0.5 * 10 ** -(decimals + 2)
        assert abs(float(rate[:-1]) / 100 - q["funding_rate"]) <= half_unit + 1e-15
        assert len(rate[:-1].lstrip("-0.")) >= 3 or decimals == 6
        assert interval == f"{q['interval_hours']}h"


class Failing:
    def __init__(self, name, exc):
        self.name, self.exc, self.closed = name, exc, False

    async def poll(self):
        raise self.exc

    async def close(self):
        self.closed = True


def test_snapshot_exit_1_when_no_venue_answers(monkeypatch, capsys):
    made = []

    def sources(names, **kw):
        made.extend(
            [
                Failing(names[0], VenueError(names[0], "HTTP 503 maintenance")),
                Failing(names[1], RuntimeError("socket\nclosed")),
            ]
        )
        return made

    monkeypatch.setattr(demo, "demo_sources", sources)
    assert cli.main(["snapshot", "--demo", "--json", "--exchanges", "gate,okx"]) == 1
    out = capsys.readouterr()
    assert json.loads(out.out)["errors"] == {
        "gate": "HTTP 503 maintenance",
        "okx": "RuntimeError: socket closed",
    }
    assert out.err.splitlines() == [
        "fundtui: gate: HTTP 503 maintenance",
        "fundtui: okx: RuntimeError: socket closed",
        "fundtui: no exchange answered",
    ]
    assert all(s.closed for s in made)


def test_snapshot_exit_0_when_some_venue_answers(monkeypatch, capsys):
    real = demo.demo_sources

    def sources(names, **kw):
        return [
            Failing("gate", VenueError("gate", "HTTP 429 rate limited", 30.0)),
            *real(names[1:], **kw),
        ]

    monkeypatch.setattr(demo, "demo_sources", sources)
    assert cli.main(["snapshot", "--demo", "--json", "--exchanges", "gate,okx"]) == 0
    out = capsys.readouterr()
    snap = json.loads(out.out)
    assert snap["errors"] == {"gate": "HTTP 429 rate limited"}
    assert {q["exchange"] for q in snap["quotes"]} == {"okx"}
    assert out.err == "fundtui: gate: HTTP 429 rate limited\n"


def test_snapshot_follows_the_config(capsys):
    paths.config_file().write_text(
        '[general]\nexchanges = ["okx", "gate", "bybit"]\n[exchanges.gate]\nenabled = false\n'
    )
    assert cli.main(["snapshot", "--demo", "--json"]) == 0
    exchanges = [q["exchange"] for q in json.loads(capsys.readouterr().out)["quotes"]]
    assert list(dict.fromkeys(exchanges)) == ["okx", "bybit"]
    # --exchanges polls a venue even when the config disables it
    assert cli.main(["snapshot", "--demo", "--json", "--exchanges", "gate"]) == 0
    assert {q["exchange"] for q in json.loads(capsys.readouterr().out)["quotes"]} == {"gate"}


def test_snapshot_with_every_venue_disabled(capsys):
    paths.config_file().write_text(
        '[general]\nexchanges = ["okx"]\n[exchanges.okx]\nenabled = false\n'
    )
    assert cli.main(["snapshot", "--demo"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no exchanges to poll" in err


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["snapshot", "--exchanges", "binance,nosuchvenue"], "unknown exchange 'nosuchvenue'"),
        (["snapshot", "--exchanges", "binance,,okx"], "expected comma-separated exchange ids"),
        (["snapshot", "--exchanges"], "expected one argument"),
        (["snapshot", "--jsn"], "unrecognized arguments: --jsn"),
        (["snap"], "invalid choice: 'snap'"),
        (["config"], "required"),
        (["config", "nuke"], "invalid choice: 'nuke'"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, needle):
    line = assert_one_line_error(run(*args))
    assert needle in line


def test_config_errors_exit_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[general]\nrefresh_seconds = "fast"\n')
    line = assert_one_line_error(run("snapshot", "--demo", "--config", str(bad)))
    assert line == (
        f"fundtui: {bad}: [general] refresh_seconds must be a number of seconds "
        'between 5 and 3600, got "fast"'
    )
    # the same before the subcommand, and for the board
    assert_one_line_error(run("--config", str(bad), "snapshot", "--demo"))
    assert_one_line_error(run("--config", str(bad), "--demo"))
    line = assert_one_line_error(run("snapshot", "--config", str(tmp_path / "missing.toml")))
    assert "no such config file" in line
    paths.config_file().write_text("[general\n")
    line = assert_one_line_error(run("snapshot", "--demo"))
    assert "invalid TOML" in line and "line 1, column" in line


def test_config_path_and_init(capsys, tmp_path):
    target = paths.config_file()
    assert cli.main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert not target.exists()

    assert cli.main(["config", "init"]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert target.read_text() == default_config_text()

    target.write_text("# mine\n")
    assert cli.main(["config", "init"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "--force" in err
    assert target.read_text() == "# mine\n"

    assert cli.main(["config", "init", "--force"]) == 0
    assert target.read_text() == default_config_text()

    other = tmp_path / "deep" / "dir" / "fundtui.toml"
    assert cli.main(["config", "init", "--config", str(other)]) == 0
    assert other.read_text() == default_config_text()
    capsys.readouterr()
    assert cli.main(["--config", str(other), "config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(other)


def test_interrupt_exits_130_quietly(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    from fundtui.commands import snapshot

    monkeypatch.setattr(snapshot, "run", interrupted)
    assert cli.main(["snapshot", "--demo"]) == 130
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_the_board_gets_the_loaded_config_and_demo_flag(monkeypatch):
    calls = []
    app = types.ModuleType("fundtui.ui.app")
    app.run_app = lambda config, demo=False: calls.append((config, demo)) or 0
    monkeypatch.setitem(sys.modules, "fundtui.ui.app", app)
    paths.config_file().write_text("[general]\nrefresh_seconds = 10\n")
    assert cli.main(["--demo"]) == 0
    assert cli.main([]) == 0
    (cfg, demo_flag), (_, live_flag) = calls
    assert isinstance(cfg, Config) and cfg.refresh_seconds == 10.0
    assert (demo_flag, live_flag) == (True, False)


def test_live_snapshot_hands_the_venue_configs_to_the_registry(monkeypatch, capsys):
    got = []

    def make_sources(venues):
        got.extend(venues)
        # stand-ins for live venues: the demo market under the same names
        return [
            *demo.demo_sources([v.name for v in venues[:1]]),
            Failing(venues[1].name, VenueError(venues[1].name, "HTTP 451 restricted")),
        ]

    registry = types.ModuleType("fundtui.feeds.registry")
    registry.make_sources = make_sources
    monkeypatch.setitem(sys.modules, "fundtui.feeds.registry", registry)
    paths.config_file().write_text(
        '[general]\nexchanges = ["bybit", "binance", "okx"]\n'
        '[exchanges.binance]\napi_base = "http://127.0.0.1:18100"\n'
        "[exchanges.okx]\nenabled = false\n"
    )
    assert cli.main(["snapshot", "--json"]) == 0
    assert [(v.name, v.api_base) for v in got] == [
        ("bybit", None),
        ("binance", "http://127.0.0.1:18100"),
    ]
    out = capsys.readouterr()
    assert json.loads(out.out)["errors"] == {"binance": "HTTP 451 restricted"}
    assert out.err == "fundtui: binance: HTTP 451 restricted\n"


def test_live_snapshot_without_the_live_adapter_is_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "fundtui.feeds.registry", None)  # import fails
    assert cli.main(["snapshot"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "try --demo" in err


def test_the_board_loads_no_commands_calculator_sectors_or_signal_screens_before_its_first_frame():
    # The board's first frame waits for every import before it: the sub-command
    # modules (with the calculator), the sector map and rotation model, and the
    # signals and help screens are loaded when first used.
    code = (
        "import json, sys\n"
        "import fundtui.cli as cli\n"
        "def board(args):\n"
        "    from fundtui.ui.app import FundApp\n"
        "    FundApp(cli.load_config(args.config), lambda: [], demo=args.demo)\n"
        "    return 0\n"
        "cli._run_board = board\n"
        "assert cli.main(['--demo']) == 0\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('fundtui'))))\n"
    )
    loaded = set(last_json(code))
    assert "fundtui.ui.app" in loaded
    # the board's own flags are checked as the commands' are (a module of validators)
    assert {m for m in loaded if m.startswith("fundtui.commands.")} <= {"fundtui.commands.flags"}
    assert not loaded & {
        "fundtui.core.calculator",
        "fundtui.core.rotation",
        "fundtui.ui.sectors",
        "fundtui.store.sector_store",
        "fundtui.ui.signals_screen",
        "fundtui.ui.help",
        "fundtui.core.signals",
    }  # the engine: the config needs only its types


@pytest.mark.parametrize(
    "argv, board",
    [
        ([], True),
        (["--demo"], True),
        (["--config", "calc"], True),
        (["--config=x", "--demo"], True),
        (["--bogus"], True),
        (["--refresh", "5"], True),
        (["--exchanges", "okx", "--theme", "light", "--demo"], True),
        (["--refresh=5", "snapshot"], False),
        (["calc"], False),
        (["--demo", "snapshot"], False),
        (["--help"], False),
        (["-h"], False),
        (["snap"], False),
        (["--config", "x", "history"], False),
    ],
)
def test_a_command_line_naming_no_command_skips_the_sub_command_parsers(argv, board):
    assert cli._names_no_command(argv) is board


def test_the_board_command_line_still_parses_as_before(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "_run_board", lambda args: calls.append(args) or 0)
    assert cli.main(["--config", "calc", "--demo"]) == 0
    assert calls[0].config == Path("calc") and calls[0].demo and calls[0].command is None
    help_text = run("--help").stdout
    assert all(
        c in help_text for c in ("snapshot", "calc", "carry", "sectors", "signals", "history")
    )


def test_config_init_creates_a_private_folder_and_file(tmp_path, capsys):
    old = os.umask(0o022)  # the usual umask: without care, 0755 and 0644
    try:
        target = tmp_path / "new" / "deeper" / "config.toml"
        assert cli.main(["config", "init", "--config", str(target)]) == 0
        assert oct(target.stat().st_mode & 0o777) == "0o600"
        assert oct(target.parent.stat().st_mode & 0o777) == "0o700"
        assert oct((tmp_path / "new").stat().st_mode & 0o777) == "0o700"
        target.chmod(0o644)
        assert cli.main(["config", "init", "--force", "--config", str(target)]) == 0
        assert oct(target.stat().st_mode & 0o777) == "0o600"  # rewritten whole, private
        assert target.read_text() == default_config_text()
        mine = tmp_path / "mine"
        mine.mkdir(mode=0o755)
        assert cli.main(["config", "init", "--config", str(mine / "c.toml")]) == 0
        assert oct(mine.stat().st_mode & 0o777) == "0o755"  # the user's folder, as they set it
        assert [p.name for p in mine.iterdir()] == ["c.toml"]  # no temp file left
    finally:
        os.umask(old)


def test_config_init_on_a_folder_or_a_name_too_long_is_one_line(tmp_path, capsys):
    assert cli.main(["config", "init", "--config", str(tmp_path)]) == 2
    assert cli.main(["config", "init", "--force", "--config", str(tmp_path)]) == 2
    assert cli.main(["config", "init", "--config", str(tmp_path / ("y" * 300))]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and "Traceback" not in "".join(err)
    assert "already exists" in err[0] and "it is a folder" in err[1]
    assert "File name too long" in err[2]


@pytest.mark.parametrize("make", ["fifo", "folder", "not-utf8"])
def test_an_unusable_default_config_is_one_line_and_left_in_place(make):
    target = paths.config_file()
    if make == "fifo":
        os.mkfifo(target)
    elif make == "folder":
        target.mkdir()
    else:
        target.write_bytes(b"\xff\xfe[general]\n")
    line = assert_one_line_error(run("snapshot", "--demo"))  # a FIFO would hang a plain read
    assert line.startswith(f"fundtui: {target}: cannot be used as the config file: ")
    assert line.endswith("not a regular file" if make != "not-utf8" else "not UTF-8 text (byte 0)")
    assert target.exists() and list(target.parent.iterdir()) == [target]  # not moved aside


def test_the_entry_point_starts_with_the_collector_off_and_a_command_runs_with_it_on():
    """fundtui/launch.py: no cyclic collection while the program starts; a headless
    command (here one replaced to report) turns it on before it runs."""
    code = (
        "import gc, json, sys\n"
        "import fundtui.cli as cli\n"
        "seen = {}\n"
        "def spy(args):\n"
        "    seen['command'] = gc.isenabled()\n"
        "    return 0\n"
        "cli._run_command = spy\n"
        "sys.argv = ['fundtui', 'config', 'path']\n"
        "from fundtui import launch\n"
        "gc.enable()\n"
        "real_main = cli.main\n"
        "def at_start(argv=None):\n"
        "    seen['start'] = gc.isenabled()\n"
        "    return real_main(argv)\n"
        "cli.main = at_start\n"
        "rc = launch.main()\n"
        "print(json.dumps([rc, seen]))\n"
    )
    assert last_json(code) == [0, {"start": False, "command": True}]


def test_the_script_and_python_m_use_the_entry_point():
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["fundtui"] == "fundtui.launch:main"
    assert "from fundtui.launch import main" in (REPO / "fundtui" / "__main__.py").read_text()
