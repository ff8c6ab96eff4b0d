"""ccxt's async clients, loading only the exchanges that are asked for.

``import ccxt.async_support`` runs two package ``__init__`` modules that import
every exchange ccxt ships, sync and async (~270 modules): about 45 MB of code
objects that stay resident for the life of the app, for the six or so venues
fundtui talks to. :func:`load` returns a :class:`Clients` instead: exchange
classes, error classes, ``exchanges`` and ``__version__`` as attributes, like the
package, with each exchange's module imported on first use.

To import ``ccxt.async_support.binance`` without running the ``__init__`` of
``ccxt`` and ``ccxt.async_support``, those two packages are put in
``sys.modules`` unexecuted (their search paths only). Should anything ask one of
them for a name it does not have yet, the real ``__init__`` is run into it there
and then, so other code that imports ccxt still finds the whole package. If ccxt
was already imported the usual way, its package is used as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

_PACKAGES = ("ccxt", "ccxt.async_support")
_lock = threading.Lock()


class Clients:
    """The names fundtui uses from ``ccxt.async_support``, resolved on demand."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self.exchanges = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
        from ccxt.base import errors
        from ccxt.base.exchange import __version__

        self.__version__ = __version__
        self._errors = errors

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._errors, name, None)
        if value is None and name in self.exchanges:
            module = importlib.import_module(f"ccxt.async_support.{name}")
            value = getattr(module, name, None)
        if value is None:
            raise AttributeError(name)
        setattr(self, name, value)
        return value


def _full_on_demand(module: ModuleType) -> None:
    """Run the package's real ``__init__`` into ``module`` the first time a name it
    lacks is looked up on it."""

    def __getattr__(name: str) -> Any:
        with _lock:
            if module.__dict__.pop("__getattr__", None) is not None:
                module.__dict__.pop("_fundtui_stub", None)
                spec = module.__spec__
                assert spec is not None and spec.loader is not None  # built from a file
                spec.loader.exec_module(module)
        try:
            return module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}") from None

    module.__dict__["__getattr__"] = __getattr__


def _stub_packages() -> Path | None:
    """``ccxt`` and ``ccxt.async_support`` in sys.modules, unexecuted; the
    async_support folder, or None when ccxt is not installed."""
    spec = importlib.util.find_spec("ccxt")
    if spec is None or not spec.submodule_search_locations or spec.origin is None:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    folder = root / "async_support"
    inner = importlib.util.spec_from_file_location(
        "ccxt.async_support", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert inner is not None  # a path-based spec, never None
    for name, package_spec in zip(_PACKAGES, (spec, inner), strict=True):
        module = importlib.util.module_from_spec(package_spec)
        module.__dict__["_fundtui_stub"] = True
        _full_on_demand(module)
        sys.modules[name] = module
    top = sys.modules["ccxt"].__dict__
    top["async_support"] = sys.modules["ccxt.async_support"]
    # What ccxt's own modules import from the package (``from ccxt import
    # BaseError, Exchange``), as its __init__ would export it.
    from ccxt.base import decimal_to_precision, errors, exchange, precise

    for module in (errors, decimal_to_precision):
        top.update({n: getattr(module, n) for n in module.__all__})
    top.update(
        Exchange=exchange.Exchange, Precise=precise.Precise, __version__=exchange.__version__
    )
    return folder


def load() -> Any:
    """ccxt's async clients: :class:`Clients`, or the whole ``ccxt.async_support``
    when ccxt was already imported. Raises ImportError without ccxt."""
    with _lock:
        present = sys.modules.get("ccxt")
        if present is not None and not present.__dict__.get("_fundtui_stub"):
            return importlib.import_module("ccxt.async_support")
        folder: Path | None
        if present is not None:
            folder = Path(sys.modules["ccxt.async_support"].__path__[0])
        else:
            folder = _stub_packages()
        if folder is None:
            raise ImportError("No module named 'ccxt'")
    return Clients(folder)
