"""The printing condition for PDF/X: the printer's ICC output profile.

A PDF/X file names the condition it was made for (its OutputIntent) and, for
PDF/X-4, carries that condition's ICC profile. Such profiles (ISO Coated v2 /
FOGRA39, GRACoL, SWOP...) come from the printer or the standards body; none
can be shipped here under a free licence, so ``--output-profile`` names the
file. The profile must be an output (printer) profile in CMYK or grey.

WeasyPrint embeds the profile when a stylesheet declares it as the
``device-cmyk`` colour profile; ``profile_css`` writes that rule.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from publisher.errors import InputError, UsageError

#: ICC device classes and colour spaces a printing condition may have.
_OUTPUT_CLASS = "prtr"
_PRINT_SPACES = ("CMYK", "GRAY")
_HINT = (
    "Give the ICC profile of the printing condition your printer names "
    "(e.g. ISO Coated v2 / FOGRA39 or GRACoL2013): --output-profile FILE.icc."
)


@dataclass(frozen=True, slots=True)
class OutputProfile:
    """A checked ICC output profile: its bytes and the name it gives itself."""

    data: bytes
    name: str
    colour_space: str


def needs_output_profile(variant: str | None) -> bool:
    """Whether a PDF variant names a printing condition (every PDF/X does).

    >>> needs_output_profile("pdf/x-4"), needs_output_profile("pdf/a-3b")
    (True, False)
    """
    return bool(variant) and str(variant).lower().startswith("pdf/x")


#: The PDF/X variants publisher can make truthfully: PDF/X-4 allows ICC-based RGB
#: and transparency; PDF/X-1a (CMYK only) and PDF/X-3 (no transparency) do not.
PDFX_VARIANTS = ("pdf/x-4",)


def check_profile_for(variant: str | None, profile: Path | None) -> None:
    """Raise UsageError for a PDF/X we cannot make, one without a profile, or a stray profile.

    >>> check_profile_for("pdf/x-1a", Path("fogra39.icc"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.UsageError: pdf/x-1a allows only CMYK colour and no transparency; ...
    """
    if needs_output_profile(variant) and str(variant).lower() not in PDFX_VARIANTS:
        raise UsageError(
            f"{variant} allows only CMYK colour and no transparency; "
            "publisher's themes and photos are RGB, turned into print colour by the RIP.",
            "Use --pdf-variant pdf/x-4 with --output-profile, which a printer's RIP accepts.",
        )
    if needs_output_profile(variant) and profile is None:
        raise UsageError(f"{variant} needs the printing condition's ICC profile.", _HINT)
    if profile is not None and not needs_output_profile(variant):
        raise UsageError(
            "--output-profile is for PDF/X.", "Add --pdf-variant pdf/x-4 (or pdf/x-1a, pdf/x-3)."
        )


def load_output_profile(data: bytes, where: str) -> OutputProfile:
    """Check that ``data`` is an ICC output profile in CMYK or grey; raise InputError if not."""
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile
        device_class = str(profile.device_class).strip()
        space = str(profile.xcolor_space).strip()
        name = (profile.model or profile.profile_description or "").strip()
    except (OSError, ValueError, TypeError, ImageCms.PyCMSError) as error:
        raise InputError(f"{where} is not an ICC colour profile ({error}).", _HINT) from None
    if device_class != _OUTPUT_CLASS or space not in _PRINT_SPACES:
        raise InputError(
            f"{where} is a {space} '{device_class}' profile, not a printer's output profile "
            "in CMYK or grey.",
            _HINT,
        )
    return OutputProfile(data=data, name=name or Path(where).stem, colour_space=space)


def profile_css(url: str, colour_space: str) -> str:
    """The stylesheet that makes WeasyPrint write the profile as the PDF's OutputIntent.

    >>> profile_css("memory:output.icc", "CMYK")
    '@color-profile device-cmyk { src: url("memory:output.icc"); components: c, m, y, k; }'
    """
    components = "c, m, y, k" if colour_space == "CMYK" else "gray"
    return f'@color-profile device-cmyk {{ src: url("{url}"); components: {components}; }}'
