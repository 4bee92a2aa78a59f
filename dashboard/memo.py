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
_results: OrderedDict[bytes, Any] = OrderedDict()
_results_lock = threading.Lock()


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


def _fresh(out: Any) -> Any:
    """A copy the caller may change without changing the kept result."""
    if isinstance(out, tuple):
        return tuple(_fresh(o) for o in out)
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
        with _results_lock:
            if key in _results:
                _results.move_to_end(key)
                return _fresh(_results[key])
        out = fn(*args, **kwargs)
        with _results_lock:
            _results[key] = out
            while len(_results) > RESULTS_KEPT:
                _results.popitem(last=False)
        return _fresh(out)

    return wrapped  # type: ignore[return-value]
