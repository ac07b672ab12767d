"""Who may do what in a plan (docs/design.md §5): pure rules over a person's grants.

A command declares what it needs (`Need`); the services hand these rules the grants the
acting person holds in the plan and the action in question. No database, no click: the
same rules are unit-tested here and enforced again by PostgreSQL's row-level security.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from improveplan.domain.vocab import Role


class Need(StrEnum):
    """What a command needs of the plan it works in."""

    read = "read"  # see the plan: any role
    own_action = "own_action"  # update, note, complete an action: its owner, lead or admin
    theme_action = "theme_action"  # add, assign, cancel, remove, sign off: lead or admin
    admin = "admin"  # people, themes, recommendations, timeline, imports, access


@dataclass(frozen=True, slots=True)
class Grant:
    """One role; a lead's grant names the theme they lead."""

    role: Role
    theme_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rights:
    """What one login may do in one plan: its person's grants there, or a DBA's all."""

    dba: bool = False
    grants: frozenset[Grant] = frozenset()

    @classmethod
    def of(cls, grants: Iterable[Grant], *, dba: bool = False) -> Rights:
        return cls(dba=dba, grants=frozenset(grants))

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    @property
    def is_admin(self) -> bool:
        return self.dba or Role.admin in self.roles

    def reads(self) -> bool:
        return self.dba or bool(self.grants)

    def leads(self, theme_id: int | None) -> bool:
        """Admin, or lead of this theme (an action in no theme has only admins)."""
        if self.is_admin:
            return True
        return theme_id is not None and Grant(Role.lead, theme_id) in self.grants

    def changes(self, *, owns: bool, theme_id: int | None) -> bool:
        """May update, note and complete this action: a manager or lead who owns it, its
        theme lead, or an admin."""
        if self.leads(theme_id):
            return True
        return owns and bool(self.roles & {Role.manager, Role.lead})

    def allows(self, need: Need) -> bool:
        """The plan-level half of a need; action needs are checked again per action."""
        if need is Need.read:
            return self.reads()
        if need is Need.admin:
            return self.is_admin
        if need is Need.theme_action:
            return self.is_admin or Role.lead in self.roles
        return self.is_admin or bool(self.roles & {Role.manager, Role.lead})


def who_may(need: Need) -> str:
    """Who can do what a need covers, for the second half of a refusal."""
    return {
        Need.read: "a plan admin can grant a role (improveplan access grant)",
        Need.own_action: "its owner, its theme lead or a plan admin can",
        Need.theme_action: "its theme lead or a plan admin can",
        Need.admin: "a plan admin can (improveplan access list shows them)",
    }[need]


def describe(rights: Rights) -> str:
    """The roles held, as a refusal names them: "a viewer", "a manager and a lead"."""
    if rights.dba:
        return "the database administrator"
    roles = [r for r in Role if r in rights.roles]
    if not roles:
        return "nobody in it"
    return " and ".join(f"a {r.value}" if r is not Role.admin else "an admin" for r in roles)


def acting_label(doer: str, person: str) -> str:
    """What the trail records when an admin acts for someone; fits the 200-character
    actor column whatever the names' lengths."""
    label = f"{doer} acting for {person}"
    if len(label) <= 200:
        return label
    return f"{_clip(doer, 90)} acting for {_clip(person, 95)}"


def _clip(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
