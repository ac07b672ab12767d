"""Recurring concerns: the current inspection's recommendations that echo an earlier one's.

Ofsted's recommendations are one sentence each and share their framing ("The quality
of ...", "Consistency of ..., including ..."), so the texts are first reduced to their
distinctive words: stop words and the words nearly every recommendation uses (children,
quality, consistency, support, social work, teams, service, ...) go, "care leavers",
"missing education" and "home education" are kept as single terms (each is a concern of
its own: "missing from care" is not "missing from education", and "missing from home"
is not home education), and plurals are folded.

The similarity is rapidfuzz's `token_set_ratio` over those words: 100 when one text's
distinctive words are all in the other, lower as each carries words of its own. It is
character-based, so on two texts that share no distinctive word it still finds letters
in common and scores unrelated pairs up to the low 50s (Peterborough 2023's "placements
that meet assessed needs" against 2018's "assessments of children who are missing");
a pair that shares no distinctive word scores 0. THRESHOLD is set on the Peterborough
2018 and 2023 reports (docs/design.md §3 lists every pair's score): supervision and
management oversight (53.5), care leavers (48.1), missing from care (100, 73.7) and
assessments (100) are kept, the weakest kept being the care leaver service's capacity
against care leavers' information (45.8); the other 33 pairs score 0. Below 45 are the
pairs that share one incidental word amid many of their own ("care", "response"), as
most pairs across the development set's other authorities do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

__all__ = ["THRESHOLD", "Echo", "distinctive", "echoes", "similarity"]

THRESHOLD = 45.0

_STOP = frozenset((
    "a", "about", "across", "all", "an", "and", "any", "are", "as", "at", "be", "been", "being",
    "by", "can", "for", "from", "go", "has", "have", "how", "in", "including", "into", "is",
    "it", "its", "make", "more", "of", "on", "or", "so", "such", "than", "that", "the", "their",
    "them", "these", "they", "this", "those", "through", "to", "under", "was", "were", "what",
    "when", "where", "which", "who", "whom", "with", "within",
))  # fmt: skip
# Words nearly every recommendation uses: sharing one says nothing of a shared concern.
_COMMON = frozenset((
    "child", "children", "young", "people", "person", "quality", "consistency", "consistent",
    "ensure", "support", "supported", "service", "services", "team", "teams", "number", "use",
    "timely", "particularly", "level", "levels", "need", "needs", "practice", "help",
    "progress", "effective",
))  # fmt: skip
_TERMS = (
    (re.compile(r"[’']s\b"), ""),
    (re.compile(r"\bcare leavers?\b"), " careleaver "),
    (re.compile(r"\bmissing (?:from )?education\b"), " missingeducation "),
    (re.compile(r"\b(?:elective(?:ly)? )?home[- ]educat(?:ed|ion)\b"), " homeeducation "),
    (re.compile(r"\bsocial work(?:ers?)?\b"), " "),
)


def _folded(word: str) -> str:
    """A plural as its singular ("assessments", "vulnerabilities"), "progress" kept."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def distinctive(text: str) -> str:
    """The recommendation's distinctive words, lower case, in their order."""
    lowered = text.lower()
    for pattern, replacement in _TERMS:
        lowered = pattern.sub(replacement, lowered)
    words = re.findall(r"[a-z]+", lowered)
    return " ".join(_folded(w) for w in words if w not in _STOP and w not in _COMMON)


def similarity(a: str, b: str) -> float:
    """0–100: rapidfuzz's token_set_ratio of the distinctive words; 0 when none is shared."""
    left, right = distinctive(a), distinctive(b)
    if not set(left.split()) & set(right.split()):
        return 0.0
    return round(float(fuzz.token_set_ratio(left, right)), 1)


@dataclass(frozen=True, slots=True)
class Echo:
    """Current text `current` (an index) echoes earlier text `earlier`, with the score."""

    current: int
    earlier: int
    score: float


def _closeness(a: str, b: str) -> float:
    """Between pairs of equal score (one text's words all in the other's, both 100), the
    one whose words are most alike in full (rapidfuzz's token_sort_ratio) is the closer:
    "assessments" is closer to "chronologies in assessments" than to a long text on
    health assessments."""
    return float(fuzz.token_sort_ratio(distinctive(a), distinctive(b)))


def echoes(
    current: Sequence[str],
    earlier: Sequence[str],
    *,
    threshold: float = THRESHOLD,
    groups: Sequence[object] | None = None,
) -> list[Echo]:
    """Every (current, earlier) pair scoring at least `threshold`: by current text, then
    the closest earlier one first. With `groups` (one per earlier text: its inspection),
    only the closest earlier text of each group is kept for each current one, so that an
    inspection with many granular recommendations does not fill the list."""
    found = [
        (Echo(i, j, score), _closeness(text, before))
        for i, text in enumerate(current)
        for j, before in enumerate(earlier)
        if (score := similarity(text, before)) >= threshold
    ]
    found.sort(key=lambda pair: (pair[0].current, -pair[0].score, -pair[1], pair[0].earlier))
    if groups is None:
        return [echo for echo, _ in found]
    kept: dict[tuple[int, object], Echo] = {}
    for echo, _ in found:
        kept.setdefault((echo.current, groups[echo.earlier]), echo)
    return list(kept.values())
