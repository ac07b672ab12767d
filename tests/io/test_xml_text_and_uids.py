"""The text the XLSX and ICS writers put out, and the calendar UIDs, on any input at all."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from improveplan.io.export_ics import action_uid, encoded, milestone_uid
from improveplan.io.xml_text import xml_text

# XML 1.0's Char production: what a document may hold.
XML_CHAR = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def test_word_line_breaks_become_line_breaks_and_controls_go() -> None:
    assert xml_text("line one\x0btwo") == "line one\ntwo"
    assert xml_text("a\r\nb\rc\x0cd") == "a\nb\nc\nd"
    assert xml_text("be\x00l\x01l\x07\x1f\x08") == "bell"
    assert xml_text("tab\tand\nline") == "tab\tand\nline"
    assert xml_text("Siân’s plan — ✓ 😀") == "Siân’s plan — ✓ 😀"


@given(st.text(max_size=300))
def test_xml_text_is_what_xml_and_openpyxl_accept(text: str) -> None:
    cleaned = xml_text(text)
    assert XML_CHAR.fullmatch(cleaned)
    assert not ILLEGAL_CHARACTERS_RE.search(cleaned)
    assert xml_text(cleaned) == cleaned
    assert "\r" not in cleaned
    if XML_CHAR.fullmatch(text) and "\r" not in text:
        assert cleaned == text  # nothing a document can hold is touched


def test_uids_keep_refs_that_differ_only_by_case_or_punctuation_apart() -> None:
    refs = ["A1", "a1", "2-4", "2/4", "2.4", "2_4", "24"]
    uids = [action_uid("Peterborough", ref) for ref in refs]
    assert len({u.lower() for u in uids}) == len(refs)
    assert action_uid("Peterborough", "2.4") == "action-%50eterborough-2.4@improveplan"
    assert action_uid("Peterborough", "2/4") == "action-%50eterborough-2%2F4@improveplan"
    assert milestone_uid("P", "Plan due") == "milestone-%50-%50lan%20due@improveplan"


@given(st.text(), st.text(), st.text(), st.text())
def test_uids_are_injective_even_to_a_client_that_ignores_case(
    plan: str, ref: str, other_plan: str, other_ref: str
) -> None:
    one, two = action_uid(plan, ref), action_uid(other_plan, other_ref)
    assert (one.lower() == two.lower()) == ((plan, ref) == (other_plan, other_ref))
    assert one.isascii() and " " not in one
    assert unquote_to_bytes(encoded(ref)) == ref.encode("utf-8")
