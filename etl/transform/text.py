"""Turn Hacker News comment HTML into plain text.

Reads the `text` field of an HN Algolia item (a small HTML subset); writes plain text.
"""

from __future__ import annotations

import html
import re

# NOTE: HN comment HTML is a small, regular subset: `<p>` opens each paragraph after the first
# and is never closed; links are `<a href="..." rel="nofollow">shown text</a>` where the shown
# text is the (sometimes truncated, "...") URL; `<i>` for italics; `<pre><code>` for code
# blocks. Entities are escaped (`&#x2F;` for "/", `&#x27;` for "'", `&quot;`, `&amp;`,
# `&lt;`, `&gt;`), and raw "\n" can also appear inside the text.
# `</p>` adds nothing: HN never closes paragraphs, and a closed one is followed by `<p>`.
_BLOCK_TAG = re.compile(
    r"<\s*(?:p|br|pre|div|li|ul|ol)\b[^>]*>|<\s*/\s*(?:pre|div|li|ul|ol)\s*>", re.IGNORECASE
)
_LINK = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_ANY_TAG = re.compile(r"<[^>]*>")
# NOTE: a run of horizontal whitespace becomes one space: a lone space is left as it is (most
# runs are one; replacing each with itself cost more than the rest of the cleaning)
_HSPACE = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")
_OTHER_HSPACE = ("\t", "\r", "\f", "\v")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_html(text: str) -> str:
    """Return the plain text of an HN comment.

    Paragraph and block tags (`<p>`, `<br>`, `<pre>`...) become newlines, links keep their
    shown text, every other tag is dropped, then entities are unescaped (last, so that an
    escaped `&lt;b&gt;` stays visible text rather than being removed as a tag). Horizontal
    whitespace runs collapse to one space and at most one blank line is kept.
    """
    if not text:
        return ""
    out = _BLOCK_TAG.sub("\n", text)
    out = _LINK.sub(r"\1", out)
    out = _ANY_TAG.sub("", out)
    out = html.unescape(out)
    # NOTE: `&nbsp;` unescapes to U+00A0; treat it as an ordinary space.
    out = out.replace("\u00a0", " ")
    if "  " in out or any(c in out for c in _OTHER_HSPACE):
        out = _HSPACE.sub(" ", out)
    # no space at a line's ends: after the line above, one space at most on either side
    out = out.replace(" \n", "\n").replace("\n ", "\n")
    if "\n\n\n" in out:
        out = _BLANK_LINES.sub("\n\n", out)
    return out.strip()
