"""Small Streamlit helpers shared by the views: the source caption under every chart, and the
CSV + metadata download pair."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard import export


def source_caption(info: dict[str, Any], extra: str = "") -> None:
    text = (
        f"Source: {info['producer'] or info['title']} ({info['source']}), licence {info['license']}; "
        f"snapshot {info['snapshot_date']}"
        + (f", data through {info['data_through']}" if info.get("data_through") else "")
        + (f"; {extra}" if extra else "")
    )
    st.caption(text)


def download_pair(
    label: str,
    key: str,
    make_frame: Callable[[], Any],
    make_meta: Callable[[int], dict[str, Any]],
    file_stem: str,
) -> None:
    """Two buttons: the CSV (built only when clicked) and its metadata JSON."""
    c1, c2 = st.columns(2)

    def csv_bytes() -> bytes:
        return export.to_csv_bytes(make_frame())

    def meta_bytes() -> bytes:
        return export.metadata_bytes(make_meta(len(make_frame())))

    c1.download_button(
        label,
        data=csv_bytes,
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    c2.download_button(
        "Metadata (JSON)",
        data=meta_bytes,
        file_name=f"{file_stem}.metadata.json",
        mime="application/json",
        key=f"{key}_meta",
        on_click="ignore",
    )
