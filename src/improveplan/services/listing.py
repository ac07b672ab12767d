"""Full listings streamed from the cursor: `overdue` and `action list` in json or csv.

The capped table views build their (few) rows as lists. A full listing is up to 100k
rows, which a script or a spreadsheet reads: here the rows come from the open cursor
(`queries.stream_action_values`) inside a context manager that holds the read session, and
the caller writes each row as it comes (io/stream_json.py, render/output.py's CSV), so
memory is flat in the number of rows (issue 14). The text is the same as the listed
reports' (tests/cli/test_streamed_outputs.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from improveplan.domain.dates import shift_days
from improveplan.domain.records import ActionRow, Counted, OverdueStream
from improveplan.services import lookups
from improveplan.services.context import App
from improveplan.services.overdue import milestones_at_risk
from improveplan.store import queries


@contextmanager
def overdue_stream(
    app: App, *, as_of: dt.date, within: int | None = None, owner: str | None = None
) -> Iterator[OverdueStream]:
    """The full overdue report, its action lists to be read inside the `with` block."""
    if within is None:
        within = app.settings.due_soon_days
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        person = lookups.find_person(session, owner) if owner else None
        name = person.name if person else None
        at_risk = milestones_at_risk(
            session,
            plan_id=plan.id,
            as_of=as_of,
            owner_id=person.id if person else None,
            today=app.today,
            amber_days=app.settings.amber_days,
        )

        def rows(flt: queries.ActionFilter) -> Counted:
            assert plan.id is not None
            found = queries.stream_action_values(
                session, plan_id=plan.id, as_of=as_of, amber_days=app.settings.amber_days, flt=flt
            )
            return Counted(queries.action_records(found))

        soon = queries.ActionFilter(owner=name, due_from=as_of, due_by=shift_days(as_of, within))
        yield OverdueStream(
            as_of=as_of,
            plan=plan.name,
            overdue=rows(queries.ActionFilter(owner=name, overdue=True)),
            due_soon=rows(soon),
            milestones_at_risk=at_risk,
        )


@contextmanager
def action_stream(
    app: App, *, as_of: dt.date, flt: queries.ActionFilter | None = None
) -> Iterator[Iterator[ActionRow]]:
    """`action list` (services/action_reads.py `list_actions`) as the cursor reads it."""
    from improveplan.services.action_reads import _check_filter

    flt = flt or queries.ActionFilter()
    if flt.rec is not None:
        flt = dataclasses.replace(flt, rec=lookups.normalise_ref(flt.rec))
    with app.read() as session:
        plan = app.plan(session)
        assert plan.id is not None
        found = queries.stream_action_values(
            session,
            plan_id=plan.id,
            as_of=as_of,
            amber_days=app.settings.amber_days,
            flt=_check_filter(session, plan, flt),
        )
        yield queries.action_records(found)
