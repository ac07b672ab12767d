"""domain.recurring: recommendations that echo an earlier inspection's, by rapidfuzz."""

from __future__ import annotations

from typing import Any

import pytest

from improveplan.domain.recurring import THRESHOLD, distinctive, echoes, similarity
from tests.conftest import expected_reports

NOW = [
    "The quality of supervision, so that managers challenge drift in children's plans.",
    "The sufficiency of foster carers for teenagers.",
    "The support given to care leavers to find suitable accommodation.",
]
BEFORE = [
    "Management oversight and the regularity of supervision of social workers.",
    "The timeliness of initial health assessments for children in care.",
    "Pathway plans for care leavers, so that they are clear about their entitlements.",
]


def test_distinctive_words_drop_the_framing_and_keep_care_leavers_whole() -> None:
    assert distinctive("The quality of support for care leavers, including their rights.") == (
        "careleaver right"
    )
    assert distinctive("Children missing from education and children missing from care.") == (
        "missingeducation missing care"
    )


def test_a_pair_sharing_no_distinctive_word_scores_nothing() -> None:
    assert similarity(NOW[1], BEFORE[1]) == 0.0
    assert similarity("Children missing from education.", "Children missing from care.") == 0.0


def test_finds_supervision_and_care_leavers_and_nothing_else() -> None:
    found = [(e.current, e.earlier) for e in echoes(NOW, BEFORE)]
    assert found == [(0, 0), (2, 2)]


def test_the_threshold_is_a_real_cut() -> None:
    """A pair sharing one word amid many of its own is below it."""
    a = "The timeliness of placement decisions for disabled children in care."
    b = "The effectiveness of return home interviews when children go missing from care."
    assert 0 < similarity(a, b) < THRESHOLD
    assert echoes([a], [b]) == []
    assert [e.score for e in echoes([a], [b], threshold=0.1)] == [similarity(a, b)]


def _peterborough(reports: list[dict[str, Any]], name: str) -> list[str]:
    return next(r["recommendations"] for r in reports if r["file"] == name)


def test_peterborough_2018_to_2023_finds_supervision_and_care_leavers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every pair's score (pytest -s shows them: docs/design.md §3 has the table)."""
    reports = expected_reports()
    before = _peterborough(reports, "peterborough-2018-08-06.pdf")
    now = _peterborough(reports, "peterborough-2024-01-30.pdf")
    with capsys.disabled():
        for i, text in enumerate(now, 1):
            print(f"2023 R{i}", " ".join(f"{similarity(text, b):6.1f}" for b in before))
    found = {(e.current + 1, e.earlier + 1): e.score for e in echoes(now, before)}
    assert found[6, 5] == 53.5  # the quality of supervision / management oversight, supervision
    assert found[1, 4] == 48.1  # support for care leavers / information to care leavers
    assert found[8, 3] == 100.0  # missing from care / return interviews, missing from care
    # Unrelated: disabled children, home education, placements and casework teams echo nothing.
    assert {now_ref for now_ref, _ in found} == {1, 2, 3, 6, 8}
    assert (2, 5) not in found  # safeguarding teams / social work teams: only "teams" shared
    assert all(score >= THRESHOLD for score in found.values())


def test_home_education_is_not_missing_from_home() -> None:
    a = "The response when children are electively home educated or missing from education."
    b = "Ensure that every child who goes missing from home or care is offered an interview."
    assert "homeeducation" in distinctive(a)
    assert similarity(a, b) == 0


def test_groups_keep_the_closest_echo_of_each_earlier_inspection() -> None:
    """Equal scores (both 100: "assessment" is in each) are told apart by the words in full."""
    now = ["The consistency in quality of social work assessments."]
    before = [
        "Ensure that initial health assessments are routinely completed within timescales.",
        "The use of chronologies in underpinning children's assessments.",
        "Ensure that all assessments are informed by chronologies.",
    ]
    assert [e.score for e in echoes(now, before)] == [100.0, 100.0, 100.0]
    assert [e.earlier for e in echoes(now, before)] == [2, 1, 0]
    kept = echoes(now, before, groups=[2015, 2018, 2015])
    assert [(e.earlier, e.score) for e in kept] == [(2, 100.0), (1, 100.0)]
