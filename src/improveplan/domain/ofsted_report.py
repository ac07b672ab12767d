"""Read a published Ofsted ILACS inspection report from the text of its pages.

An older single inspection framework (SIF, 2013–2018) report, told by its title, is read by
`improveplan.domain.sif_report` instead, with the helpers of this module.

Pure: the PDF edge (`improveplan.io.ofsted_pdf`) turns pages into text; this module reads
the report's structure (title, "Inspection dates", "Lead inspector", the judgement table,
"What needs to improve") so that an improvement plan can start from Ofsted's own words.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from improveplan.domain.judgements import COMBINED_CARE, SPLIT_CARE, missing_areas, parse_grade
from improveplan.domain.vocab import Area, Grade, InspectionType

SHORT_FIELDWORK_DAYS = 7
PAGE_BREAK = "\f"


@dataclass(frozen=True)
class ParsedReport:
    """What an ILACS report says, ready to become an Inspection and its Recommendations."""

    local_authority: str | None
    type: InspectionType
    start: date
    end: date
    lead_inspector: str
    judgements: dict[Area, Grade]
    recommendations: list[str]
    published: date | None = None  # SIF reports print it ("Report published: ...")
    priority: int = 0  # how many leading recommendations are "Priority and immediate action"
    lscb_recommendations: list[str] = field(default_factory=list)

    @property
    def framework(self) -> str:
        return "sif" if self.type is InspectionType.sif else "ilacs"


class ReportError(ValueError):
    """The text is not a readable ILACS report; the message says what was not found."""


_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"


def _day(n: int, month_optional: bool) -> str:
    month = rf"(?:\s+(?P<m{n}>{_MONTHS})\.?\b)" + ("?" if month_optional else "")
    return rf"{_WEEKDAY}(?P<d{n}>[0-9]{{1,2}})(?:st|nd|rd|th)?{month}"


_YEAR1 = r"(?:,?\s+(?P<y1>[0-9]{4}))?"
_RANGE = re.compile(
    rf"{_day(1, True)}{_YEAR1}\s*(?:to|until|till|through|and|[-–—])\s*"
    rf"{_day(2, False)},?\s+(?P<y2>[0-9]{{4}})\b",
    re.IGNORECASE,
)
_SINGLE = re.compile(rf"{_day(2, False)},?\s+(?P<y2>[0-9]{{4}})\b", re.IGNORECASE)
_DATES_LABEL = re.compile(
    r"\b(?:inspection\s+dates?|dates?\s+of\s+(?:the\s+)?inspection)\s*[:\-–]?\s*", re.IGNORECASE
)
_GRADE = re.compile(
    r"\b(requires\s+improvement\s+to\s+be\s+good|requires\s+improvement|outstanding|good"
    r"|inadequate)\b",
    re.IGNORECASE,
)
_TABLE_START = re.compile(
    r"\bjudgements?\s+grades?\b|\bthe\s+impact\s+of\s+leaders\b|\boverall\s+effectiveness\b", re.I
)
# The words of each area's row in the table; the combined area before its two halves.
_AREA_KEYS = (
    ("impact of leaders", Area.impact_of_leaders),
    ("help and protection", Area.help_and_protection),
    ("children in care and care leavers", COMBINED_CARE),
    ("care leavers", Area.care_leavers),
    ("children in care", Area.children_in_care),
    ("overall effectiveness", Area.overall_effectiveness),
)
_BODY_HEADING = re.compile(
    r"\b(?:the\s+experiences\s+and\s+progress\s+of|the\s+impact\s+of\s+leaders)[^:]{0,100}:"
    r"\s*(?:requires\s+improvement|outstanding|good|inadequate)\b",
    re.IGNORECASE,
)
_LEAD_LABEL = re.compile(r"\blead\s+inspector\b\s*[:\-–]?\s*(?P<rest>.*)", re.IGNORECASE)
_LEAD_MARK = re.compile(r"lead\s+inspector|majesty[’'`]?s\s+inspector", re.IGNORECASE)
_HMI = re.compile(
    r"\s*,?\s*\(?\b(?:(?:his|her)\s+majesty[’'`]?s\s+inspector|hmi|ofsted\s+inspector"
    r"|social\s+care\s+regulatory\s+inspector)\b\)?.*$",
    re.IGNORECASE,
)
_NAME = re.compile(r"[^\W\d_][^\W\d_’'`.\- ]*(?:[ .’'`\-]+[^\W\d_][^\W\d_’'`.\-]*){0,5}\.?")
_REC_HEADING = re.compile(r"what\s+needs\s+to\s+improve\b[^.]{0,60}$", re.IGNORECASE)
_NUMBERED = re.compile(r"[0-9]{1,3}\.\s")
_SECTION = re.compile(
    r"(?:the\s+experiences\s+and\s+progress\s+of|the\s+impact\s+of\s+leaders"
    r"|overall\s+effectiveness|what\s+needs\s+to\s+improve|areas\s+for\s+priority\s+action)\b",
    re.IGNORECASE,
)
_DASHES = "-–—‒―−"
_BULLETS = "•·‣⁃∙◦*●▪■□◆◇►▸➢✓✔"
_TERMINAL = re.compile(r"[.?!;:][’”'\")]*$")
_SUSPENDED = re.compile(r"(?:and|or|nor|to|&)\b", re.IGNORECASE)
_TITLE = re.compile(
    r"\binspection\s+of\s+(?:the\s+)?(?P<la>.{1,80}?)\s+(?:local\s+authority\s+)?"
    r"children[’'`]?s\s+services\b",
    re.IGNORECASE,
)
_COUNCIL_SUFFIX = (
    r"\s+(?:metropolitan\s+borough\s+|city\s+|county\s+|borough\s+|district\s+)?council$"
)
_COUNCIL = re.compile(rf"(?P<la>[^\W\d_][\w’'&,. \-]{{0,60}}?){_COUNCIL_SUFFIX}", re.I)
_PAGE_NUMBER = re.compile(
    r"(?:page\s*)?[0-9]{1,3}(?:\s*(?:of|/)\s*[0-9]{1,3})?|[-–]\s*[0-9]{1,3}\s*[-–]"
)
_FOOTER = re.compile(r"ofsted|(?:w:\s*)?www\.gov\.uk/ofsted|©?\s*crown\s+copyright.*", re.I)
_RUNNING_TITLE = re.compile(
    r"(?:ofsted\s+)?inspection\s+of\s.{1,120}?services\b(?:[\s,:;|–-]+(?P<dates>.+))?", re.I
)
_PAGE_REF = r"(?:page\s*)?[0-9]{1,3}(?:\s*(?:of|/)\s*[0-9]{1,3})?"
_TRAILING_PAGE = re.compile(rf"\s+(?:[|,\-–]\s*)?{_PAGE_REF}$", re.IGNORECASE)
_LEADING_PAGE = re.compile(rf"^{_PAGE_REF}(?:\s*[|,\-–])?\s+", re.IGNORECASE)
_MIN_PAGES = 3
_TRANSLATE = str.maketrans(  # zero-width characters out, Latin ligatures spelt out
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"},
) | dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_EDGE_LINES = 3


def parse_report(pages: Iterable[str]) -> ParsedReport:
    """Read one report from the text of its pages (a list, or pages extracted lazily).

    Pages are consumed only up to the first judgement section of the report body: all that
    is read here comes before it, and stopping there keeps a PDF import fast. A SIF report
    is read to its end: its LSCB review comes last.
    """
    from improveplan.domain.sif_report import is_sif, parse_sif  # it builds on this module

    pages = iter(pages)
    first = next(pages, "")
    if is_sif(first):
        return parse_sif([first, *pages])
    raw, lines = _read_pages(itertools.chain([first], pages))
    front = _before_body(lines)
    text = _fold("\n".join(front))
    start, end = _fieldwork(text)
    judgements = _judgements(text)
    lead = _lead_inspector(lines)
    short = (end - start).days < SHORT_FIELDWORK_DAYS
    return ParsedReport(
        local_authority=_local_authority(raw[0] if raw else ""),
        type=InspectionType.short if short else InspectionType.standard,
        start=start,
        end=end,
        lead_inspector=lead,
        judgements=judgements,
        recommendations=_recommendations(front),
    )


def _fold(text: str) -> str:
    return " ".join(text.split())


def _read_pages(pages: Iterable[str]) -> tuple[list[str], list[str]]:
    """Raw pages up to the body's first section, and their lines without running headers."""
    raw: list[str] = []
    body = lead = False
    for page in pages:
        raw.append(page.translate(_TRANSLATE))
        body = body or bool(_BODY_HEADING.search(_fold(raw[-1])))
        lead = lead or bool(_LEAD_MARK.search(raw[-1]))
        if body and lead and len(raw) >= _MIN_PAGES:
            break
    split = [page.splitlines() for page in raw]
    repeated = _repeated_edge_lines(split)
    lines: list[str] = []
    for page_lines in split:
        lines.extend(_strip_furniture(page_lines, repeated))
        lines.append(PAGE_BREAK)
    return raw, lines


