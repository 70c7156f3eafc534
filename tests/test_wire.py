"""Wire formats end to end: the IPTC's own NITF, NewsML-G2 and ninjs examples
(tests/data/wire/, see its README) built through the real command line, and
hostile or wrong XML refused with one error line."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from html import escape
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import epub_xhtml, pdf_text, plain, run_cli
from conftest import run_epubcheck
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz_readers import BUDGET, BYTES, NASTY, _check

WIRE = Path(__file__).parent / "data" / "wire"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}

#: input -> what its EPUB and PDF must show: headline, byline, dateline, caption, credit
#: (None where the example has none), and whether it has a photo.
CASES = {
    "nitf/NTB_nitf_local_photo.xml": (
        "Pandemien herjer på den legeløse indiske landsbygda",
        "NTB-AFP-DPA",
        "Unnao",
        "Kremasjonsbål for koronaofre brenner i Indias hovedstad New Delhi.",
        "Amit Sharma / AP / NTB",
        True,
    ),
    "newsml/LISTING_2_NewsML-G2_Text_Document.xml": (
        "Fed to halt QE to avert “bubble”",
        "Meredith Jameson",
        "New York, NY",
        None,
        None,
        False,
    ),
    "newsml/LISTING_3_Photo_in_NewsML-G2.xml": (
        "Variety Of Recessionary Forces Leave Las Vegas Economy Scarred",
        None,
        None,
        "A general view of part of downtown, including Las Vegas Boulevard",
        "Getty Images",
        True,
    ),
    "ninjs/005_complex_text_article.json": (
        "Captain of wrecked cruise ship on trial in Italy",
        "Paulo Santalucia",
        "Grossetto, Italy",
        None,
        None,
        False,
    ),
    "ninjs/ninjsExSimpleText1.json": (
        "Captain of wrecked cruise ship on trial in Italy",
        "Paulo Santalucia",
        None,
        None,
        None,
        False,
    ),
    "ninjs/ninjsExSimplePhoto1_local.json": (
        "Costa Concordia cruise ship",
        "Paulo Santalucia",
        None,
        "The Costa Concordia cruise ship lies on its side in the waters of the Tuscan island",
        "Paulo Santalucia",
        True,
    ),
    "ninjs/tt_text_image_local.json": (
        "Militärövning i jätteformat hålls 2023",
        None,
        None,
        "En stor internationell försvarsövning planeras 2023",
        "Karl Melander/TT",
        True,
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example built once, EPUB and PDF, in one batch."""
    out = tmp_path_factory.mktemp("wire")
    result = run_cli("build", *(WIRE / name for name in CASES), "-o", out, "-j", "2", env=EPOCH)
    assert result.returncode == 0, result.stderr
    return out


def _has_pdf_image(path: Path) -> bool:
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for _, xobject in page.resources.get("/XObject", {}).items():
                if xobject.get("/Subtype") == "/Image":
                    return True
    return False


@pytest.mark.parametrize("name", list(CASES))
def test_example_builds_valid_epub_and_pdf(built: Path, name: str) -> None:
    headline, byline, dateline, caption, credit, photo = CASES[name]
    stem = Path(name).stem
    epub, pdf = built / f"{stem}.epub", built / f"{stem}.pdf"
    report = run_epubcheck(epub)
    assert (report.fatals, report.errors, report.warnings) == (0, 0, 0), report.messages
    xhtml = plain(epub_xhtml(epub))
    text = plain(pdf_text(pdf))
    for expected in (headline, byline, dateline, caption, credit):
        if expected is not None:
            assert plain(expected) in xhtml, expected
            assert plain(expected) in text, expected
    with zipfile.ZipFile(epub) as zf:
        pictures = [n for n in zf.namelist() if n.lower().endswith(".jpg") and "cover" not in n]
    assert bool(pictures) == photo
    assert _has_pdf_image(pdf) == photo


def test_nitf_body_keeps_subheadings_and_metadata(built: Path) -> None:
    xhtml = epub_xhtml(built / "NTB_nitf_local_photo.epub")
    assert "Det skjulte India</h2>" in xhtml
    with zipfile.ZipFile(built / "NTB_nitf_local_photo.epub") as zf:
        opf = next(zf.read(n).decode() for n in zf.namelist() if n.endswith(".opf"))
    assert "NTB5df9281a-a270-4dc5-a618-869bbc3bbca7_00" in opf  # doc-id
    assert ">nb-NO<" in opf  # baselang
    assert "2021-05-16" in opf  # date.issue


