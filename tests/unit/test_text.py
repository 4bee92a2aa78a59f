"""Unit tests for etl.transform.text.clean_html on hand-written HN comment HTML."""

from __future__ import annotations

from etl.transform.text import clean_html


def test_hn_comment_by_hand() -> None:
    raw = (
        'Acme Corp | Data Scientist | <a href="https:&#x2F;&#x2F;acme.example&#x2F;jobs" '
        'rel="nofollow">https:&#x2F;&#x2F;acme.example&#x2F;jobs</a> | REMOTE<p>'
        "We&#x27;re hiring: <i>Python&#x2F;R</i> &amp; SQL &quot;experts&quot;.<p>"
        "<pre><code>  stack: PyTorch, k8s\n</code></pre>\nEmail: jobs&#x40;acme.example"
    )
    expected = (
        "Acme Corp | Data Scientist | https://acme.example/jobs | REMOTE\n"
        'We\'re hiring: Python/R & SQL "experts".\n'
        "\n"
        "stack: PyTorch, k8s\n"
        "\n"
        "Email: jobs@acme.example"
    )
    assert clean_html(raw) == expected


def test_entities_after_tags() -> None:
    # An escaped tag is text, not markup: it must survive as "<b>".
    assert clean_html("use &lt;b&gt; tags &amp; more") == "use <b> tags & more"


def test_link_keeps_shown_text_only() -> None:
    raw = 'see <a href="http://x.example/a?b=1&amp;c=2">our page</a> now'
    assert clean_html(raw) == "see our page now"


def test_nested_tags_and_paragraphs() -> None:
    raw = "<p><i>one <a href='u'>two</a></i></p><p>three&nbsp;four</p>"
    assert clean_html(raw) == "one two\nthree four"


def test_empty() -> None:
    assert clean_html("") == ""
