"""The command line against hostile venues and hostile flags: nothing reaches the
terminal raw, and every bad input is one line on stderr, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from fundtui import cli
from fundtui.commands import say
from fundtui.commands.terminal import InertStream, inert
from fundtui.core.quote import Quote
from fundtui.core.text import visible
from fundtui.engine.recorder import history_folder
from fundtui.store import paths
from fundtui.store.history import HistoryStore

pytest_plugins = ("tests.fakevenue.fixtures",)

from tests.netguard import loopback_only  # noqa: E402,F401 - autouse: no internet

REPO = Path(__file__).resolve().parents[1]

#: Bases a venue may list: an OSC title set ended by BEL (the issue's okx instId),
#: a screen clear, carriage return, backspace, DEL, a C1 CSI, a bidi override and
#: a zero-width space.
NAMES = (
    "\x1b]0;PWNED\x07T",
    "\x1b[2J",
    "CR\rX",
    "BS\bX",
    "DEL\x7fX",
    "CSI\x9bX",
    "RLO\u202eX",
    "ZW\u200bX",
)
HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def assert_inert(text: str) -> None:
    """Nothing a terminal would act on: no C0 but the newline, no DEL, no C1, no
    bidi, zero-width or other format characters."""
    for ch in text:
        if ch == "\n":
            continue
        code = ord(ch)
        assert code >= 0x20 and code != 0x7F and not 0x80 <= code <= 0x9F, repr(ch)
        assert unicodedata.category(ch) not in HIDDEN, repr(ch)


def hostile_okx(fake, template: str = "LPT") -> None:
    """Serve one more okx perp per hostile name, a copy of ``template``'s (LPT's
    premium makes the "implied" rule fire, so signals have a hit to print)."""
    instruments = fake.payload("instruments_swap")["data"]
    rates = fake.payload("funding_rate_any")["data"]
    inst = next(i for i in instruments if i["instId"] == f"{template}-USDT-SWAP")
    rate = next(r for r in rates if r["instId"] == f"{template}-USDT-SWAP")
    for name in NAMES:
        instruments.append(
            {
                **inst,
                "instId": f"{name}-USDT-SWAP",
                "instFamily": f"{name}-USDT",
                "uly": f"{name}-USDT",
                "ctValCcy": name,
            }
        )
        rates.append({**rate, "instId": f"{name}-USDT-SWAP"})


@pytest.fixture
def quick_ccxt(monkeypatch):
    """ccxt without its 250 ms linger on close and its client-side pacing (loopback)."""
    from ccxt.async_support.base.exchange import Exchange

    monkeypatch.setattr(Exchange, "timeout_on_exit", 0)

    async def no_throttle(self, cost=None):
        return None

    monkeypatch.setattr(Exchange, "throttle", no_throttle)


@pytest.fixture
def okx_config(fakes, tmp_path, quick_ccxt) -> Path:
    """A config polling only the fake okx, which lists the hostile names."""
    hostile_okx(fakes["okx"])
    cfg = tmp_path / "hostile.toml"
    cfg.write_text(
        f'[general]\nexchanges = ["okx"]\n[exchanges.okx]\napi_base = "{fakes["okx"].url}"\n'
    )
    return cfg


# --- the failure, as bytes on a real stdout ------------------------------


def test_snapshot_text_writes_no_escape_or_bell_byte(okx_config):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.run(
        [sys.executable, "-m", "fundtui", "snapshot", "--config", str(okx_config)],
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.count(b"\x1b") == 0 and p.stdout.count(b"\x07") == 0  # were 14 and 7
    assert not [b for b in p.stdout if b < 0x20 and b != 0x0A or b == 0x7F]
    out = p.stdout.decode("utf-8")
    assert_inert(out)
    assert_inert(p.stderr.decode("utf-8"))
    for name in NAMES:
        assert f"{visible(name)}/USDT:USDT" in out  # spelled out, not dropped
    assert "\\x1b]0;PWNED\\x07T" in out and "\\u202eX" in out


# --- every command, in process -----------------------------------------------------


def test_snapshot_table_lines_up_on_what_is_shown(capsys, okx_config):
    assert cli.main(["snapshot", "--config", str(okx_config)]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    lines = out.splitlines()
    rate_at = lines[0].index("RATE") + len("RATE")  # right-aligned column
    for line in lines[1:]:
        assert line[rate_at - 1] == "%" or line[rate_at - 1] == "-", line


def test_snapshot_json_carries_the_exact_names(capsys, okx_config):
    assert cli.main(["snapshot", "--json", "--config", str(okx_config)]) == 0
    raw = capsys.readouterr().out
    assert raw.isascii()
    snap = json.loads(raw)
    assert raw == json.dumps(snap, indent=2) + "\n"  # passed through unchanged
    symbols = {q["symbol"] for q in snap["quotes"]}
    bases = {q["base"] for q in snap["quotes"]}
    for name in NAMES:
        assert f"{name}/USDT:USDT" in symbols and name in bases


def test_signals_text_and_json(capsys, okx_config):
    # one refresh covers no window: without coverage the implied rule fires on each
    # hostile market's premium, so each name reaches the output
    okx_config.write_text(okx_config.read_text() + "[signals]\nmin_coverage = 0.0\n")
    assert cli.main(["signals", "--config", str(okx_config)]) == 0
    out = capsys.readouterr()
    assert_inert(out.out + out.err)
    for name in NAMES:
        assert f" {visible(name)} " in out.out  # the BASE column of its hit
    assert cli.main(["signals", "--json", "--config", str(okx_config)]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert {h["base"] for h in hits} >= set(NAMES)


def test_a_venue_error_quoting_a_hostile_body_is_one_inert_line(capsys, fakes, okx_config):
    fakes["bybit"].fail(503, body="\x1b]0;PWNED\x07\x1b[2J\r\u202e down\nfor maintenance")
    okx_config.write_text(
        okx_config.read_text().replace('["okx"]', '["okx", "bybit"]')
        + f'[exchanges.bybit]\napi_base = "{fakes["bybit"].url}"\n'
    )
    assert cli.main(["snapshot", "--config", str(okx_config)]) == 0
    err = capsys.readouterr().err
    assert_inert(err)
    assert len(err.splitlines()) == 1 and err.startswith("fundtui: bybit: ")


def test_history_text_spells_out_a_stored_hostile_symbol(capsys):
    now = time.time_ns() // 1_000_000
    with HistoryStore.open(history_folder(False) / paths.HISTORY_FILE) as store:
        store.record(
            [Quote("okx", f"BTC{n}/USDT:USDT", "BTC", "USDT", 0.0001, 8.0) for n in NAMES],
            now - 60_000,
        )
    assert cli.main(["history", "BTC"]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    for name in NAMES:
        assert f"BTC{visible(name)}/USDT:USDT" in out
    assert cli.main(["history", "BTC", "--json"]) == 0
    stored = {s["symbol"] for s in json.loads(capsys.readouterr().out)["venues"]["okx"]}
    assert stored == {f"BTC{n}/USDT:USDT" for n in NAMES}


def test_sectors_list_spells_out_a_configured_sector_name(capsys):
    paths.config_file().write_text('[sectors]\n"\\u001b]0;PWNED\\u0007Meme\\u202e" = ["DOGE"]\n')
    assert cli.main(["sectors", "list"]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert "\\x1b]0;PWNED\\x07Meme\\u202e" in out


def test_say_is_one_inert_line():
    import io
    from contextlib import redirect_stderr

    buf = io.StringIO()
    with redirect_stderr(buf):
        say("okx: \x1b[2J bad\r\nbody \u202e\x9b" + "x" * 5000)
    line = buf.getvalue()
    assert line.endswith("\n") and line.count("\n") == 1
    assert_inert(line)
    assert line.startswith("fundtui: okx: \\x1b[2J bad body \\u202e\\x9b")
    assert len(line) <= 1001


def test_inert_keeps_newlines_and_plain_text_and_is_idempotent():
    assert inert("a\nb c\n") == "a\nb c\n"
    assert inert("a\r\n\x1b[2J\n") == "a\\x0d\n\\x1b[2J\n"
    assert inert(inert("\x07\u200b")) == inert("\x07\u200b") == "\\x07\\u200b"
    import io

    buf = io.StringIO()
    stream = InertStream(buf)
    assert stream.write("T\x1b]0;X\x07\n") == len("T\x1b]0;X\x07\n")
    assert buf.getvalue() == "T\\x1b]0;X\\x07\n"
    assert stream.getvalue() == buf.getvalue()  # everything else is the wrapped stream's


def test_a_lone_surrogate_from_a_venue_is_spelled_out_not_a_crash(capsys, monkeypatch):
    from fundtui.commands import terminal

    with terminal.inert_stdout():
        print("BTC\ud800")
    assert capsys.readouterr().out == "BTC\\ud800\n"


# --- exchange ids ------------------------------------------------------------------

BAD_IDS = [
    "x" * 300,
    "../binance",
    "..",
    "a/b",
    "/etc/passwd",
    "bin\x00ance",
    "ｂinance",
    "binance\u200b",
    "\x1b[2J",
    "bin ance",
    "",
    "okx,",
    ",okx",
]


def one_line_error(capsys, argv, code=2) -> str:
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fundtui"), err
    assert_inert(err)
    return lines[0]


@pytest.mark.parametrize("name", BAD_IDS)
def test_a_bad_exchange_flag_is_one_line_before_any_file_is_looked_at(capsys, monkeypatch, name):
    import fundtui.config as config

    config._ccxt_exchange_ids.cache_clear()
    looked: list[str] = []
    real_stat = os.stat
    monkeypatch.setattr(
        os, "stat", lambda p, *a, **k: looked.append(str(p)) or real_stat(p, *a, **k)
    )
    line = one_line_error(capsys, ["snapshot", "--exchanges", name])
    assert "unknown exchange" in line or "expected comma-separated" in line
    assert len(line) < 400
    assert not [p for p in looked if len(name) > 3 and name in p]


@pytest.mark.parametrize("name", [n for n in BAD_IDS if n and "," not in n])
def test_a_bad_exchange_in_the_config_is_one_line(capsys, name):
    for text in (
        f"[general]\nexchanges = [{json.dumps(name)}]\n",
        f"[exchanges.{json.dumps(name)}]\nenabled = true\n",
        f"[fees.{json.dumps(name)}]\ntaker = 0.001\n",
    ):
        paths.config_file().write_text(text)
        for argv in (["snapshot", "--demo"], ["signals", "--demo"]):
            assert "unknown exchange" in one_line_error(capsys, argv)


def test_every_ccxt_exchange_id_is_known_and_nothing_else():
    import ccxt

    from fundtui.config import SUPPORTED_VENUES, _ccxt_exchange_ids, is_known_venue

    assert _ccxt_exchange_ids() == frozenset(ccxt.exchanges)
    assert all(is_known_venue(n) for n in (*ccxt.exchanges, *SUPPORTED_VENUES))
    assert not any(is_known_venue(n) for n in BAD_IDS)
    assert not is_known_venue("__init__") and not is_known_venue("base")


# --- the sweep: every command, hostile flags ---------------------------------------

from tests.test_cli_calc import CALC, CARRY  # noqa: E402 - the calculator tests' good flags


def flag(argv, name, value):
    out = list(argv)
    out[out.index(name) + 1] = value
    return out


HOSTILE_NUMBERS = [
    "٣",
    "１２３",
    "1_000",
    "1,5",
    "nan",
    "-inf",
    "infinity",
    "1e999",
    "0x10",
    "1.2.3",
    "",
    "\u200b5",
    "5\x00",
    "\x1b[2J",
    "9" * 400,
]
SWEEP = [
    *[flag(CALC, f, v) for f in ("--equity", "--leverage", "--entry") for v in HOSTILE_NUMBERS],
    *[[*CALC, f, v] for f in ("--fee-in", "--mmr", "--rate", "--hold") for v in ("٣", "nan")],
    flag(CALC, "--symbol", "\x1b]0;PWNED\x07"),
    flag(CALC, "--symbol", "B\u202eTC"),
    flag(CALC, "--venue", "../binance"),
    flag(CALC, "--side", "\x9b"),
    *[
        flag(CARRY, f, v)
        for f in ("--price", "--notional", "--short-rate")
        for v in ("٣", "1_0", "inf")
    ],
    flag(CARRY, "--short", "x" * 300),
    ["history", "\x1b[2J"],
    ["history", "BT\x07C"],
    ["history", "BTC", "--hours", "٣"],
    ["history", "BTC", "--every", "inf"],
    ["history", "BTC", "--venue", "x" * 300],
    ["sectors", "update", "--pace", "nan"],
    ["sectors", "\x1b[2J"],
    ["sectors", "update", "--base-url", "\x1b[2J"],
    ["sectors", "update", "--base-url", "x:/"],
    ["snapshot", "--exchanges", "x" * 300],
    ["snapshot", "\u202e"],
    ["--\x1b]0;PWNED\x07"],
    ["\x9b"],
    ["config", "\x1b[2J"],
    ["signals", "--json\x07"],
    # whole numbers and seconds: ASCII digits only, as the calculator's fields
    *[["snapshot", "--top", v] for v in ("٣", "１２", "1_0", "+5", "2.0", "9" * 400)],
    *[["serve", "--port", v] for v in ("٨٠٨٠", "８０８０", "8_080", " 80 80")],
]


@pytest.mark.parametrize("command", [[], ["record"], ["serve"]], ids=["board", "record", "serve"])
@pytest.mark.parametrize("value", ["١٠", "１０", "1_0", "+1_0", "nan"])
def test_refresh_seconds_take_ascii_decimal_notation_only(capsys, command, value):
    """Parsed, not run: a value the parser let through would start the board or poll."""
    with pytest.raises(SystemExit) as stop:
        cli.build_parser(commands_too=bool(command)).parse_args([*command, "--refresh", value])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "expected a number of seconds" in err.splitlines()[-1]
    assert_inert(err)
    args = cli.build_parser(commands_too=bool(command)).parse_args([*command, "--refresh", "10"])
    assert 10.0 in (getattr(args, "refresh", None), getattr(args, "board_refresh", None))


@pytest.mark.parametrize("argv", SWEEP, ids=lambda a: ascii(" ".join(a))[:60])
def test_sweep_bad_flags_exit_2_with_one_inert_line(capsys, argv):
    one_line_error(capsys, argv)


@pytest.mark.parametrize(
    "command",
    [["snapshot", "--demo"], ["signals", "--demo"], ["sectors", "list"], CALC, CARRY, ["--demo"]],
)
@pytest.mark.parametrize(
    "config",
    ["/dev/zero", "fifo", "not-utf8", "huge", "folder", "deep", "long-name", "hostile-name"],
)
def test_sweep_unusable_config_files_exit_2_with_one_line(capsys, tmp_path, command, config):
    target = {
        "fifo": tmp_path / "fifo",
        "not-utf8": tmp_path / "latin1.toml",
        "huge": tmp_path / "huge.toml",
        "folder": tmp_path,
        "deep": tmp_path / "deep.toml",
        "long-name": tmp_path / ("y" * 300),
        "hostile-name": tmp_path / "\x1b[2J.toml",
        "/dev/zero": Path("/dev/zero"),
    }[config]
    if config == "fifo":
        os.mkfifo(target)
    elif config == "not-utf8":
        target.write_bytes(b'[general]\nbell = "caf\xe9"\n')
    elif config == "huge":
        with open(target, "wb") as f:
            f.truncate(64 * 1024 * 1024)  # sparse: refused on its size, never read
    elif config == "deep":
        target.write_text("a = " + "[" * 100_000)
    elif config == "hostile-name":
        target.write_text("[general\n")
    keep = config in ("not-utf8", "deep", "hostile-name")
    before = target.read_bytes() if keep else None
    line = one_line_error(capsys, [*command, "--config", str(target)])
    assert (
        str(target) if config not in ("long-name", "hostile-name") else visible(str(target))[:100]
    ) in line
    if before is not None:
        assert target.read_bytes() == before  # the user's file, left for the user to fix


@pytest.mark.parametrize("command", [["snapshot"], ["signals"]])
def test_a_market_cache_moved_aside_is_one_line_from_the_command(capsys, okx_config, command):
    from fundtui.store.market_cache import cache_path

    cache = cache_path("okx")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"\xff\xfe not a cache")
    assert cli.main([*command, "--config", str(okx_config)]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if "moved to" in line]
    assert len(err) == 1 and err[0].startswith("fundtui: ") and str(cache) in err[0]
    (aside,) = cache.parent.glob(cache.name + ".corrupt-*")
    assert aside.read_bytes() == b"\xff\xfe not a cache"
