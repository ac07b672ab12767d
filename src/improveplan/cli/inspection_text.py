"""How the `inspection` commands say what they did: the inspection's tables, and one line
for an import (what it filled, added or changed) — kept apart so the group stays small."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from improveplan.services.inspections import InspectionRecord
    from improveplan.services.report_import import ReportImport
    from improveplan.services.report_target import NewPlan


def grade_style(value: object) -> str | None:
    """The board's colour for a grade, given as the grade or as Ofsted's label for it."""
    from improveplan.domain.judgements import GRADE_LABELS, GRADE_RAG
    from improveplan.render.output import rag_style

    for grade, label in GRADE_LABELS.items():
        if value in (grade, label):
            return rag_style(GRADE_RAG[grade])
    return None


def span(refs: list[str]) -> str:
    """ " (R1–R8)" for a run of numbers; "" for none; refs listed otherwise."""
    if not refs:
        return ""
    return f" ({refs_text(refs)})"


def refs_text(refs: list[str]) -> str:
    """R1, R2, R3, R5 → "R1–R3, R5": runs of R-numbers shortened, others as they are."""
    import re

    parts: list[list[str]] = []
    last: int | None = None
    for ref in refs:
        match = re.fullmatch(r"R(\d+)", ref)
        number = int(match[1]) if match else None
        if number is not None and last is not None and number == last + 1 and parts:
            parts[-1][1:] = [ref]
        else:
            parts.append([ref])
        last = number
    return ", ".join("–".join(part) for part in parts)


def import_line(done: ReportImport) -> str:
    """One line: what the import did, or on a dry run would do."""
    record, dry = done.inspection, done.dry_run
    if done.replaces is not None:
        change, add, keep = ("would change", "would add", "would keep") if dry else (
            "changed", "added", "kept")  # fmt: skip
        said = f"{change} {', '.join(done.changed)}" if done.changed else f"{change} nothing"
        if done.added:
            said += f"; {add} {refs_text(done.added)}"
        said += f"; {keep} {done.kept_actions} actions and their links"
        if dry:
            return f"Dry run: nothing written. Re-reading inspection {done.replaces} {said}."
        return f"Re-read inspection {done.replaces}: {said}."
    found = f"{len(record.judgements)} judgements, {len(record.recommendations)} recommendations"
    if done.filled:
        verbs = ("would fill in", "would add") if dry else ("filled in", "added")
        found += f": {verbs[0]} {refs_text(done.filled)} (recorded by ref only until now)"
        if done.added:
            found += f", {verbs[1]} {refs_text(done.added)}"
    else:
        found += span([r.ref for r in record.recommendations])
    if dry:
        return f"Dry run: nothing written. {_plan_said(done)}Found {found}.{_no_plan_yet(done)}"
    return f"{_plan_said(done)}Imported inspection {record.id}: {found}."


def _plan_said(done: ReportImport) -> str:
    """What --create-plan did, or would do, first."""
    new = done.new_plan
    if new is None:
        return ""
    verb = "Would create" if done.dry_run else "Created"
    return f"{verb} {_plan_named(new)}. "


def _plan_named(new: NewPlan) -> str:
    """`plan "Peterborough"`, and the authority when the plan is named otherwise."""
    named = f'plan "{new.name}"'
    return named if new.name == new.authority else f"{named} for {new.authority}"


def _no_plan_yet(done: ReportImport) -> str:
    """A dry run before any plan: how to import it for real."""
    if not done.no_plan:
        return ""
    if done.suggested is None:
        return (" No plan yet, and the report names no local authority: create one with"
                " improveplan plan add NAME --authority TEXT.")  # fmt: skip
    return f" No plan yet: --create-plan would create {_plan_named(done.suggested)}."


def left_lines(done: ReportImport) -> list[str]:
    """The recommendations the report did not reach, and what to do about them."""
    if not done.left:
        return []
    refs = refs_text(done.left)
    if done.replaces is not None:
        return [
            f"{refs} not in the report any more: kept with any actions — remove one with"
            " improveplan rec remove REF once nothing answers it"
        ]
    return [
        f"{refs} still {'has' if len(done.left) == 1 else 'have'} no text (the report has"
        f" {len(done.inspection.recommendations)} recommendations) — give it with"
        " improveplan rec update REF --text"
    ]


def render(record: InspectionRecord, fmt: str, *, authority: str | None = None) -> None:
    """The inspection JSON, its judgements as CSV, or three small tables: details,
    judgements, recommendations; `authority`, the one a report names, leads the details."""
    from improveplan.domain.judgements import GRADE_LABELS, area_words
    from improveplan.render.output import Column, emit_json, table

    if fmt == "json":
        emit_json(record)
        return
    if fmt == "csv":
        _judgements_csv(record)
        return
    details = _details(record)
    if authority is not None:
        details.insert(0, {"field": "Local authority", "value": authority})
    table(details, [Column("field", "Inspection", style="heading"), Column("value", "")])
    grades = [
        {"area": _first_up(area_words(area)), "grade": GRADE_LABELS[grade]}
        for area, grade in record.judgements.items()
    ]
    table(
        grades,
        [Column("area", "Judgement"), Column("grade", "Grade", style=grade_style)],
        empty="No judgements recorded.",
    )
    table(
        record.recommendations,
        [Column("ref", "Ref", style="ref", no_wrap=True), Column("text", "What needs to improve")],
        empty="No recommendations in this report.",
    )
    if record.lscb_recommendations:
        table(record.lscb_recommendations, [Column("text", "What the LSCB needs to improve")])


def _first_up(words: str) -> str:
    """ "LSCB" stays as it is; "help and protection" becomes "Help and protection"."""
    return words[:1].upper() + words[1:]


def _judgements_csv(record: InspectionRecord) -> None:
    """One row per judgement, area and grade as stored (the JSON's keys and values): the
    grid a spreadsheet compares across inspections. The recommendations are `rec list`'s."""
    import sys

    from improveplan.render.csv_out import write_csv

    rows = [{"area": area, "grade": grade} for area, grade in record.judgements.items()]
    write_csv(rows, ("area", "grade"), sys.stdout)


_LABELS = {
    "id": "ID",
    "type": "Type",
    "start": "Fieldwork start",
    "end": "Fieldwork end",
    "received": "Report received",
    "published": "Published",
    "lead_inspector": "Lead inspector",
}


def _details(record: InspectionRecord) -> list[dict[str, object]]:
    """The inspection's fields as rows of the details table, its type in words."""
    from improveplan.domain.vocab import spoken
    from improveplan.serialize import as_record

    values = as_record(record)
    return [
        {"field": label, "value": "(dry run)" if values[k] is None and k == "id" else values[k]}
        | ({"value": spoken(record.type)} if k == "type" else {})
        for k, label in _LABELS.items()
    ]
