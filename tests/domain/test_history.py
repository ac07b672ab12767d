"""domain.history: which judgement of each framework fills which row of the history."""

from __future__ import annotations

import datetime as dt

from improveplan.domain.history import column_labels, history_grid
from improveplan.domain.vocab import Area, Grade, InspectionType

G, RI, INAD = Grade.good, Grade.requires_improvement, Grade.inadequate

SIF_2015 = {
    Area.help_and_protection: RI,
    Area.children_looked_after_and_permanence: RI,
    Area.adoption_performance: G,
    Area.care_leavers: INAD,
    Area.leadership_management_governance: RI,
    Area.lscb: G,
    Area.overall_effectiveness: RI,
}
ILACS_2018 = {
    Area.impact_of_leaders: G,
    Area.help_and_protection: G,
    Area.children_in_care_and_care_leavers: G,
    Area.overall_effectiveness: G,
}
ILACS_2023 = {
    Area.impact_of_leaders: RI,
    Area.help_and_protection: RI,
    Area.children_in_care: RI,
    Area.care_leavers: INAD,
    Area.overall_effectiveness: INAD,
}


def _grid(*judgements: dict[Area, Grade]) -> dict[str, list[Grade | None]]:
    return {row.key: grades for row, grades in history_grid(judgements)}


def test_sif_and_ilacs_areas_meaning_the_same_share_a_row() -> None:
    assert _grid(SIF_2015, ILACS_2018, ILACS_2023) == {
        "help_and_protection": [RI, G, RI],
        "children_in_care": [RI, G, RI],  # SIF children looked after; 2018 combined
        "care_leavers": [INAD, G, INAD],  # the combined 2018 grade counts for both rows
        "leadership": [RI, G, RI],  # SIF leadership, management and governance
        "overall_effectiveness": [RI, G, INAD],
        "adoption_performance": [G, None, None],
        "lscb": [G, None, None],
    }


def test_sif_only_rows_appear_only_when_graded() -> None:
    grid = _grid(ILACS_2018, ILACS_2023)
    assert list(grid) == [
        "help_and_protection", "children_in_care", "care_leavers", "leadership",
        "overall_effectiveness",
    ]  # fmt: skip
    assert _grid({Area.lscb: INAD})["lscb"] == [INAD]


def test_an_inspection_without_judgements_is_an_empty_column() -> None:
    grid = _grid(ILACS_2023, {})
    assert grid["care_leavers"] == [INAD, None]
    assert all(grades[1] is None for grades in grid.values())


def test_the_split_grade_wins_over_the_combined_one_for_its_own_row() -> None:
    both = {Area.children_in_care: G, Area.children_in_care_and_care_leavers: INAD}
    assert _grid(both)["children_in_care"] == [G]
    assert _grid(both)["care_leavers"] == [INAD]


def test_column_labels_are_the_year_and_type_and_never_read_alike() -> None:
    sif, std, mv = InspectionType.sif, InspectionType.standard, InspectionType.monitoring_visit
    assert column_labels([(dt.date(2015, 1, 12), sif), (dt.date(2018, 6, 25), std)]) == [
        "2015 sif",
        "2018 standard",
    ]
    same_year = [(dt.date(2024, 2, 6), mv), (dt.date(2024, 8, 6), mv), (dt.date(2024, 1, 9), std)]
    assert column_labels(same_year) == [
        "2024-02-06 monitoring visit",
        "2024-08-06 monitoring visit",
        "2024 standard",
    ]
