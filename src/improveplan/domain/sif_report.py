"""Read an Ofsted single inspection framework (SIF, 2013–2018) report from its pages' text.

Pure, like `improveplan.domain.ofsted_report`, whose helpers it shares (dates, lead
inspector, list items, wrapped lines). What differs is the structure:

- the first page holds the overall judgement ("The overall judgement is ..." in 2014,
  "Children's services in X require improvement to be good" from 2015) and a numbered
  table of the areas, a grade beside its row, sometimes wrapped over two lines;
- the local authority's recommendations follow "What does the local authority need to
  improve?" (2014) or a "Recommendations" heading (2015 on), numbered on from the
  report's paragraphs, with sub-headings inside the list and, in 2014, a "Priority and
  immediate action" part before "Areas for improvement";
- the Local Safeguarding Children Board's review comes last, with its own grade and
  recommendations (reports from 2018 may have none).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from improveplan.domain.ofsted_report import (
    _PAGE_NUMBER,
    _SINGLE,
    _TERMINAL,
    _TRANSLATE,
    PAGE_BREAK,
    ParsedReport,
    ReportError,
    _bullet,
    _fieldwork,
    _fold,
    _join,
    _lead_inspector,
    _range_dates,
)
from improveplan.domain.vocab import Area, Grade, InspectionType

_SIF_TITLE = re.compile(
    r"inspection\s+of\s+services\s+for\s+children\s+in\s+need\s+of\s+help\s+and\s+protection",
    re.IGNORECASE,
)
_G = r"(?P<g>requires?\s+improvement(?:\s+to\s+be\s+good)?|outstanding|good|inadequate)\b"
_APOS = "[’'`]?"
_OVERALL = re.compile(
    rf"(?:\bthe\s+overall\s+judgement\s+is\s+(?:that\s+children{_APOS}s\s+services\s+(?:are|is)\s+)?"
    rf"|\bchildren{_APOS}s\s+services\s+in\s+[^.\n]{{1,60}}?\s+(?:(?:are|is)\s+)?){_G}",
    re.IGNORECASE,
)
_ROWS = (
    (Area.help_and_protection, r"children\s+who\s+need\s+help\s+and\s+protection"),
    (
        Area.children_looked_after_and_permanence,
        r"children\s+looked\s+after\s+and\s+achieving"
        r"\s+permanence",
    ),
    (Area.adoption_performance, r"adoption\s+performance"),
    (Area.care_leavers, r"experiences\s+and\s+progress\s+of\s+care\s+leavers"),
    (Area.leadership_management_governance, r"leadership,?\s+management\s+and\s+governance"),
)
# A row: its number (printed wrong at times), label, grade; "Requires" may sit above it.
_ROW = r"(?:^|\n)(?P<pre>[ \t]*requires[ \t]*\n)?[ \t]*(?P<num>[0-9](?:\.[0-9])?\.?)?[ \t]*{}\s+"
_ROW_GRADE = re.compile(rf"{_G}|(?P<half>improvement(?:\s+to\s+be\s+good)?\b)", re.IGNORECASE)
_LSCB_GRADE = re.compile(
    r"the\s+(?:effectiveness\s+of\s+the\s+)?local\s+safeguarding\s+children[’'`]?s?\s+board"
    rf"\s+(?:\(lscb\)\s+)?(?:is\s+)?{_G}",
    re.IGNORECASE,
)
_PUBLISHED = re.compile(r"\breport\s+published\s*:?\s*", re.IGNORECASE)
_LA_HEADING = re.compile(
    r"what\s+does\s+the\s+local\s+authority\s+need\s+to\s+improve\s*\??|recommendations", re.I
)
_LSCB_SECTION = re.compile(
    r"section\s+2\b.*\D|the\s+(?:effectiveness\s+of\s+the\s+)?local\s+safeguarding\s+children"
    r"[’'`]?s?\s+board(?:\s+\(lscb\))?(?:\s+(?:is|requires)\b.*)?",
    re.IGNORECASE,
)
_LSCB_HEADING = re.compile(
    r"what\s+does\s+the\s+(?:lscb|board|local\s+safeguarding\s+children\s+board)\s+need\s+to"
    r"\s+improve\s*\??|recommendations",
    re.IGNORECASE,
)
_PRIORITY = re.compile(r"priority\s+(?:and\s+immediate\s+)?actions?", re.IGNORECASE)
_IMPROVE = re.compile(r"areas\s+for\s+(?:improvement|development)", re.IGNORECASE)
_NONE_FOUND = re.compile(r"the\s+inspection\s+did\s+not\s+find\b", re.IGNORECASE)
# The headings that follow the lists: the list ends there (sub-headings inside it do not).
_END = re.compile(
    r"(?:inspection\s+(?:findings|judgements?)|summary\s+(?:for|of)\b|information\s+about"
    r"|key\s+strengths|the\s+local\s+authority(?:[’'`]s\s+strengths|\s+has\s+the\s+following)"
    r"|what\s+the\s+inspection\s+judgements\s+mean|section\s+[0-9]|executive\s+summary"
    r"|the\s+local\s+safeguarding\s+children|the\s+lscb\b|contents\b|version\s+control)",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"(?P<n>[0-9]{1,3})[.)]\s+(?P<text>\S.*)")
_HEADING_MAX = 70
_INTRO_LINES = 4  # an introductory sentence before the list ("The local authority should:")


def is_sif(first_page: str) -> bool:
    """A SIF report says so in its title on the first page."""
    return bool(_SIF_TITLE.search(_fold(first_page.translate(_TRANSLATE))))


def parse_sif(pages: list[str]) -> ParsedReport:
    """Read every page of a SIF report (its LSCB review comes last)."""
    raw = [page.translate(_TRANSLATE) for page in pages]
    lines = _lines(raw)
    first = raw[0]
    start, end = _fieldwork(_fold(first))
    judgements = _judgements(first, lines)
    la_at = _find(lines, _LA_HEADING, 0)
    lscb_at = _find(lines, _LSCB_SECTION, la_at + 1) if la_at >= 0 else -1
    la_lines = lines[la_at + 1 : lscb_at if lscb_at >= 0 else len(lines)] if la_at >= 0 else []
    recommendations, priority = _items(la_lines)
    lscb: list[str] = []
    if lscb_at >= 0:
        heading = _lscb_list(lines, lscb_at)
        lscb = _items(lines[heading:])[0] if heading >= 0 else []
    return ParsedReport(
        local_authority=_authority(raw),
        type=InspectionType.sif,
        start=start,
        end=end,
        lead_inspector=_lead_inspector(lines),
        judgements=judgements,
        recommendations=recommendations,
        published=_published(first),
        priority=priority,
        lscb_recommendations=lscb,
    )


def _lines(raw: list[str]) -> list[str]:
    """Every page's lines without its page number, or lines on most pages (a running
    header); a heading found on two pages ("Recommendations") is no running header."""
    split = [page.splitlines() for page in raw]
    counts: Counter[str] = Counter()
    for page in split:
        counts.update({_fold(line).lower() for line in page if line.strip()})
    running = {key for key, n in counts.items() if n >= max(3, len(split) // 2)}
    lines: list[str] = []
    for page in split:
        kept = list(page)
        for end in (0, -1):
            while kept and (
                not kept[end].strip()
                or _PAGE_NUMBER.fullmatch(_fold(kept[end]))
                or _fold(kept[end]).lower() in running
            ):
                kept.pop(end)
        lines.extend(kept)
        lines.append(PAGE_BREAK)
    return lines


def _find(lines: list[str], pattern: re.Pattern[str], start: int) -> int:
    """The index of the first heading line from `start` matching `pattern`, or -1."""
    for i in range(start, len(lines)):
        text = _fold(lines[i])
        if text[:1].isupper() and pattern.fullmatch(text):
            return i
    return -1


def _lscb_list(lines: list[str], section: int) -> int:
    """Where the LSCB's list starts: after its heading, or at its "Priority..." part."""
    for i in range(section + 1, len(lines)):
        text = _fold(lines[i])
        if not text[:1].isupper():
            continue
        if _PRIORITY.fullmatch(text) or _IMPROVE.fullmatch(text):
            return i
        if _LSCB_HEADING.fullmatch(text):
            return i + 1
    return -1