def _before_body(lines: list[str]) -> list[str]:
    """The lines before the first judgement section ("...protection: good") of the body."""
    for i, line in enumerate(lines):
        if _SECTION.match(line.strip()) and _BODY_HEADING.match(_fold(" ".join(lines[i : i + 3]))):
            return lines[:i]
    return lines


def _edge_key(line: str) -> str:
    return re.sub(r"[0-9]+", "#", _fold(line).lower())


def _repeated_edge_lines(pages: list[list[str]]) -> set[str]:
    """Lines found at the top or bottom of two or more pages: running headers and footers."""
    counts: Counter[str] = Counter()
    for page in pages:
        text = [_edge_key(line) for line in page if line.strip()]
        counts.update(set(text[:_EDGE_LINES] + text[-_EDGE_LINES:]))
    return {key for key, n in counts.items() if n >= 2}


def _is_furniture(line: str, repeated: set[str]) -> bool:
    """A page header or footer line: page number, "Ofsted", report title, fieldwork dates."""
    s = _fold(line)
    bare = _TRAILING_PAGE.sub("", s)
    if _edge_key(s) in repeated or _PAGE_NUMBER.fullmatch(s) or _FOOTER.fullmatch(bare):
        return True
    title = _RUNNING_TITLE.fullmatch(_LEADING_PAGE.sub("", bare))
    if title is not None:
        bare = title.group("dates") or ""
    return not bare or bool(_RANGE.fullmatch(bare) or _SINGLE.fullmatch(bare))


