"""The reminder rules: escalation candidates, the digest key, when an unchanged one goes
again, the footer's promise and how a person not reached is named."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.reminders import (
    NotReached,
    digest_key,
    escalation_candidates,
    frequency,
    lead_role,
    resend_due,
)

names = st.none() | st.sampled_from(["Ann", "Bob", "Cy"])


@given(owner=names, theme_lead=names, plan_lead=names)
def test_an_escalation_never_goes_to_the_owner(
    owner: str | None, theme_lead: str | None, plan_lead: str | None
) -> None:
    found = escalation_candidates(owner=owner, theme_lead=theme_lead, plan_lead=plan_lead)
    who = [name for name, _ in found]
    assert owner not in who
    assert len(set(who)) == len(who)
    if theme_lead is not None and theme_lead != owner:
        assert found[0] == (theme_lead, "theme")
    if plan_lead is not None and plan_lead not in (owner, theme_lead):
        assert found[-1] == (plan_lead, "plan")


def test_the_plan_lead_takes_what_the_theme_lead_cannot() -> None:
    assert escalation_candidates(owner="Tom", theme_lead="Tom", plan_lead="Dana") == [
        ("Dana", "plan")
    ]
    assert escalation_candidates(owner="Tom", theme_lead=None, plan_lead="Dana") == [
        ("Dana", "plan")
    ]
    assert escalation_candidates(owner="Dana", theme_lead=None, plan_lead="Dana") == []


def test_lead_role() -> None:
    assert lead_role(["B", "A", "B"], plan_lead=False) == "lead for A, B"
    assert lead_role([], plan_lead=True) == "the plan lead"
    assert lead_role(["A"], plan_lead=True) == "lead for A and the plan lead"


facts = st.lists(
    st.tuples(st.text(max_size=5), st.none() | st.dates(), st.sampled_from(["red", "amber"])),
    max_size=6,
)


@given(facts=facts, data=st.data())
def test_the_digest_key_ignores_order_and_tells_kinds_apart(
    facts: list[tuple[object, ...]], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(facts))
    assert digest_key("digest", facts) == digest_key("digest", shuffled)
    assert digest_key("digest", facts) != digest_key("escalation", facts)
    assert len(digest_key("digest", facts)) == 64  # fits Notification.digest_key


def test_the_digest_key_changes_with_any_fact() -> None:
    base = [("1", dt.date(2024, 3, 5), "amber", "not_started", "Tom")]
    moved = [("1", dt.date(2024, 3, 6), "amber", "not_started", "Tom")]
    assert digest_key("digest", base) != digest_key("digest", moved)


day = dt.date(2024, 3, 1)


@given(days=st.integers(0, 30), gap=st.integers(1, 40))
def test_an_unchanged_digest_waits_resend_unchanged_days(days: int, gap: int) -> None:
    as_of = day + dt.timedelta(days=gap)
    same = resend_due(key="k", last_key="k", last_sent=day, as_of=as_of, resend_unchanged_days=days)
    assert same == (gap >= days)
    changed = resend_due(
        key="k2", last_key="k", last_sent=day, as_of=as_of, resend_unchanged_days=days
    )
    assert changed


def test_nothing_sent_before_means_send() -> None:
    assert resend_due(key="k", last_key=None, last_sent=None, as_of=day, resend_unchanged_days=7)
    assert resend_due(key="k", last_key="k", last_sent=day, as_of=day, resend_unchanged_days=7)


def test_the_footer_promises_what_the_setting_does() -> None:
    assert frequency(0) == frequency(1)
    assert frequency(1) == "You get this reminder every day something in it is due or overdue."
    assert frequency(7).endswith("while nothing changes, once a week.")
    assert frequency(3).endswith("while nothing changes, every 3 days.")


def test_how_not_reached_is_said() -> None:
    def said(name: str | None, reason: str, kind: str, refs: list[str]) -> str:
        return NotReached(plan="P", name=name, reason=reason, kind=kind, actions=refs).line

    assert said("Tom Okafor", "no email", "digest", ["1", "2", "3"]) == (
        "Tom Okafor (no email) — 3 actions"
    )
    assert said("Priya", "no email", "escalation", ["4"]) == (
        "Priya (no email) — escalation of 1 action"
    )
    assert said(None, "no owner", "digest", ["5", "6"]) == "no owner — 2 actions"
    assert said(None, "no plan lead", "escalation", ["7"]) == (
        "no plan lead — escalation of 1 action"
    )
