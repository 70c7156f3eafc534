"""A fuzzer over every reader and ``--encoding``: bad input is a PublisherError, never a bug.

In process (fast): read -> normalise -> JSON for generated .txt, .md with front
matter, .html, .json and sidecar .toml inputs, with and without a forced
encoding; the only exception allowed is PublisherError. End to end (a few
runs): exit 0, 1 or 2, one line on stderr when it fails, and no partial output.

Seeded and bounded: CI loads the derandomized Hypothesis profile
(tests/conftest.py), and every test here has a fixed example budget, so the
whole module runs in well under a minute.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from cli_helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.errors import PublisherError
from publisher.normalise import normalise
from publisher.readers import read_article
from publisher.serialise import article_to_json

#: Examples per reader; FUZZ_EXAMPLES=2000 explores further by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
BUDGET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Codec names a user (or a page's <meta charset>) might give, good and hostile.
ENCODINGS = st.sampled_from(
    [
        "utf-8",
        "utf-16",
        "cp1252",
        "latin-1",
        "shift_jis",
        "utf-7",
        "rot13",
        "base64",
        "hex",
        "zlib",
        "uu",
        "bz2",
        "punycode",
        "idna",
        "unicode_escape",
        "undefined",
        "no-such-codec",
        "",
        "utf\x00-8",
    ]
)
#: Text that reaches the hard parts: controls, noncharacters, surrogate escapes, RTL, NULs.
NASTY = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\x0b", "\x1f", "\ufffe", "\uffff", "\u202e", "\u200b", "\n"]),
    ),
    max_size=80,
)
BYTES = st.binary(max_size=300)


def _check(name: str, data: bytes, encoding: str | None, sidecar: bytes | None = None) -> None:
    """Read, normalise and serialise; only PublisherError may come out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        if sidecar is not None:
            path.with_suffix(".toml").write_bytes(sidecar)
        try:
            article = normalise(read_article(path, encoding=encoding))
            json.loads(article_to_json(article))
        except PublisherError:
            pass


def _encode(text: str, codec: str) -> bytes:
    return text.encode(codec, errors="surrogatepass" if codec.startswith("utf") else "replace")


@BUDGET
@given(
    headline=NASTY,
    body=st.lists(NASTY, max_size=4),
    codec=st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-8-sig"]),
    encoding=st.none() | ENCODINGS,
)
def test_text_reader(headline: str, body: list[str], codec: str, encoding: str | None) -> None:
    _check("story.txt", _encode("\n\n".join([headline, *body]), codec), encoding)


@BUDGET
@given(data=BYTES, suffix=st.sampled_from([".txt", ".md", ".html", ".json"]))
def test_any_bytes_in_any_reader(data: bytes, suffix: str) -> None:
    _check(f"story{suffix}", data, None)


YAML_VALUE = st.one_of(
    NASTY.map(json.dumps),
    st.sampled_from(
        [
            "2024-13-01",
            "2024-02-30",
            "2024-01-25",
            "9" * 5000,
            "[" * 2000 + "]" * 2000,
            "{a: [b, {c: d}]}",
            "!!python/object:os.system ls",
            "&a [*a]",
            "- x\n- y",
            "~",
            "1e999",
            "'unterminated",
            "*alias",
        ]
    ),
)
FRONT_KEYS = st.sampled_from(
    ["title", "date", "authors", "author", "image", "language", "order", "caption", "tags", "id"]
)


@BUDGET
@given(
    front=st.dictionaries(FRONT_KEYS, YAML_VALUE, max_size=4),
    body=st.lists(NASTY, max_size=3),
    closed=st.booleans(),
)
def test_markdown_reader_with_front_matter(
    front: dict[str, str], body: list[str], closed: bool
) -> None:
    lines = [f"{key}: {value}" for key, value in front.items()]
    text = "---\n" + "\n".join(lines) + ("\n---\n\n" if closed else "\n") + "\n\n".join(body)
    _check("story.md", text.encode("utf-8", "surrogatepass"), None)


