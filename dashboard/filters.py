"""Widgets whose values live in the URL query string, so a link reproduces the view.

Order of precedence when a widget first appears: the URL, then the value the session last used
(kept across pages), then the default. Invalid URL values are dropped with a visible notice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

MAX_URL_VALUES = 200
EMPTY = "all"  # link value of a multiselect cleared on purpose (empty = every value)
# every query-string key a view reads; anything else in a link is dropped with a notice
KNOWN_KEYS = frozenset(
    {"roles", "def", "period_from", "period_to", "country"}  # global (dashboard/scope.py)
    | {"exp", "emp", "remote", "size", "dups"}  # pay
    | {"cat", "top", "trend", "cmp"}  # skills
    | {"gjden", "real"}  # Google Jobs denominator (skills), one year's dollars (pay)
)
_NOTICES = "_url_notices"
_KEEP = "_keep_"


def _notice(text: str) -> None:
    st.session_state.setdefault(_NOTICES, [])
    if text not in st.session_state[_NOTICES]:
        st.session_state[_NOTICES].append(text)


def _shown(items: Sequence[str]) -> str:
    # a link can hold 10 kB in one value: a notice quotes at most 5 items of 30 characters
    return ", ".join(repr(i[:30]) for i in items[:5]) + (" ..." if len(items) > 5 else "")


def unknown_keys(keys: Sequence[str]) -> tuple[list[str], str | None]:
    """The link's keys that no view reads, and the notice saying so (None when there are none)."""
    unknown = [k for k in keys if k not in KNOWN_KEYS]
    if not unknown:
        return [], None
    return unknown, f"Ignored unknown parameter(s) in the link: {_shown(unknown)}."


def link_values(
    key: str, raw: list[str], options: Sequence[Any], *, multi: bool
) -> tuple[list[Any] | None, list[str]]:
    """The options a link names for `key` (in link order, once each) and the notices for what it
    gave beyond them; None when nothing usable is left (the default applies)."""
    notices = []
    if len(raw) > MAX_URL_VALUES:
        notices.append(
            f"The link gave {len(raw):,} values for '{key}'; only the first {MAX_URL_VALUES} were read."
        )
        raw = raw[:MAX_URL_VALUES]
    if multi and raw == [EMPTY]:
        return [], notices  # an explicit empty selection ("all"), written by _write_url
    by_text = {str(o): o for o in options}
    valid = [by_text[r] for r in dict.fromkeys(raw) if r in by_text]
    bad = [r for r in raw if r not in by_text]
    if bad:
        notices.append(f"Ignored unknown value(s) for '{key}' in the link: {_shown(bad)}.")
    # nothing usable left: behave as if the link had not named the filter (the default applies)
    return valid or None, notices


def drop_unknown_keys() -> None:
    unknown, notice = unknown_keys(list(st.query_params))
    if notice:
        _notice(notice)
        for k in unknown:
            del st.query_params[k]


def show_notices() -> None:
    for text in st.session_state.pop(_NOTICES, []):
        st.warning(text, icon=":material/warning:")


def _from_url(key: str, options: Sequence[Any], multi: bool = True) -> list[Any] | None:
    if key not in st.query_params:
        return None
    values, notices = link_values(key, st.query_params.get_all(key), options, multi=multi)
    for text in notices:
        _notice(text)
    return values


def _seed(key: str, options: Sequence[Any], default: list[Any], multi: bool) -> None:
    if key in st.session_state:
        current = st.session_state[key]
        vals = current if multi else [current]
        if all(v in options for v in vals):
            # re-assign: a widget of the same key on another page must start from this value
            st.session_state[key] = current
            return
    url = _from_url(key, options, multi)
    if url is not None and (url or multi):
        st.session_state[key] = url if multi else url[0]
        return
    kept = st.session_state.get(_KEEP + key)
    if kept is not None and all(v in options for v in (kept if multi else [kept])):
        st.session_state[key] = kept
        return
    st.session_state[key] = default if multi else default[0]


def _write_url(key: str, value: Any, default: Any, multi: bool) -> None:
    st.session_state[_KEEP + key] = value
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
        return
    if multi and not value:
        st.query_params[key] = EMPTY  # [] differs from the default: say so, or the link loses it
        return
    st.query_params[key] = [str(v) for v in value] if multi else str(value)


def multiselect(
    label: str,
    key: str,
    options: Sequence[Any],
    default: Sequence[Any] = (),
    *,
    format_func: Callable[[Any], str] = str,
    help: str | None = None,
    container: Any = None,
) -> list[Any]:
    """Empty selection means 'all'."""
    c = container or st.sidebar
    opts = list(options)
    dflt = [d for d in default if d in opts]
    _seed(key, opts, dflt, multi=True)
    value = c.multiselect(label, opts, key=key, format_func=format_func, help=help)
    _write_url(key, list(value), dflt, multi=True)
    return list(value)


def radio(
    label: str,
    key: str,
    options: Sequence[Any],
    default: Any,
    *,
    format_func: Callable[[Any], str] = str,
    help: str | None = None,
    container: Any = None,
    horizontal: bool = False,
) -> Any:
    c = container or st.sidebar
    opts = list(options)
    _seed(key, opts, [default], multi=False)
    value = c.radio(label, opts, key=key, format_func=format_func, help=help, horizontal=horizontal)
    _write_url(key, value, default, multi=False)
    return value


def describe(filters: dict[str, Any]) -> str:
    parts = [
        f"{k}={', '.join(map(str, v)) if isinstance(v, list) else v}"
        for k, v in filters.items()
        if v not in ([], None, "")
    ]
    return "; ".join(parts) if parts else "no filters (all rows)"


def period(
    label: str, key: str, options: Sequence[str], *, help: str | None = None, container: Any = None
) -> tuple[str, str]:
    """A range slider over ordered options; the URL holds `<key>_from` and `<key>_to`."""
    c = container or st.sidebar
    opts = list(options)
    default = (opts[0], opts[-1])
    kf, kt = f"{key}_from", f"{key}_to"
    current = st.session_state.get(key)
    if isinstance(current, (tuple, list)) and len(current) == 2 and all(v in opts for v in current):
        start = tuple(current)
    else:
        lo = _from_url(kf, opts, multi=False)
        hi = _from_url(kt, opts, multi=False)
        kept = st.session_state.get(_KEEP + key)
        start = (
            lo[0] if lo else (kept[0] if kept else default[0]),
            hi[0] if hi else (kept[1] if kept else default[1]),
        )
        if opts.index(start[0]) > opts.index(start[1]):
            start = (start[1], start[0])
    # NOTE: a range slider needs a tuple `value`; it is only the starting value, the widget's own
    # state wins afterwards.
    value = tuple(c.select_slider(label, options=opts, value=start, key=key, help=help))
    st.session_state[_KEEP + key] = value
    for k, v, d in ((kf, value[0], default[0]), (kt, value[1], default[1])):
        if v == d:
            if k in st.query_params:
                del st.query_params[k]
        else:
            st.query_params[k] = v
    return value
