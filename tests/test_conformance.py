"""verify_bag against the Library of Congress BagIt conformance suite.

The suite lies beside the repository (../shared/testsuites/bagit-conformance) and
is never copied in; each case is copied to a temporary folder before verifying.

* ``*/valid/``: accepted (``report.ok``). Every old-version case (0.93 to 0.96)
  is accepted, so none is listed as an exception.
* ``*/invalid/`` and ``*/linux-only/``: rejected (errors, or a ``VerifyError``
  such as "not a bag"). The linux-only cases are invalid on Linux by definition.
* ``*/warning/``: accepted with at least one warning, except the case listed in
  ``JUDGED_AS_INVALID`` (why is given there, and tested).
* ``*/windows-only/``: skipped, each by name: they test Windows path semantics
  (drive letters, %HomeDrive%, UNC paths) that mean something else on POSIX.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import bagit
import pytest

from publisher.package.errors import VerifyError
from publisher.package.report import Report
from publisher.package.verify import verify_bag

SUITE = Path(__file__).resolve().parents[2] / "shared" / "testsuites" / "bagit-conformance"

SYSTEM_FILES_CASE = "v0.97/warning/special-system-files"
_DS_STORE_LOST = not (SUITE / SYSTEM_FILES_CASE / "data" / ".DS_Store").exists()
#: Warning cases this verifier rejects, and why.
JUDGED_AS_INVALID = (
    {
        SYSTEM_FILES_CASE: (
            "its manifest and Payload-Oxum (0.2) list data/.DS_Store, which this copy of the "
            "suite lacks (dot-files lost in copying); a listed file that is missing is an error"
        ),
    }
    if _DS_STORE_LOST
    else {}
)


def _cases(*kinds: str) -> list[str]:
    if not SUITE.is_dir():
        return []
    return sorted(
        case.relative_to(SUITE).as_posix()
        for case in SUITE.glob("v*/*/*")
        if case.is_dir() and case.parent.name in kinds
    )


pytestmark = pytest.mark.skipif(
    not SUITE.is_dir(), reason=f"the BagIt conformance suite is not at {SUITE}"
)


def _copy(case: str, tmp_path: Path) -> Path:
    target = tmp_path / Path(case).name
    shutil.copytree(SUITE / case, target, symlinks=True)
    for path in [target, *target.rglob("*")]:  # the suite is read-only; tmp_path must not be
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def _verify(case: str, tmp_path: Path) -> Report | VerifyError:
    try:
        return verify_bag(_copy(case, tmp_path))
    except VerifyError as error:
        return error


def _explain(outcome: Report | VerifyError) -> str:
    if isinstance(outcome, VerifyError):
        return f"raised {type(outcome).__name__}: {outcome}"
    return "\n".join(str(p) for p in outcome.problems) or "(no problems)"


@pytest.mark.parametrize("case", _cases("valid"))
def test_valid_case_is_accepted(case: str, tmp_path: Path) -> None:
    outcome = _verify(case, tmp_path)
    assert isinstance(outcome, Report) and outcome.ok, _explain(outcome)
    assert "bagit-python" in outcome.checks_run and "fixity" in outcome.checks_run


@pytest.mark.parametrize("case", _cases("invalid", "linux-only"))
def test_invalid_case_is_rejected(case: str, tmp_path: Path) -> None:
    outcome = _verify(case, tmp_path)
    assert isinstance(outcome, VerifyError) or not outcome.ok, _explain(outcome)


@pytest.mark.parametrize("case", [c for c in _cases("warning") if c not in JUDGED_AS_INVALID])
def test_warning_case_is_accepted_with_a_warning(case: str, tmp_path: Path) -> None:
    outcome = _verify(case, tmp_path)
    assert isinstance(outcome, Report) and outcome.ok, _explain(outcome)
    assert outcome.warnings, _explain(outcome)


@pytest.mark.parametrize("case", _cases("windows-only"))
def test_windows_only_case(case: str) -> None:
    pytest.skip(f"{case}: tests Windows path semantics (drive letters, UNC), not POSIX")


def test_special_system_files_is_judged_invalid_here_and_why(tmp_path: Path) -> None:
    if not _DS_STORE_LOST:
        pytest.skip(f"{SYSTEM_FILES_CASE} has its data/.DS_Store here: judged by its folder")
    bag = _copy(SYSTEM_FILES_CASE, tmp_path)
    report = verify_bag(bag)
    assert not report.ok
    assert {(p.code, p.file) for p in report.errors} == {
        ("BAG-MISSING-FILE", "data/.DS_Store"),
        ("BAG-OXUM", "bag-info.txt"),
    }
    # With the lost empty file put back the case is what its folder says: valid, with
    # a warning for each operating-system file.
    assert hashlib.sha512(b"").hexdigest() in (bag / "manifest-sha512.txt").read_text()
    (bag / "data" / ".DS_Store").write_bytes(b"")
    restored = verify_bag(bag)
    assert restored.ok, _explain(restored)
    assert {p.file for p in restored.warnings if p.code == "BAG-SYSTEM-FILE"} == {
        "data/.DS_Store",
        "data/Thumbs.db",
    }


def test_invalid_whitespace_in_bagit_txt_is_caught_where_bagit_python_is_lenient(
    tmp_path: Path,
) -> None:
    bag = _copy("v1.0/invalid/bagit-with-invalid-whitespace", tmp_path)
    assert bagit.Bag(str(bag)).is_valid()  # the leniency our own check exists for
    report = verify_bag(bag)
    assert {p.code for p in report.errors} == {"BAG-BAGIT-TXT"}
    assert all(p.file == "bagit.txt" for p in report.errors)


def test_missing_bagit_txt_is_not_a_bag(tmp_path: Path) -> None:
    with pytest.raises(VerifyError, match=r"no bagit\.txt"):
        verify_bag(_copy("v0.97/invalid/missing-bagit.txt", tmp_path))


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("v0.97/warning/duplicate-file-with-different-case", "BAG-CASE-COLLISION"),
        ("v0.97/warning/made-with-md5sum-tools", "BAG-BINARY-MARKER"),
        ("v0.97/warning/relative-path", "BAG-RELATIVE-PATH"),
        (
            "v0.97/warning/same-filename-listed-twice-with-different-normalization",
            "BAG-NORMALIZATION-COLLISION",
        ),
        ("v0.97/warning/same-filename-listed-twice-with-the-same-hash", "BAG-DUPLICATE-ENTRY"),
        ("v1.0/invalid/same-filename-listed-twice-with-the-same-hash", "BAG-DUPLICATE-ENTRY"),
        ("v0.97/invalid/out-of-scope-file-paths-using-dot-notation", "BAG-UNSAFE-PATH"),
        ("v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username", "BAG-UNSAFE-PATH"),
        ("v1.0/invalid/notAllManifestsListAllFiles", "BAG-UNEXPECTED-FILE"),
        ("v0.97/invalid/missing-baginfo", "BAG-MISSING-FILE"),
    ],
)
def test_case_gets_the_expected_code(case: str, code: str, tmp_path: Path) -> None:
    report = verify_bag(_copy(case, tmp_path))
    assert code in report.codes(), _explain(report)