TAGS = st.sampled_from(
    ["div", "p", "span", "b", "li", "ul", "ol", "blockquote", "h1", "h2", "figure", "table", "td"]
)
HTML = st.recursive(
    NASTY.map(lambda t: t.replace("<", "&lt;"))
    | st.sampled_from(
        ["&#xD800;", "&#0;", "&#xFFFF;", "&#x110000;", "&amp", "<br>", "<img src=x>"]
    ),
    lambda inner: st.tuples(TAGS, st.lists(inner, max_size=3)).map(
        lambda pair: f"<{pair[0]}>{''.join(pair[1])}</{pair[0]}>"
    ),
    max_leaves=12,
)


@BUDGET
@given(
    charset=st.none() | ENCODINGS,
    title=NASTY,
    body=HTML,
    depth=st.sampled_from([0, 0, 300, 3000]),
    encoding=st.none() | ENCODINGS,
)
def test_html_reader(
    charset: str | None, title: str, body: str, depth: int, encoding: str | None
) -> None:
    meta = f'<meta charset="{charset}">' if charset is not None else ""
    deep = "<div>" * depth + "deep" + "</div>" * depth
    page = f"<html><head>{meta}<title>{title}</title></head><body><h1>{title}</h1>{body}{deep}"
    _check("page.html", page.encode("utf-8", "surrogatepass"), encoding)


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | NASTY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NASTY, inner, max_size=3),
    max_leaves=10,
)


@BUDGET
@given(
    document=st.fixed_dictionaries(
        {"schema_version": st.sampled_from(["1.1", "1.0", "9"])},
        optional={
            "headline": JSON_VALUE,
            "paragraphs": st.lists(NASTY, max_size=3) | JSON_VALUE,
            "kinds": JSON_VALUE,
            "metadata": st.dictionaries(FRONT_KEYS, JSON_VALUE, max_size=3) | JSON_VALUE,
            "image": JSON_VALUE,
            "dateline": JSON_VALUE,
        },
    ),
    escapes=st.sampled_from(["", "\\ud800", "\\udfff\\ud800", "\\u0000", "\\uffff"]),
)
def test_json_reader(document: dict[str, object], escapes: str) -> None:
    text = json.dumps(document)
    if escapes and '"headline": "' in text:
        text = text.replace('"headline": "', f'"headline": "{escapes}', 1)
    _check("story.json", text.encode("utf-8", "surrogatepass"), None)


TOML_LINES = st.lists(
    st.one_of(
        st.tuples(FRONT_KEYS, NASTY).map(lambda kv: f"{kv[0]} = {json.dumps(kv[1])}"),
        st.sampled_from(
            [
                "order = " + "9" * 5000,
                "date = 2024-02-30",
                "date = 2024-01-25T25:00:00",
                "authors = " + "[" * 500 + "]" * 500,
                "image = '../../etc/passwd'",
                "image = 'nothing.jpg'",
                "[table]",
                "= broken",
                "language = 'x y'",
            ]
        ),
    ),
    max_size=4,
)


@BUDGET
@given(lines=TOML_LINES, raw=st.none() | BYTES)
def test_sidecar_toml(lines: list[str], raw: bytes | None) -> None:
    sidecar = raw if raw is not None else "\n".join(lines).encode("utf-8", "surrogatepass")
    story = b"Headline\n\nThe first paragraph of a story with a sidecar.\n"
    _check("story.txt", story, None, sidecar)


# --- a few runs of the real command ----------------------------------------------


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    suffix=st.sampled_from([".txt", ".md", ".html", ".json"]),
    data=BYTES,
    encoding=st.none() | ENCODINGS,
)
def test_cli_end_to_end(suffix: str, data: bytes, encoding: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"story{suffix}"
        path.write_bytes(data)
        out = Path(folder) / "out"
        extra = ["--encoding", encoding] if encoding is not None and "\x00" not in encoding else []
        result = run_cli("build", path, "-o", out, "-f", "epub", *extra, timeout=120)
        assert result.returncode in (0, 1, 2), result.stderr
        if result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(lines) <= 1, lines
            assert not out.exists() or not any(out.iterdir()), "partial output"
        else:
            assert (out / "story.epub").is_file()