def _grade(text: str) -> Grade:
    folded = _fold(text).lower()
    if folded.startswith("requir"):
        return Grade.requires_improvement
    return Grade(folded)


def _judgements(first: str, lines: list[str]) -> dict[Area, Grade]:
    """The overall judgement, each row of the table that is graded, and the LSCB's grade."""
    found: dict[Area, Grade] = {}
    overall = _OVERALL.search(first)
    if overall is not None:
        found[Area.overall_effectiveness] = _grade(overall.group("g"))
    for area, label in _ROWS:
        if (grade := _row_grade(first, label)) is not None:
            found[area] = grade
    for i in range(len(lines)):
        text = _fold(" ".join(lines[i : i + 2]))
        lscb = _LSCB_GRADE.match(text)
        if lscb is not None:
            found[Area.lscb] = _grade(lscb.group("g"))
            break
    if not found:
        raise ReportError("no judgements found — is this a full Ofsted inspection report?")
    return found


def _row_grade(first: str, label: str) -> Grade | None:
    """The grade beside a row of the table; a numbered row before a sentence using the
    same words ("Leadership, management and governance require improvement.")."""
    rows = list(re.finditer(_ROW.format(label), first, re.IGNORECASE))
    rows.sort(key=lambda row: row.group("num") is None)
    for row in rows:
        grade = _ROW_GRADE.match(first, row.end())
        if grade is None:
            continue
        if grade.group("g") is not None:
            return _grade(grade.group("g"))
        if row.group("pre"):  # "Requires" above the row, "improvement" beside it
            return Grade.requires_improvement
    return None


