"""ccxt's clients loaded one exchange at a time (fundtui.feeds.ccxt_loader)."""

from pathlib import Path

from tests.fresh_process import last_json

REPO = Path(__file__).resolve().parents[1]


def run(code: str) -> dict:
    return last_json(code, timeout=120)


def test_only_the_exchanges_asked_for_are_imported():
    out = run(
        "import json, sys\n"
        "from fundtui.feeds import ccxt_loader\n"
        "c = ccxt_loader.load()\n"
        "ex = c.binance({'enableRateLimit': False})\n"
        "from ccxt.async_support.base.exchange import Exchange\n"
        "print(json.dumps({'is_exchange': isinstance(ex, Exchange), 'id': ex.id,\n"
        "  'okx': 'ccxt.async_support.okx' in sys.modules,\n"
        "  'sync': 'ccxt.binance' in sys.modules or 'ccxt.kraken' in sys.modules,\n"
        "  'errors': issubclass(c.RequestTimeout, c.NetworkError) and c.BaseError.__name__,\n"
        "  'known': 'hyperliquid' in c.exchanges and 'nosuch' not in c.exchanges,\n"
        "  'version': c.__version__, 'modules': sum(m.startswith('ccxt') for m in sys.modules),\n"
        "  'missing': getattr(c, 'nosuch', None) is None}))\n"
    )
    assert out["is_exchange"] and out["id"] == "binance"
    assert not out["okx"] and not out["sync"]
    assert out["errors"] == "BaseError" and out["known"] and out["missing"]
    assert out["version"] and out["modules"] < 60  # the whole package is ~280


def test_the_whole_package_is_still_there_for_whoever_asks():
    out = run(
        "import json\n"
        "from fundtui.feeds import ccxt_loader\n"
        "c = ccxt_loader.load()\n"
        "import ccxt, ccxt.async_support as a\n"
        "print(json.dumps({'sync': ccxt.kraken.__name__, 'async': a.kraken.__name__,\n"
        "  'same': a.binance is c.binance, 'exchanges': len(a.exchanges) == len(c.exchanges)}))\n"
    )
    assert out == {"sync": "kraken", "async": "kraken", "same": True, "exchanges": True}


def test_a_ccxt_imported_the_usual_way_is_used_as_it_is():
    out = run(
        "import json, ccxt.async_support as a\n"
        "from fundtui.feeds import ccxt_loader\n"
        "print(json.dumps({'same': ccxt_loader.load() is a}))\n"
    )
    assert out == {"same": True}


def test_a_name_that_is_no_exchange_id_is_an_attribute_error_not_a_file_lookup():
    out = run(
        "import json, sys\n"
        "from fundtui.feeds import ccxt_loader\n"
        "c = ccxt_loader.load()\n"
        "said = {}\n"
        "for name in ['x' * 300, '../base/exchange', 'base', 'bin\\x00ance', 'ｂinance', '']:\n"
        "    try:\n"
        "        getattr(c, name)\n"
        "        said[name] = 'found'\n"
        "    except AttributeError:\n"
        "        said[name] = 'AttributeError'\n"
        "    except Exception as e:\n"
        "        said[name] = type(e).__name__\n"
        "import ccxt.async_support as a\n"
        "print(json.dumps({'said': sorted(set(said.values())),\n"
        "  'ids': sorted(c.exchanges) == sorted(a.exchanges)}))\n"
    )
    assert out == {"said": ["AttributeError"], "ids": True}