def test_ninjs_html_body_keeps_links_and_quotes(built: Path) -> None:
    xhtml = epub_xhtml(built / "tt_text_image_local.epub")
    assert 'href="https://www.sydostran.se/nyheter/' in xhtml
    assert xhtml.count("<blockquote") == 2


def test_newsml_rights_and_identifier(built: Path) -> None:
    with zipfile.ZipFile(built / "LISTING_2_NewsML-G2_Text_Document.epub") as zf:
        opf = next(zf.read(n).decode() for n in zf.namelist() if n.endswith(".opf"))
    assert "Copyright 2017-18 Acme News and Media LLC" in opf
    assert "urn:newsml:acmenews.com:20161121:US-FINANCE-FED" in opf
    assert ">en-US<" in opf


def test_remote_picture_is_never_fetched_and_its_caption_kept(tmp_path: Path) -> None:
    result = run_cli("build", WIRE / "nitf/NTB_nitf_sample.xml", "-o", tmp_path, "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert "JsxLggxsoo4" in result.stderr and "left out" in result.stderr
    xhtml = plain(epub_xhtml(tmp_path / "NTB_nitf_sample.epub"))
    assert "Kremasjonsbål for koronaofre brenner i Indias hovedstad New Delhi." in xhtml
    with zipfile.ZipFile(tmp_path / "NTB_nitf_sample.epub") as zf:
        assert not [n for n in zf.namelist() if n.endswith(".jpg") and "cover" not in n]


def test_ninjs_remote_renditions_are_left_out_with_a_warning(tmp_path: Path) -> None:
    result = run_cli("build", WIRE / "ninjs/tt_text_image_2.json", "-o", tmp_path, "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert "the picture 'a001' has no rendition next to" in result.stderr


def test_package_builds_a_collection(tmp_path: Path) -> None:
    result = run_cli("build", WIRE / "package/package.xml", "-o", tmp_path, env=EPOCH)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 articles ->")
    epub, pdf = tmp_path / "uk.epub", tmp_path / "uk.pdf"  # the package's headline, "UK"
    report = run_epubcheck(epub)
    assert (report.fatals, report.errors, report.warnings) == (0, 0, 0), report.messages
    text = plain(pdf_text(pdf))
    assert "Fed to halt QE to avert “bubble”" in text
    assert "Variety Of Recessionary Forces Leave Las Vegas Economy Scarred" in text
    assert "Meredith Jameson" in text and "Getty Images" in text
    assert _has_pdf_image(pdf)


def test_package_title_can_be_given(tmp_path: Path) -> None:
    result = run_cli(
        "build", WIRE / "package/package.xml", "-o", tmp_path, "-f", "epub",
        "--collection", "Morning wire",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "morning-wire.epub").is_file()


def _message(items: list[Path]) -> str:
    """A newsMessage holding the newsItems of ``items``."""
    bodies = []
    for item in items:
        text = item.read_text(encoding="utf-8")
        bodies.append(text[text.index("<newsItem") :])
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">\n'
        "<header><sent>2018-10-19T11:17:00Z</sent></header>\n"
        f"<itemSet>\n{''.join(bodies)}</itemSet>\n</newsMessage>\n"
    )


def test_news_message_with_several_items_is_a_collection(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(WIRE / "newsml/GYI0062134533.jpg", folder)
    newsml = [WIRE / "newsml/LISTING_2_NewsML-G2_Text_Document.xml",
              WIRE / "newsml/LISTING_3_Photo_in_NewsML-G2.xml"]  # fmt: skip
    (folder / "wire.xml").write_text(_message(newsml), encoding="utf-8")
    result = run_cli("build", folder / "wire.xml", "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 articles ->")
    assert (tmp_path / "out" / "wire.epub").is_file()


def test_news_message_with_one_item_is_an_article(tmp_path: Path) -> None:
    source = WIRE / "newsml/LISTING_2_NewsML-G2_Text_Document.xml"
    (tmp_path / "one.xml").write_text(_message([source]), encoding="utf-8")
    result = run_cli("build", tmp_path / "one.xml", "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert "Fed to halt QE" in epub_xhtml(tmp_path / "out" / "one.epub")


def test_epub_is_reproducible(tmp_path: Path) -> None:
    source = WIRE / "ninjs/tt_text_image_local.json"
    for out in ("a", "b"):
        result = run_cli("build", source, "-o", tmp_path / out, "-f", "epub", env=EPOCH)
        assert result.returncode == 0, result.stderr
    first = (tmp_path / "a" / "tt_text_image_local.epub").read_bytes()
    assert first == (tmp_path / "b" / "tt_text_image_local.epub").read_bytes()


XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE nitf [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    "<nitf><body><body.head><hedline><hl1>Leak &secret;</hl1></hedline></body.head>"
    "<body.content><p>&secret;</p></body.content></body></nitf>"
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE nitf [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + "]>\n<nitf><body><body.head><hedline><hl1>&lol9;</hl1></hedline></body.head>"
    "<body.content><p>&lol9;</p></body.content></body></nitf>"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE nitf SYSTEM "http://127.0.0.1:9/nitf-3-6.dtd">\n'
    "<nitf><body><body.head><hedline><hl1>Hi</hl1></hedline></body.head>"
    "<body.content><p>Text.</p></body.content></body></nitf>"
)
BAD_INPUTS = {
    "xxe.xml": (XXE, "declares XML entities (secret)"),
    "laughs.xml": (LAUGHS, "declares XML entities (lol, lol1, lol2)"),
    "external.xml": (EXTERNAL_DTD, "points at an external DTD (http://127.0.0.1:9/nitf-3-6.dtd)"),
    "broken.xml": ("<nitf><body><p>Unclosed</body></nitf>", "is not well-formed XML"),
    "empty-nitf.xml": (
        "<nitf><body><body.head><hedline><hl1>Only a headline</hl1></hedline></body.head>"
        "</body></nitf>",
        "has a headline but no text",
    ),
    "rss.xml": ('<rss version="2.0"><channel/></rss>', "the XML's root element is <rss>"),
    "no-headline.json": (
        json.dumps(
            {
                "uri": "urn:x:1",
                "type": "text",
                "bodies": [{"role": "main", "contenttype": "text/plain", "value": "Text."}],
            }
        ),
        "is a ninjs item without a headline",
    ),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_wire_input_is_one_error_line(tmp_path: Path, name: str) -> None:
    content, message = BAD_INPUTS[name]
    (tmp_path / name).write_text(content, encoding="utf-8")
    result = run_cli("build", tmp_path / name, "-o", tmp_path / "out")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert message in lines[0]
    assert "root:" not in result.stderr and "Traceback" not in result.stderr
    assert not list((tmp_path / "out").glob("*.*")) if (tmp_path / "out").exists() else True


def test_wrong_root_from_the_iptc_examples(tmp_path: Path) -> None:
    name = "newsml/LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml"
    result = run_cli("build", WIRE / name, "-o", tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "<contentSet>" in result.stderr
    assert "<nitf>, <newsItem>, <packageItem>, <newsMessage>" in result.stderr


def test_package_without_its_items_is_an_error(tmp_path: Path) -> None:
    result = run_cli(
        "build", WIRE / "package/LISTING_6_Simple_NewsML-G2_Package.xml", "-o", tmp_path
    )
    assert result.returncode == 1
    assert "none of its items were found" in result.stderr
    assert not list(tmp_path.glob("*.*"))


def test_package_among_other_inputs_needs_collection(tmp_path: Path) -> None:
    result = run_cli(
        "build", WIRE / "package/package.xml", WIRE / "ninjs/005_complex_text_article.json",
        "-o", tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--collection" in result.stderr


def test_wire_story_round_trips_through_json(tmp_path: Path) -> None:
    """normalise --json keeps the NITF dateline as the dateline, not as a new paragraph."""
    for name in ("NTB_nitf_local_photo.xml", "ntb-photo.jpg"):
        shutil.copy(WIRE / "nitf" / name, tmp_path)
    exported = run_cli("normalise", tmp_path / "NTB_nitf_local_photo.xml", "--json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["dateline"] == "Unnao"
    (tmp_path / "ntb.json").write_text(exported.stdout, encoding="utf-8")
    for source in ("NTB_nitf_local_photo.xml", "ntb.json"):
        result = run_cli("build", tmp_path / source, "-o", tmp_path, "-f", "epub", env=EPOCH)
        assert result.returncode == 0, result.stderr
    assert epub_xhtml(tmp_path / "ntb.epub") == epub_xhtml(tmp_path / "NTB_nitf_local_photo.epub")


# --- Fuzzing: any wire input is an article or one PublisherError, never a crash ---

_VALUE = st.one_of(NASTY, st.integers(), st.none(), st.lists(NASTY, max_size=2))


@BUDGET
@given(data=BYTES)
def test_any_bytes_as_xml(data: bytes) -> None:
    _check("story.xml", data, None)


@BUDGET
@given(
    texts=st.lists(NASTY, min_size=6, max_size=6),
    media=st.sampled_from(["photo.jpg", "http://x.org/a.jpg", "../a.jpg", "", "a001"]),
)
def test_nitf_with_any_text(texts: list[str], media: str) -> None:
    hl1, byline, dateline, para, caption, date = (escape(t) for t in texts)
    nitf = (
        f'<nitf><head><docdata><date.issue norm="{date}"/></docdata></head><body><body.head>'
        f"<hedline><hl1>{hl1}</hl1></hedline><byline>{byline}</byline>"
        f"<dateline>{dateline}</dateline></body.head><body.content><p>{para}</p>"
        f'<media media-type="image"><media-reference source="{escape(media)}"/>'
        f"<media-caption>{caption}</media-caption></media></body.content></body></nitf>"
    )
    _check("story.xml", nitf.encode("utf-8", "surrogatepass"), None)


@settings(parent=BUDGET)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            ["headline", "byline", "by", "located", "versioncreated", "language", "body_html",
             "body_text", "copyrightnotice", "description_text", "headline_main"]
        ),
        _VALUE,
        max_size=6,
    ),
    headlines=st.lists(st.fixed_dictionaries({"role": NASTY, "value": _VALUE}), max_size=2),
    associations=st.one_of(
        st.none(),
        st.lists(
            st.fixed_dictionaries(
                {"type": st.sampled_from(["picture", "text", 3]), "renditions": st.lists(
                    st.fixed_dictionaries({"href": _VALUE}), max_size=2)}
            ),
            max_size=2,
        ),
    ),
)  # fmt: skip
def test_ninjs_with_any_fields(
    fields: dict[str, object], headlines: list[object], associations: object
) -> None:
    document = {"uri": "urn:x:1", "type": "text", "headlines": headlines, **fields}
    if associations is not None:
        document["associations"] = associations
    _check("story.json", json.dumps(document).encode("utf-8", "surrogatepass"), None)


RICH_NITF = """<?xml version="1.0" encoding="UTF-8"?>
<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/" xml:lang="en">
  <head><docdata><doc.copyright year="2024" holder="Example Wire"/></docdata></head>
  <body>
    <body.head>
      <hedline><hl1>Budget passes</hl1><hl2>A late-night vote</hl2></hedline>
      <byline>By <person>Ana Lima</person>, <byttl>Political Editor</byttl></byline>
      <dateline><location>LISBON</location>, <story.date>April 3</story.date></dateline>
    </body.head>
    <body.content>
      <p>The <em>Assembleia</em> voted, <a href="https://example.org/vote">the record</a> shows.</p>
      <hl2>How they voted</hl2>
      <ul><li>For: 120</li><li>Against: 98</li></ul>
      <table><tr><th>Party</th><th>Seats</th></tr><tr><td>Blue</td><td>120</td></tr></table>
      <block><p>A paragraph inside a block.</p></block>
    </body.content>
  </body>
</nitf>
"""


def test_nitf_structure_survives(tmp_path: Path) -> None:
    (tmp_path / "rich.xml").write_text(RICH_NITF, encoding="utf-8")
    result = run_cli("build", tmp_path / "rich.xml", "-o", tmp_path, "-f", "epub")
    assert result.returncode == 0, result.stderr
    xhtml = epub_xhtml(tmp_path / "rich.epub")
    assert "<em>Assembleia</em>" in xhtml and "<em>A late-night vote</em>" in xhtml
    assert 'href="https://example.org/vote"' in xhtml
    assert "How they voted</h2>" in xhtml and len(re.findall(r"<li[ >]", xhtml)) == 2
    assert "<th" in xhtml and "A paragraph inside a block." in xhtml
    assert "Ana Lima" in xhtml and "Political Editor" not in xhtml
    assert "LISBON, April 3" in xhtml
    report = run_epubcheck(tmp_path / "rich.epub")
    assert (report.fatals, report.errors, report.warnings) == (0, 0, 0), report.messages
    with zipfile.ZipFile(tmp_path / "rich.epub") as zf:
        opf = next(zf.read(n).decode() for n in zf.namelist() if n.endswith(".opf"))
    assert "© 2024 Example Wire" in opf


def test_newsml_item_with_xhtml_body(tmp_path: Path) -> None:
    text = (WIRE / "newsml/LISTING_2_NewsML-G2_Text_Document.xml").read_text(encoding="utf-8")
    start, end = text.index("<inlineXML"), text.index("</inlineXML>") + len("</inlineXML>")
    xhtml_body = (
        '<inlineXML contenttype="application/xhtml+xml">'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>'
        "<p>The Fed <strong>will</strong> stop, <a href='https://example.org/fed'>it said</a>.</p>"
        "<ol><li>First</li><li>Second</li></ol></body></html></inlineXML>"
    )
    (tmp_path / "item.xml").write_text(text[:start] + xhtml_body + text[end:], encoding="utf-8")
    result = run_cli("build", tmp_path / "item.xml", "-o", tmp_path, "-f", "epub")
    assert result.returncode == 0, result.stderr
    xhtml = epub_xhtml(tmp_path / "item.epub")
    assert "<strong>will</strong>" in xhtml and 'href="https://example.org/fed"' in xhtml
    assert "<ol" in xhtml and "Meredith Jameson" in xhtml and "New York, NY" in xhtml


def test_entities_in_utf16_xml_are_refused(tmp_path: Path) -> None:
    (tmp_path / "wide.xml").write_bytes(
        XXE.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    )
    result = run_cli("build", tmp_path / "wide.xml", "-o", tmp_path / "out")
    assert result.returncode == 1
    assert "declares XML entities (secret)" in result.stderr
    assert "root:" not in result.stderr


def test_external_dtd_is_never_read(tmp_path: Path) -> None:
    """The DTD named is a FIFO: reading it would block, so a finished run read nothing."""
    import os

    os.mkfifo(tmp_path / "nitf.dtd")
    (tmp_path / "story.xml").write_text(
        EXTERNAL_DTD.replace("http://127.0.0.1:9/nitf-3-6.dtd", "nitf.dtd"), encoding="utf-8"
    )
    result = run_cli("build", tmp_path / "story.xml", "-o", tmp_path / "out", timeout=60)
    assert result.returncode == 1
    assert "points at an external DTD (nitf.dtd)" in result.stderr


def test_broken_xml_in_a_batch_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<nitf><body>", encoding="utf-8")
    shutil.copy(WIRE / "ninjs/005_complex_text_article.json", tmp_path)
    result = run_cli("build", tmp_path, "-o", tmp_path / "out", "-f", "epub", "-j", "1")
    assert result.returncode == 1
    assert "1 of 2 articles failed" in result.stderr
    assert (tmp_path / "out" / "005_complex_text_article.epub").is_file()


NESTED_PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:pkg" version="1"
    standard="NewsML-G2" standardversion="2.35">
  <itemMeta><itemClass qcode="ninat:composite"/><provider qcode="nprov:X"/>
    <versionCreated>2018-11-17T12:30:00Z</versionCreated></itemMeta>
  <contentMeta><headline>Nested groups</headline></contentMeta>
  <groupSet root="G1">
    <group id="G1" role="group:main"><groupRef idref="G3"/><groupRef idref="G2"/></group>
    <group id="G2" role="group:text">
      <itemRef residref="not-the-guid" href="LISTING_2_NewsML-G2_Text_Document.xml"/>
    </group>
    <group id="G3" role="group:pictures">
      <itemRef residref="tag:gettyimages.com,2010:GYI0062134533"/>
      <itemRef residref="urn:test:missing"/>
    </group>
  </groupSet>
</packageItem>
"""


def test_package_groups_are_followed_in_order(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(WIRE / "package", folder)
    (folder / "nested.xml").write_text(NESTED_PACKAGE, encoding="utf-8")
    result = run_cli("build", folder / "nested.xml", "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 articles ->")
    assert "urn:test:missing was not found; it was left out" in result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "nested-groups.epub") as zf:
        nav = next(zf.read(n).decode() for n in zf.namelist() if n.endswith("nav.xhtml"))
    photo = nav.index("Variety Of Recessionary Forces")
    assert photo < nav.index("Fed to halt QE")  # G3 before G2, as the root group says


def test_iptc_sports_story_and_empty_item(tmp_path: Path) -> None:
    """LISTING_22 (NITF inside NewsML-G2) builds; LISTING_1's inlineXML is empty: one error."""
    sports = WIRE / "newsml/LISTING_22_Sports_story_in_NewsML-G2NITF.xml"
    result = run_cli("build", sports, "-o", tmp_path, "-f", "epub")
    assert result.returncode == 0, result.stderr
    xhtml = plain(epub_xhtml(tmp_path / f"{sports.stem}.epub"))
    assert "Arizona Diamondbacks (29-23) at Philadelphia Phillies" in xhtml
    assert "The Sports Network" in xhtml
    empty = run_cli("build", WIRE / "newsml/LISTING_1_A_NewsML-G2_News_Item.xml", "-o", tmp_path)
    assert empty.returncode == 1
    assert empty.stderr.startswith("error: ") and "has a headline but no text" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1