def _strip_furniture(lines: list[str], repeated: set[str]) -> list[str]:
    """Drop header lines from the top of a page and footer lines from its bottom."""
    kept = list(lines)
    for from_top in (True, False):
        removed = 0
        while kept and removed <= 2 * _EDGE_LINES:
            line = kept[0] if from_top else kept[-1]
            if line.strip() and not _is_furniture(line, repeated):
                break
            kept.pop(0 if from_top else -1)
            removed += bool(line.strip())
    return kept


def _fieldwork(text: str) -> tuple[date, date]:
    """The fieldwork dates from "Inspection dates: 27 November to 8 December 2023"."""
    label = _DATES_LABEL.search(text)
    if label is None:
        raise ReportError("no 'Inspection dates' line found — is this an Ofsted ILACS report?")
    after = text[label.end() : label.end() + 120]
    match = _RANGE.match(after) or _SINGLE.match(after)
    if match is None:
        raise ReportError(f"could not read the inspection dates in {after[:60]!r}")
    try:
        start, end = _range_dates(match)
    except ValueError as exc:
        raise ReportError(f"invalid inspection dates {match.group(0)!r}: {exc}") from None
    if start > end:
        raise ReportError(f"the inspection dates {match.group(0)!r} end before they start")
    return start, end


def _month(name: str) -> int:
    return [m[:3] for m in _MONTHS.split("|")].index(name[:3].lower()) + 1


def _range_dates(match: re.Match[str]) -> tuple[date, date]:
    """Fill the start's missing month and year from the end: "5 to 16 December 2022"."""
    groups = match.groupdict()
    end = date(int(groups["y2"]), _month(groups["m2"]), int(groups["d2"]))
    if groups.get("d1") is None:
        return end, end
    month = _month(groups["m1"] or groups["m2"])
    year = int(groups["y1"] or groups["y2"])
    if groups["y1"] is None and (month, int(groups["d1"])) > (end.month, end.day):
        year -= 1
    return date(year, month, int(groups["d1"])), end


def _area(label: str) -> Area | None:
    folded = _fold(label).lower()
    if len(folded) > 200:
        return None
    return next((area for key, area in _AREA_KEYS if key in folded), None)


def _judgements(text: str) -> dict[Area, Grade]:
    """Every area and grade of the judgement table: label, then grade, row after row."""
    start = _TABLE_START.search(text)
    if start is None:
        raise ReportError("no judgements table found — is this a full ILACS inspection report?")
    pos = start.end() if start.group(0).lower().startswith("judgement") else start.start()
    found: dict[Area, Grade] = {}
    for grade in _GRADE.finditer(text, pos):
        area = _area(text[pos : grade.start()])
        clash = area in SPLIT_CARE and COMBINED_CARE in found
        if area is None or area in found or clash:
            break
        found[area] = parse_grade(grade.group(0))
        pos = grade.end()
        if not missing_areas(found):
            break
    if not found:
        raise ReportError("no judgements table found — is this a full ILACS inspection report?")
    if missing := missing_areas(found):
        raise ReportError(f"judgements table incomplete: no grade found for {', '.join(missing)}")
    return found


def _inspector_name(text: str) -> str | None:
    """The name alone: "Russel Breyer, His Majesty's Inspector" -> "Russel Breyer"."""
    name = _HMI.sub("", _fold(text)).split(",")[0].strip(" :;-–")
    valid = _NAME.fullmatch(name) and name[0].isupper() and len(name) <= 60
    return name if valid else None


