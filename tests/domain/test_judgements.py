"""Reading grades, areas and inspection types as people type them (domain.judgements)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.judgements import (
    COMBINED_CARE,
    CORE_AREAS,
    GRADE_LABELS,
    GRADE_RAG,
    SIF_ORDER,
    SPLIT_CARE,
    in_area_order,
    missing_areas,
    parse_area,
    parse_grade,
    parse_grades,
    parse_inspection_type,
)
from improveplan.domain.vocab import Area, Grade, InspectionType, Rag

PARSERS: list[tuple[Callable[[str], StrEnum], type[StrEnum], str]] = [
    (parse_grade, Grade, "grade"),
    (parse_area, Area, "area"),
    (parse_inspection_type, InspectionType, "inspection type"),
]

# What people and reports write besides the stored value itself.
SPELLINGS: dict[str, StrEnum] = {
    **{label: grade for grade, label in GRADE_LABELS.items()},
    "RI": Grade.requires_improvement,
    "requires improvement": Grade.requires_improvement,
    "Overall": Area.overall_effectiveness,
    "The impact of leaders": Area.impact_of_leaders,
    "Impact of leaders on social work practice": Area.impact_of_leaders,
    "Focused visit": InspectionType.focused_visit,
    "JTAI": InspectionType.jtai,
}

SEPARATORS = st.sampled_from([" ", "_", "-", "  ", " - ", "__", "\t", "–"])


@st.composite
def respelt(draw: st.DrawFn, words: list[str]) -> str:
    """The words in any case, joined by any separators, padded with any spaces."""
    cased = [
        "".join(c.upper() if draw(st.booleans()) else c.lower() for c in word) for word in words
    ]
    text = cased[0]
    for word in cased[1:]:
        text += draw(SEPARATORS) + word
    pad = st.sampled_from(["", " ", "  ", "\t", "\n"])
    return draw(pad) + text + draw(pad)


def _words(text: str) -> list[str]:
    return text.replace("_", " ").split()


VALID = st.one_of(
    st.sampled_from([(str(m), m) for _, enum, _ in PARSERS for m in enum]),
    st.sampled_from(sorted(SPELLINGS.items())),
)


def _parser_for(member: StrEnum) -> Callable[[str], StrEnum]:
    return next(parse for parse, enum, _ in PARSERS if isinstance(member, enum))


@given(st.data(), VALID)
def test_any_case_and_spacing_of_a_valid_spelling_parses(
    data: st.DataObject, valid: tuple[str, StrEnum]
) -> None:
    text, member = valid
    typed = data.draw(respelt(_words(text)))
    assert _parser_for(member)(typed) is member


@pytest.mark.parametrize(("parse", "enum", "what"), PARSERS)
@given(text=st.text())
def test_anything_else_raises_naming_every_valid_value(
    parse: Callable[[str], StrEnum], enum: type[StrEnum], what: str, text: str
) -> None:
    try:
        member = parse(text)
    except ValueError as exc:
        assert str(exc) == f"unknown {what} {text!r}: use one of {', '.join(enum)}"
    else:
        assert isinstance(member, enum)
        assert parse(str(member)) is member  # what parses is a respelling of a value


@pytest.mark.parametrize(("parse", "enum", "what"), PARSERS)
@given(text=st.text(min_size=1).map(lambda t: t + "9"))
def test_text_with_a_digit_is_never_valid(
    parse: Callable[[str], StrEnum], enum: type[StrEnum], what: str, text: str
) -> None:
    with pytest.raises(ValueError, match=f"^unknown {what} "):
        parse(text)


def test_error_messages_the_command_line_shows() -> None:
    with pytest.raises(ValueError) as grade:
        parse_grade("brilliant")
    assert str(grade.value) == (
        "unknown grade 'brilliant': use one of outstanding, good, requires_improvement, inadequate"
    )
    with pytest.raises(ValueError) as area:
        parse_area("leadership")
    assert str(area.value).startswith(
        "unknown area 'leadership': use one of impact_of_leaders, help_and_protection, "
    )
    with pytest.raises(ValueError) as kind:
        parse_inspection_type("audit")
    assert str(kind.value) == (
        "unknown inspection type 'audit': use one of standard, short, focused_visit, "
        "monitoring_visit, jtai, other, sif"
    )


def test_every_grade_has_a_label_and_a_colour() -> None:
    assert list(GRADE_LABELS) == list(Grade)
    assert GRADE_LABELS[Grade.requires_improvement] == "Requires improvement to be good"
    assert [GRADE_RAG[g] for g in Grade] == [Rag.blue, Rag.green, Rag.amber, Rag.red]


AREA_SETS = st.one_of(
    st.just([*CORE_AREAS, *SPLIT_CARE]),
    st.just([*CORE_AREAS, COMBINED_CARE]),
    st.lists(st.sampled_from([a for a in Area if a is not COMBINED_CARE]), unique=True),
).flatmap(st.permutations)


@given(st.data(), AREA_SETS)
def test_grade_pairs_parse_in_any_spelling(data: st.DataObject, areas: list[Area]) -> None:
    grades = [data.draw(st.sampled_from(list(Grade))) for _ in areas]
    pairs = [
        data.draw(respelt(_words(area))) + "=" + data.draw(respelt(_words(GRADE_LABELS[grade])))
        for area, grade in zip(areas, grades, strict=True)
    ]
    parsed = parse_grades(pairs)
    assert list(parsed.items()) == list(zip(areas, grades, strict=True))
    # A SIF area of its own puts the SIF report's order first; otherwise the enum's.
    sif_only = {Area.children_looked_after_and_permanence, Area.adoption_performance,
                Area.leadership_management_governance, Area.lscb}  # fmt: skip
    first = [a for a in SIF_ORDER if a in parsed] if sif_only & parsed.keys() else []
    assert list(in_area_order(parsed)) == first + [
        a for a in Area if a in parsed and a not in first
    ]


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (["overall_effectiveness"], "'overall_effectiveness' is not AREA=GRADE"),
        (["overall=good", "Overall effectiveness=RI"], "overall_effectiveness is graded twice"),
        (
            ["care_leavers=good", "children_in_care_and_care_leavers=good"],
            "grade either children_in_care_and_care_leavers (reports before 2023) or "
            "children_in_care and care_leavers, not both",
        ),
        (["leadership=good"], "unknown area 'leadership'"),
        (["overall=brilliant"], "unknown grade 'brilliant'"),
    ],
)
def test_grade_pairs_a_report_cannot_hold_are_refused(pairs: list[str], message: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_grades(pairs)
    assert str(exc.value).startswith(message)


def test_missing_areas_of_a_judgement_table() -> None:
    assert missing_areas({}) == [*CORE_AREAS, *SPLIT_CARE]
    assert missing_areas(dict.fromkeys([*CORE_AREAS, COMBINED_CARE], Grade.good)) == []
    assert missing_areas({COMBINED_CARE: Grade.good}) == list(CORE_AREAS)
    split = dict.fromkeys([*CORE_AREAS, Area.care_leavers], Grade.good)
    assert missing_areas(split) == [Area.children_in_care]
