"""The mojibake repair's pre-check: text it lets past is text ftfy leaves alone.

``fix_mojibake`` imports ftfy only for text that ``_MAYBE_MOJIBAKE`` matches.
That is safe only if every way ftfy's detector (``ftfy.badness.BADNESS_RE``)
can find text bad is a way the pre-check matches too: checked here on the
installed ftfy's own regex, branch by branch, and on generated text.
"""

from __future__ import annotations

import re
from re import _constants as sre
from re import _parser as sre_parse  # type: ignore[attr-defined]

import ftfy
import pytest
from ftfy.badness import BADNESS_RE
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.normalise.fixes import _MAYBE_MOJIBAKE, _MOJIBAKE_CHARACTERS, fix_mojibake

EVERY_CHARACTER = "".join(map(chr, range(0x10000)))
OURS = {ord(char) for char in re.findall(f"[{_MOJIBAKE_CHARACTERS}]", EVERY_CHARACTER)}
C1 = set(range(0x80, 0xA0))


def finite_set(op: object, argument: object) -> set[int] | None:
    """The code points one regex item matches, or None if not a plain finite set."""
    if op is sre.LITERAL:
        assert isinstance(argument, int)
        return {argument}
    if op is sre.IN:
        assert isinstance(argument, list)
        points: set[int] = set()
        for kind, value in argument:
            if kind is sre.LITERAL:
                points.add(value)
            elif kind is sre.RANGE:
                points.update(range(value[0], value[1] + 1))
            else:
                return None  # negated, or a category such as \s
        return points
    return None


def covered(branch: list[tuple[object, object]]) -> bool:
    """Whether every match of ``branch`` contains something the pre-check matches."""
    sets = [finite_set(op, argument) for op, argument in branch]
    if len(sets) == 1 and sets[0] is not None and sets[0] <= C1:
        return True
    for at in range(len(sets) - 1):
        first, second, (kind, argument) = sets[at], sets[at + 1], branch[at + 1]
        if first is None or not first <= OURS:
            continue
        if second is not None and second <= OURS | ({32} if first <= {0xC3, 0xC2} else set()):
            return True
        if first <= {0x152, 0x153} and kind is sre.IN:
            parts = list(argument)  # type: ignore[call-overload]
            ranges = {value for _, value in parts[1:]}
            if parts[0][0] is sre.NEGATE and ranges <= {(65, 90), (97, 122)}:
                return True
    return False


def test_every_branch_of_ftfys_detector_needs_what_the_pre_check_finds() -> None:
    ((op, (_, branches)),) = list(sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags))
    assert op is sre.BRANCH
    assert len(branches) > 20  # the detector as ftfy 6 writes it
    uncovered = [branch for branch in branches if not covered(list(branch))]
    assert not uncovered, f"ftfy's detector changed; extend _MAYBE_MOJIBAKE for {uncovered}"


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("The cafÃ© said â€œnoâ€\x9d.", "The café said “no”."),
        ("voilÃ le travail", "voilà le travail"),
        ("Ð¡Ð¾Ð²ÐµÑ‚", "Совет"),
        ("l\x92homme", "l’homme"),
    ],
)
def test_mojibake_is_still_repaired(broken: str, fixed: str) -> None:
    assert _MAYBE_MOJIBAKE.search(broken)
    assert fix_mojibake(broken) == fixed


def test_clean_news_in_several_scripts_skips_ftfy() -> None:
    for clean in (
        "El ayuntamiento aprobó el presupuesto tras una larga sesión.",
        "İstanbul'da ışık festivali başladı; Büyükşehir açıklama yaptı.",
        "Die Regierung hat am Montag neue Maßnahmen beschlossen.",
        "وافق المجلس على الميزانية بعد جلسة طويلة",
        "深圳地铁新线开通",
    ):
        assert not _MAYBE_MOJIBAKE.search(clean), clean


ALPHABET = st.sampled_from(
    [*"aeiouÃÂâ€œ™ž  ¡«¿©Œœ.,;!? \n", *map(chr, OURS), "ı", "ğ", "ş", "ع", "中", "—", "…"]
)


@settings(max_examples=3000, deadline=None)
@given(st.text(ALPHABET, max_size=12))
def test_text_the_pre_check_lets_past_is_left_alone_by_ftfy(text: str) -> None:
    if not _MAYBE_MOJIBAKE.search(text):
        assert ftfy.fix_encoding(text) == text
        assert not ftfy.badness.is_bad(text)