def _lead_inspector(lines: list[str]) -> str:
    """From "Lead inspector: <name>, His Majesty's Inspector" (or the name on the next line)."""
    text = [line for line in lines if line.strip() and line != PAGE_BREAK]
    for i, line in enumerate(text):
        label = _LEAD_LABEL.search(line)
        if label is not None:
            rest = label.group("rest").strip() or (text[i + 1] if i + 1 < len(text) else "")
            if name := _inspector_name(rest):
                return name
    for i, line in enumerate(text):
        hmi = _HMI.search(line)
        if hmi is not None and re.search(r"majesty", hmi.group(0), re.IGNORECASE):
            before = line[: hmi.start()].strip() or (text[i - 1] if i else "")
            if name := _inspector_name(before):
                return name
    raise ReportError("no lead inspector found")


def _bullet(line: str, glyph: str | None) -> tuple[str, str] | None:
    """(glyph, text) when the line starts a list item; a dash only if the list uses dashes."""
    first = line[0]
    if first in _DASHES:
        is_bullet = glyph in (None, first) and (len(line) == 1 or line[1].isspace())
    else:
        category = unicodedata.category(first)
        symbol = category in ("So", "Co") or (category == "Sm" and not first.isascii())
        is_bullet = symbol or first in _BULLETS
    return (first, line[1:].strip()) if is_bullet else None


def _list_ends(line: str, items: list[list[str]], gap: bool) -> bool:
    """A section heading, or the first numbered paragraph of the report's body."""
    if _SECTION.match(line):
        return True
    after_sentence = not items or gap or bool(_TERMINAL.search(items[-1][-1]))
    return bool(_NUMBERED.match(line)) and after_sentence


def _continues(item: list[str], line: str, gap: bool, page_break: bool) -> bool:
    """Is this unbulleted line the rest of the item above it (a wrapped line)?"""
    if line[0].islower():
        return True
    if gap:
        return False
    return not page_break or not _TERMINAL.search(item[-1])


def _join(parts: list[str]) -> str:
    """Join wrapped lines; "decision-" + "making" stays one word, "16-" + "and 17" does not."""
    text = ""
    for part in (_fold(p) for p in parts):
        if not part:
            continue
        if text.endswith("\u00ad"):
            text = text[:-1] + part
        elif text.endswith("/") or (
            re.search(r"[^\W_][-‐‑]$", text) and not _SUSPENDED.match(part)
        ):
            text += part
        else:
            text = f"{text} {part}" if text else part
    return text.replace("\u00ad", "").strip()


def _list_lines(lines: list[str]) -> list[str]:
    """The lines after the "What needs to improve" heading; none when there is no heading."""
    for i, line in enumerate(lines):
        if _REC_HEADING.fullmatch(_fold(line)) and line.lstrip()[:1].isupper():
            rest = lines[i + 1 :]
            following = [n for n, s in enumerate(rest) if s.strip() and s != PAGE_BREAK]
            tail = rest[following[0]] if following else ""
            heading_open = not _fold(line).endswith(("?", ":"))
            if heading_open and _fold(tail).endswith("?") and len(_fold(tail)) <= 40:
                return rest[following[0] + 1 :]
            return rest
    return []


def _recommendations(lines: list[str]) -> list[str]:
    """Every item under "What needs to improve", in order, as one line of text each."""
    items: list[list[str]] = []
    glyph: str | None = None
    gap = page_break = False
    for line in _list_lines(lines):
        if line == PAGE_BREAK:
            page_break = True
            continue
        stripped = line.strip()
        if not stripped:
            gap = True
            continue
        bullet = _bullet(stripped, glyph)
        if bullet is not None:
            glyph = glyph or bullet[0]
            items.append([bullet[1]])
        elif _list_ends(stripped, items, gap or page_break):
            break
        elif items and _continues(items[-1], stripped, gap, page_break):
            items[-1].append(stripped)
        elif items:
            break
        gap = page_break = False
    return [text for text in map(_join, items) if text]


def _local_authority(first_page: str) -> str | None:
    """From "Inspection of <X> local authority children's services" or "<X> City Council"."""
    dates = _DATES_LABEL.search(first_page)
    head = first_page[: dates.start()] if dates else first_page
    title = _TITLE.search(_fold(head))
    if title is not None:
        return re.sub(_COUNCIL_SUFFIX, "", title.group("la").strip(), flags=re.I)
    for line in head.splitlines():
        council = _COUNCIL.fullmatch(_fold(line))
        if council is not None:
            return council.group("la").strip()
    return None
