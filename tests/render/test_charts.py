"""Inline SVG charts: well-formed XML, drawn to scale, every text escaped."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.measures import MeasureRecord
from improveplan.domain.records import RagCounts
from improveplan.domain.status import GroupCounts
from improveplan.render import charts
from improveplan.services.report_results import TrendPoint

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert('x')</script> & \"quoted\""


def measure(
    *,
    name: str,
    unit: str,
    baseline: float,
    target: float,
    latest: float | None,
    on_track: bool | None,
) -> MeasureRecord:
    """A measure as the board report passes it to the chart."""
    return MeasureRecord(
        name=name, unit=unit, baseline=baseline, baseline_date=None, target=target,
        target_date=None, latest=latest, latest_date=None, direction="higher is better",
        on_track=on_track, higher_is_better=target >= baseline,
    )  # fmt: skip


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    """Each <text> as read: its lines (<tspan>s of a wrapped label) joined by spaces."""
    return [" ".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def group(name: str, blue: int = 0, green: int = 0, amber: int = 0, red: int = 0) -> RagCounts:
    return RagCounts(name=name, blue=blue, green=green, amber=amber, red=red,
                     total=blue + green + amber + red)  # fmt: skip


def point(day: dt.date, open_: int, overdue: int) -> TrendPoint:
    return TrendPoint(day=day, open=open_, overdue=overdue)


def test_rag_bars_draw_each_colour_to_one_scale() -> None:
    root = parse(charts.rag_bars([group("Help", 1, 2, 3, 4), group("Care", green=5)]))
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = {r.find(f"{SVG}title").text: float(r.get("width")) for r in bars}  # type: ignore[union-attr, arg-type]
    assert set(widths) == {"Help: 1 blue", "Help: 2 green", "Help: 3 amber", "Help: 4 red",
                           "Care: 5 green"}  # fmt: skip
    # One scale: 2 green in Help is 2/5 of Care's 5 green; 4 red is 4x 1 blue.
    assert abs(widths["Help: 2 green"] * 5 / 2 - widths["Care: 5 green"]) < 0.2
    assert abs(widths["Help: 4 red"] - 4 * widths["Help: 1 blue"]) < 0.2
    assert "Help" in texts(root) and "Care" in texts(root)
    assert root.get("aria-label") == "RAG by theme"


def test_rag_bars_read_the_status_counts_as_they_read_the_stored_ones() -> None:
    stored = group("Help", 1, 2, 3, 4)
    shown = GroupCounts.from_counts(stored, "Help")
    assert charts.rag_bars([shown]) == charts.rag_bars([stored])


def test_text_is_escaped_in_every_chart() -> None:
    bars = charts.rag_bars([group(NASTY, red=1)])
    line = charts.trend([point(dt.date(2025, 3, 1), 3, 1)], label=NASTY)
    kpis = charts.measures([measure(name= NASTY, unit= "<b>", baseline= 1.0, target= 2.0,
                             latest= 1.5, on_track= True)])  # fmt: skip
    for svg in (bars, line, kpis):
        assert "<script>" not in svg and "<b>" not in svg
        root = parse(svg)
        assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    assert any(t.startswith("<script>") for t in texts(parse(kpis)))  # shown as text
    assert parse(line).get("aria-label") == NASTY


def test_trend_plots_open_and_overdue_lines() -> None:
    points = [
        point(dt.date(2025, 3, 1), 10, 0),
        point(dt.date(2025, 3, 11), 8, 4),
        point(dt.date(2025, 3, 21), 6, 2),
    ]
    root = parse(charts.trend(points))
    lines = list(root.iter(f"{SVG}polyline"))
    assert [len(p.get("points", "").split()) for p in lines] == [3, 3]
    open_y = [float(xy.split(",")[1]) for xy in lines[0].get("points", "").split()]
    assert open_y[0] < open_y[1] < open_y[2]  # falling counts sit lower on the page
    assert "2025-03-01" in texts(root) and "2025-03-21" in texts(root)
    assert "10" in texts(root)  # the y axis reaches a round maximum


def test_measures_fill_the_share_of_the_way_to_target() -> None:
    items = [
        measure(name= "Visits", unit= "%", baseline= 60.0, target= 90.0, latest= 75.0,
         on_track= True),
        measure(name= "Caseloads", unit= "children", baseline= 25.0, target= 18.0,
         latest= 27.0, on_track= False),
        measure(name= "New", unit= "%", baseline= 1.0, target= 2.0, latest= None,
         on_track= None),
    ]  # fmt: skip
    root = parse(charts.measures(items))
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("fill") in {"#00703c", "#d4351c"}]
    track = next(r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#f3f2f1")
    legend = 10.0
    fills = [float(r.get("width", 0)) for r in rects if float(r.get("width", 0)) != legend]
    # Visits: halfway to target; caseloads went backwards: a red sliver only.
    assert fills == [float(track.get("width", 0)) / 2, 3.0]
    assert rects[-1].get("fill") == "#d4351c"
    assert "75 → 90 %" in texts(root) and "no value → 2 %" in texts(root)


def test_nothing_to_draw_is_an_empty_string() -> None:
    assert charts.rag_bars([]) == charts.trend([]) == charts.measures([]) == ""


@given(st.lists(st.tuples(st.text(max_size=40), st.integers(0, 500), st.integers(0, 500)),
                min_size=1, max_size=12))  # fmt: skip
def test_any_groups_make_well_formed_svg(rows: list[tuple[str, int, int]]) -> None:
    groups = [group(name, green=g, red=r) for name, g, r in rows]
    root = parse(charts.rag_bars(groups))
    assert len(list(root.iter(f"{SVG}text"))) >= len(groups)


def test_a_long_label_wraps_whole_and_its_row_grows() -> None:
    name = "Agency social workers in safeguarding teams across every locality"
    items = [
        measure(name=name, unit="%", baseline=31.0, target=15.0, latest=22.0, on_track=False),
        measure(name="Short", unit="%", baseline=1.0, target=2.0, latest=None, on_track=None),
    ]
    root = parse(charts.measures(items))
    label = next(t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end")
    lines = [s.text or "" for s in label.iter(f"{SVG}tspan")]
    assert lines == ["Agency social workers in", "safeguarding teams across", "every locality"]
    assert all(len(line) <= charts.LABEL_CHARS for line in lines)
    last = float(list(label.iter(f"{SVG}tspan"))[-1].get("y", 0))
    tracks = [float(r.get("y", 0)) for r in root.iter(f"{SVG}rect") if r.get("fill") == "#f3f2f1"]
    assert tracks[1] > last  # the next row starts below the label's last line
    assert "…" not in charts.measures(items)
    word = "x" * 40  # one word longer than a line is split, never cut
    bars = parse(charts.rag_bars([group(word, red=1)]))
    assert "".join(s.text or "" for s in bars.iter(f"{SVG}tspan")) == word


def test_history_grid_is_xml_with_a_tile_per_judged_cell() -> None:
    from improveplan.domain.vocab import Grade, InspectionType
    from improveplan.services.history import HistoryArea, HistoryInspection, InspectionHistory

    def column(label: str) -> HistoryInspection:
        return HistoryInspection(id=None, type=InspectionType.standard, start=None, end=None,
                                 label=label, overall=None)  # fmt: skip

    found = InspectionHistory(
        inspections=[column("2018 standard"), column("2023 <standard>")],
        areas=[
            HistoryArea(area="care_leavers", label="Care leavers",
                        grades=[Grade.good, Grade.inadequate]),
            HistoryArea(area="lscb", label="LSCB", grades=[Grade.good, None]),
        ],
        recurring=[],
    )  # fmt: skip
    svg = charts.history(found)
    root = ET.fromstring(svg)
    tiles = root.findall("{http://www.w3.org/2000/svg}rect")
    assert [t.get("fill") for t in tiles] == ["#00703c", "#d4351c", "#00703c"]
    assert "2023 &lt;standard&gt;" in svg
    assert charts.history(InspectionHistory(inspections=[], areas=[], recurring=[])) == ""
