"""The pure rules of who may do what (domain/access.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.access import Grant, Need, Rights, acting_label, describe, who_may
from improveplan.domain.vocab import Role

grants = st.builds(Grant, st.sampled_from(list(Role)), st.one_of(st.none(), st.integers(1, 4))).map(
    lambda g: g if g.role is Role.lead else Grant(g.role)
)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.viewer, {Need.read}),
        (Role.manager, {Need.read, Need.own_action}),
        (Role.lead, {Need.read, Need.own_action, Need.theme_action}),
        (Role.admin, set(Need)),
    ],
)
def test_each_role_meets_the_needs_of_its_rank(role: Role, allowed: set[Need]) -> None:
    rights = Rights.of([Grant(role, 1 if role is Role.lead else None)])
    assert {need for need in Need if rights.allows(need)} == allowed


def test_no_role_meets_no_need_and_a_dba_meets_every_one() -> None:
    assert not any(Rights().allows(need) for need in Need)
    assert all(Rights(dba=True).allows(need) for need in Need)


def test_a_lead_leads_only_their_theme_and_an_action_of_no_theme_has_only_admins() -> None:
    lead = Rights.of([Grant(Role.lead, 1)])
    assert lead.leads(1) and not lead.leads(2) and not lead.leads(None)
    assert Rights.of([Grant(Role.admin)]).leads(None)


def test_a_manager_changes_only_what_they_own() -> None:
    manager = Rights.of([Grant(Role.manager)])
    assert manager.changes(owns=True, theme_id=1)
    assert not manager.changes(owns=False, theme_id=1)
    viewer = Rights.of([Grant(Role.viewer)])
    assert not viewer.changes(owns=True, theme_id=1)


@given(st.frozensets(grants, max_size=5), st.integers(1, 4), st.booleans())
def test_more_grants_never_take_a_right_away(
    held: frozenset[Grant], theme: int, owns: bool
) -> None:
    fewer = Rights.of(held)
    more = Rights.of(held | {Grant(Role.viewer)})
    for need in Need:
        assert more.allows(need) or not fewer.allows(need)
    assert more.changes(owns=owns, theme_id=theme) or not fewer.changes(owns=owns, theme_id=theme)
    # anyone who may lead a theme may change its actions, and anyone who may change
    # anything may read
    assert fewer.changes(owns=owns, theme_id=theme) or not fewer.leads(theme)
    assert fewer.reads() or not fewer.allows(Need.own_action)


def test_refusals_name_the_roles_held_and_who_can() -> None:
    assert describe(Rights.of([Grant(Role.viewer)])) == "a viewer"
    assert describe(Rights.of([Grant(Role.manager), Grant(Role.lead, 2)])) == (
        "a manager and a lead"
    )
    assert describe(Rights.of([Grant(Role.admin)])) == "an admin"
    assert describe(Rights()) == "nobody in it"
    assert who_may(Need.theme_action) == "its theme lead or a plan admin can"


@given(st.text(min_size=1, max_size=200), st.text(min_size=1, max_size=200))
def test_an_acting_label_always_fits_the_actor_column(doer: str, person: str) -> None:
    label = acting_label(doer, person)
    assert len(label) <= 200
    assert " acting for " in label
    if len(doer) + len(person) + 12 <= 200:
        assert label == f"{doer} acting for {person}"
