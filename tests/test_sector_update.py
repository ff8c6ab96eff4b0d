"""``fundtui sectors``: the CoinGecko fetcher against a loopback server, and the CLI."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from fundtui import cli
from fundtui.core.sectors import SectorMap
from fundtui.feeds import sector_categories as cg
from fundtui.store import sector_store

DATA = Path(__file__).parent / "data" / "coingecko"


def payload(name: str):
    return json.loads((DATA / name).read_text("utf-8"))


class FakeGecko:
    """/api/v3/coins/categories/list and /api/v3/coins/markets on 127.0.0.1."""

    def __init__(self, category_ids) -> None:
        listing = payload("categories_list_docs_example.json")
        listing += [{"category_id": c, "name": c.title()} for c in category_ids]
        self.routes = {"/api/v3/coins/categories/list": listing}
        self.markets = {
            "meme-token": payload("coins_markets_meme_token.json"),
            "layer-1": payload("coins_markets_layer_1.json"),
        }
        self.requests: list[tuple[str, dict]] = []
        self.throttle = 0  # answer this many next requests with 429
        self.retry_after = "7"
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append((url.path, query))
                if fake.throttle:
                    fake.throttle -= 1
                    self.send_response(429)
                    if fake.retry_after is not None:
                        self.send_header("Retry-After", fake.retry_after)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if url.path == "/api/v3/coins/markets":
                    body = fake.markets.get(query.get("category"), [])
                elif url.path in fake.routes:
                    body = fake.routes[url.path]
                else:
                    self.send_error(404)
                    return
                raw = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gecko():
    ids = {c for cids in cg.CATEGORIES.values() for c in cids} | {"layer-1", "meme-token"}
    fake = FakeGecko(sorted(ids))
    yield fake
    fake.close()


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CATS = {"Meme": ("meme-token",), "L1": ("layer-1", "gone-category")}


def test_fetch_builds_the_map_paced_and_keeps_unplaced_bases(gecko):
    t = FakeTime()
    fallback = SectorMap.build({"Meme": ["DOGE", "WIF"], "L1": ["ETH"], "Old": ["XYZ"]})
    seen = []
    m, notes = cg.fetch_sector_map(
        "2026-11-21",
        base_url=gecko.url,
        categories=CATS,
        fallback=fallback,
        pace_s=2.5,
        sleep=t.sleep,
        clock=t.clock,
        progress=lambda *a: seen.append(a),
    )
    assert [p for p, _ in gecko.requests] == [
        "/api/v3/coins/categories/list",
        "/api/v3/coins/markets",
        "/api/v3/coins/markets",
    ]
    assert gecko.requests[1][1] == {
        "vs_currency": "usd",
        "category": "meme-token",
        "order": "market_cap_desc",
        "per_page": "250",
        "page": "1",
    }
    assert t.sleeps == [2.5, 2.5]  # one call every 2.5 s: 24 a minute at most
    assert notes == ["CoinGecko has no category 'gone-category' any more; skipped"]
    assert m.as_of == "2026-11-21"
    assert m.bases_of("Meme") == ("DOGE", "PEPE", "WIF")  # WIF: placed nowhere, kept
    assert m.bases_of("L1") == ("DOGE", "ETH")  # CoinGecko puts DOGE in layer-1 too
    assert m.bases_of("Old") == ("XYZ",)
    assert "CoinGecko categories via http://127.0.0.1" in m.source
    assert seen[0] == (0, 4, "category list") and seen[-1] == (4, 4, "done")
    # the real table stays within the free tier: one listing plus one call per id
    assert 1 + len({c for ids in cg.CATEGORIES.values() for c in ids}) <= 30


def test_429_waits_out_retry_after_then_succeeds(gecko):
    t = FakeTime()
    gecko.throttle = 1
    m, _ = cg.fetch_sector_map(
        "2026-11-21", base_url=gecko.url, categories=CATS, pace_s=0, sleep=t.sleep, clock=t.clock
    )
    assert t.sleeps == [7.0]
    assert len(gecko.requests) == 4  # the listing twice
    assert m.bases_of("Meme") == ("DOGE", "PEPE")


def test_429_without_retry_after_waits_a_minute_and_gives_up_in_one_line(gecko):
    t = FakeTime()
    gecko.throttle = 99
    gecko.retry_after = None
    with pytest.raises(cg.SectorFetchError) as e:
        cg.fetch_sector_map(
            "2026-11-21",
            base_url=gecko.url,
            categories=CATS,
            pace_s=0,
            retries=2,
            sleep=t.sleep,
            clock=t.clock,
        )
    assert t.sleeps == [60.0, 60.0]
    assert len(gecko.requests) == 3
    assert str(e.value) == (
        "127.0.0.1 kept answering 429 (rate limit) after 3 tries; try again in a few minutes"
    )


def test_offline_is_one_clear_line():
    with pytest.raises(cg.SectorFetchError) as e:
        cg.fetch_sector_map(
            "2026-11-21", base_url=f"http://127.0.0.1:{closed_port()}", categories=CATS, pace_s=0
        )
    message = str(e.value)
    assert message.startswith("cannot reach 127.0.0.1: ") and message.endswith("(offline?)")
    assert "\n" not in message


def test_cli_update_caches_the_dated_map_and_list_shows_it(gecko, capsys):
    assert cli.main(["sectors", "update", "--base-url", gecko.url, "--pace", "0"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("19 sectors, ") and str(sector_store.cache_path()) in out
    cached = json.loads(sector_store.cache_path().read_text("utf-8"))
    assert cached["as_of"] and {"DOGE", "PEPE"} <= set(cached["sectors"]["Meme"])
    # CoinGecko placed DOGE (Meme, L1): its bundled Payments & PoW membership is gone
    assert "DOGE" in cached["sectors"]["L1"]
    assert "DOGE" not in cached["sectors"]["Payments & PoW"]
    assert cli.main(["sectors", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["origin"] == "updated" and listed["as_of"] == cached["as_of"]
    assert "HYPE" in listed["sectors"]["DEX"]  # not placed by the fake: kept from the bundle


def test_cli_update_offline_keeps_the_map_and_exits_1(capsys):
    before = sector_store.load()[0]
    code = cli.main(["sectors", "update", "--base-url", f"http://127.0.0.1:{closed_port()}"])
    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("fundtui: sector update failed: cannot reach 127.0.0.1")
    assert err.rstrip().endswith("keeping the bundled map")
    assert not sector_store.cache_path().exists()
    assert sector_store.load()[0] == before


def test_cli_list_applies_config_overrides(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[sectors]\n"My basket" = ["ENA", "ETHFI"]\n', "utf-8")
    assert cli.main(["sectors", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("# sector map as of 2026-11-21 (bundled with fundtui)")
    assert any(line.split() == ["My", "basket", "2", "ENA", "ETHFI"] for line in out)
    bad = tmp_path / "bad.toml"
    bad.write_text('[sectors]\nMeme = "PEPE"\n', "utf-8")
    assert cli.main(["sectors", "list", "--config", str(bad)]) == 2
    assert capsys.readouterr().err.startswith(f'fundtui: {bad}: [sectors] "Meme" must be')


@pytest.mark.parametrize("garbage", [b"\xff\xfe not utf-8", b'{"sectors": 5}', b"{cut"])
def test_cli_list_with_a_corrupt_updated_map_warns_once_and_keeps_it(garbage, capsys):
    path = sector_store.cache_path()
    path.write_bytes(garbage)
    assert cli.main(["sectors", "list", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["origin"] == "bundled"
    assert len(err.splitlines()) == 1 and str(path) in err and "moved to" in err
    (aside,) = path.parent.glob("sectors.json.corrupt-*")
    assert aside.read_bytes() == garbage and not path.exists()


def test_cli_update_over_a_corrupt_map_keeps_the_corrupt_one_aside(gecko, capsys):
    path = sector_store.cache_path()
    path.write_bytes(b"\xff corrupt")
    assert cli.main(["sectors", "update", "--base-url", gecko.url, "--pace", "0"]) == 0
    (aside,) = path.parent.glob("sectors.json.corrupt-*")
    assert aside.read_bytes() == b"\xff corrupt"
    assert sector_store.cached()[0] is not None
    err = capsys.readouterr().err
    # one line, through the CLI's own voice, before the new map replaced the name
    assert err.splitlines() == [line for line in err.splitlines() if str(path) in line]
    assert len(err.splitlines()) == 1 and err.startswith("fundtui: Sector map ")
    assert "not UTF-8" in err and aside.name in err


def test_cli_failed_update_over_a_corrupt_map_says_so_and_keeps_the_bundled(capsys):
    path = sector_store.cache_path()
    path.write_bytes(b'{"sectors": 5}')
    code = cli.main(["sectors", "update", "--base-url", f"http://127.0.0.1:{closed_port()}"])
    assert code == 1
    notice, failed = capsys.readouterr().err.splitlines()
    (aside,) = path.parent.glob("sectors.json.corrupt-*")
    assert notice.startswith("fundtui: Sector map ") and aside.name in notice
    assert failed.startswith("fundtui: sector update failed: ")
    assert failed.endswith("keeping the bundled map")
    assert aside.read_bytes() == b'{"sectors": 5}' and not path.exists()


def test_cli_list_text_reports_a_corrupt_map_once_and_lists_the_bundled(capsys):
    path = sector_store.cache_path()
    path.write_bytes(b"\x00\xff\x1b[2J")
    assert cli.main(["sectors", "list"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# sector map as of 2026-11-21 (bundled with fundtui)")
    (line,) = err.splitlines()
    (aside,) = path.parent.glob("sectors.json.corrupt-*")
    assert line.startswith(f"fundtui: Sector map {path} unusable") and aside.name in line
    assert "\x1b" not in err
    assert cli.main(["sectors", "list"]) == 0  # reported once: the next run is quiet
    assert capsys.readouterr().err == ""