def _published(first: str) -> date | None:
    label = _PUBLISHED.search(_fold(first))
    if label is None:
        return None
    after = _fold(first)[label.end() : label.end() + 60]
    match = _SINGLE.match(after)
    if match is None:
        return None
    try:
        return _range_dates(match)[1]
    except ValueError:
        return None


def _authority(raw: list[str]) -> str | None:
    """From "Children's services in X are good", else the council above the title."""
    text = _fold(" ".join(raw[:4]))
    said = re.search(
        rf"\bchildren{_APOS}s\s+services\s+in\s+(?P<la>[^\W\d_][\w’'&,. \-]{{0,60}}?)\s+"
        r"(?:are|is|requires?)\b",
        text,
        re.IGNORECASE,
    )
    if said is not None:
        return said.group("la").strip()
    head = _SIF_TITLE.split(_fold(raw[0]))[0] if raw else ""
    council = re.sub(
        r"^(?:the\s+)?(?:(?:london|royal|metropolitan)\s+borough|city|county)\s+of\s+|"
        r"\s+(?:metropolitan\s+borough\s+|city\s+|county\s+|borough\s+|district\s+)?council$",
        "",
        head.strip(" 0123456789"),
        flags=re.IGNORECASE,
    ).strip()
    return council or None


def _items(lines: list[str]) -> tuple[list[str], int]:
    """The list's items in order, and how many lead under "Priority and immediate action"."""
    items: list[list[str]] = []
    priority = 0
    in_priority = gap = page_break = skipping = False
    glyph: str | None = None
    open_item = False
    before = 0
    for i, line in enumerate(lines):
        if line == PAGE_BREAK:
            page_break = True
            continue
        text = _fold(line)
        if not text:
            gap = True
            continue
        if skipping:  # the rest of "The inspection did not find any areas for priority..."
            skipping = not _TERMINAL.search(text)
            continue
        if _PRIORITY.fullmatch(text) or _IMPROVE.fullmatch(text):
            in_priority, open_item = bool(_PRIORITY.fullmatch(text)), False
        elif _NONE_FOUND.match(text):
            skipping, open_item = not _TERMINAL.search(text), False
        elif (item := _item(text, glyph)) is not None:
            glyph = item[0] or glyph
            items.append([item[1]])
            priority += in_priority and priority == len(items) - 1
            open_item = True
        elif _END.match(text):
            break
        elif open_item and _continues(items[-1][-1], text, gap or page_break, lines, i):
            items[-1].append(text)
        elif _subheading(text, lines, i, glyph):
            open_item = False
        elif items or before >= _INTRO_LINES:
            break
        else:
            before += 1
        gap = page_break = False
    return [text for text in map(_join, items) if text], priority


def _item(text: str, glyph: str | None) -> tuple[str | None, str] | None:
    """(bullet glyph or None, text) when the line starts an item: "12. ..." or a bullet."""
    numbered = _NUMBERED.fullmatch(text)
    if numbered is not None:
        return None, numbered.group("text")
    return _bullet(text, glyph)


def _next_text(lines: list[str], i: int) -> str:
    return next((_fold(s) for s in lines[i + 1 :] if s != PAGE_BREAK and s.strip()), "")


def _subheading(text: str, lines: list[str], i: int, glyph: str | None) -> bool:
    """A short heading inside the list ("Quality of practice"): an item follows it."""
    short = len(text) <= _HEADING_MAX and text[0].isupper() and not _TERMINAL.search(text)
    return short and _item(_next_text(lines, i), glyph) is not None


def _continues(last: str, text: str, gap: bool, lines: list[str], i: int) -> bool:
    """A wrapped line of the item above, not a sub-heading or what follows the list."""
    if text[0].islower():
        return True
    if not _TERMINAL.search(last):
        return True
    if gap:
        return False
    return not _subheading(text, lines, i, None)
