"""A bounded store of results of pure functions, keyed by the content of their arguments
(`by_content`): shared by every session of the dashboard process, handed out as copies."""

from __future__ import annotations

import functools
import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])
RESULTS_KEPT = 512  # results of by_content functions kept per process (each a few hundred bytes)
MISSING = object()  # Kept.get's answer for a key it does not hold (a kept result may be None)


class Kept:
    """A bounded store of results shared by every thread: the least recently used entry is
    dropped first once it holds more than `size` (by_content's results, data.run_query's)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The kept value of `key` (now the most recently used), MISSING when none is kept."""
        with self._lock:
            if key not in self._entries:
                return MISSING
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_results = Kept(RESULTS_KEPT)


def _digest(parts: tuple) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        key = getattr(p, "memo_key", None)
        if key is not None:  # an object that names its own content (a DataState: store + version)
            h.update(repr(key).encode())
        elif isinstance(p, pd.DataFrame):
            h.update(repr((list(p.columns), [str(t) for t in p.dtypes], len(p))).encode())
            # NOTE: speed: each column's values, numbers by their bytes and text (or any object
            # column) pickled, cost ~0.2 ms on the views' frames where pandas'
            # hash_pandas_object cost ~1-1.5 ms, a dozen times per rerun
            for col in p.columns:
                v = p[col].to_numpy()
                if v.dtype == object:
                    h.update(pickle.dumps(v.tolist(), protocol=5))
                else:
                    h.update(np.ascontiguousarray(v).tobytes())
                h.update(b"\1")
        elif isinstance(p, np.ndarray):
            h.update(repr((p.dtype.str, p.shape)).encode())
            h.update(np.ascontiguousarray(p).tobytes())
        else:
            h.update(repr(p).encode())
        h.update(b"\0")
    return h.digest()


def fresh(out: Any) -> Any:
    """A copy the caller may change without changing the kept result."""
    if isinstance(out, tuple):
        return tuple(fresh(o) for o in out)
    if isinstance(out, dict):
        return dict(out)
    if isinstance(out, pd.DataFrame | pd.Series):
        return out.copy()
    return out


def by_content(fn: F) -> F:
    """Keep `fn`'s result per content of its arguments (arrays and frames by their bytes, a
    DataState by its store and published version, anything else by its repr), shared by every
    session of the process. For pure functions that cost tens of milliseconds (the bootstrap
    statistics, the Skills view's sums over the resident aggregates) while a filter change often
    leaves their input as it was (another role list, a period with the same latest year, a filter
    the function does not read). A kept result that is neither a frame nor a dict or tuple (a
    plotly figure) is handed out as it is: its callers never change it."""

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = fn.__qualname__.encode() + _digest((*args, *sorted(kwargs.items())))
        out = _results.get(key)
        if out is MISSING:
            out = fn(*args, **kwargs)
            _results.put(key, out)
        return fresh(out)

    return wrapped  # type: ignore[return-value]
