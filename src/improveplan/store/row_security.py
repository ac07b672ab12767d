"""The SQL of `access setup`: PostgreSQL's group role, privileges and row-level security.

Everything here is text for PostgreSQL only (docs/design.md §4: no dialect SQL outside
`store/`). The tables come from `models.metadata`, so a table added later is covered or
the test naming every table fails. Policies ask SECURITY DEFINER functions who the
session's person is and what they hold in a plan: the functions read `person` and
`access_grant` as their owner, so a policy never recurses through row-level security,
and their fixed search_path keeps a member's own objects out of them. Each statement is
safe to run again: roles are created only when missing, functions are replaced, policies
dropped first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from improveplan.domain.vocab import Role
from improveplan.store.models import metadata

GROUP = "improveplan_member"
PREFIX = "improveplan_"
AUDIT = "audit_event"
VERSIONS = "alembic_version"
SETUP_LOCK = (0x1A7E, 0x5E7)  # advisory-lock key: two setups never race to CREATE ROLE

# Tables whose rows belong to a plan through their own plan_id, written by its admins.
ADMIN_WRITTEN = (
    "theme",
    "recommendation",
    "inspection",
    "notice",
    "measure",
    "notification",
    "daily_count",
)


@dataclass(frozen=True, slots=True)
class Policy:
    """One policy: `improveplan_<table>_<what>`, for the group's members only."""

    table: str
    what: str
    command: str  # SELECT, INSERT, UPDATE, DELETE or ALL
    using: str | None = None
    check: str | None = None

    @property
    def name(self) -> str:
        return f"{PREFIX}{self.table}_{self.what}"

    def statements(self, schema: str) -> list[str]:
        on = f'{schema}."{self.table}"'
        sql = f"CREATE POLICY {self.name} ON {on} FOR {self.command} TO {GROUP}"
        if self.using is not None:
            sql += f" USING ({self.using})"
        if self.check is not None:
            sql += f" WITH CHECK ({self.check})"
        return [f"DROP POLICY IF EXISTS {self.name} ON {on}", sql]


def tables() -> list[str]:
    """Every improveplan table, parents first (alembic_version is not one of them)."""
    return [table.name for table in metadata.sorted_tables]


def serial_tables() -> list[str]:
    """The tables whose `id` is drawn from a sequence."""
    return [
        t.name
        for t in metadata.sorted_tables
        if "id" in t.c and t.c["id"].primary_key and t.c["id"].autoincrement in (True, "auto")
    ]


# --- the functions policies call ------------------------------------------------------

_GRANTS_OF_ME = (
    "FROM access_grant g JOIN person me ON me.id = g.person_id WHERE me.login = session_user::text"
)
_ADMIN = f"g.role = '{Role.admin.value}'"
_LEAD = f"(g.role = '{Role.lead.value}' AND a_theme IS NOT NULL AND g.theme_id = a_theme)"
_OWNER = (
    f"(g.role IN ('{Role.manager.value}', '{Role.lead.value}') "
    "AND a_owner IS NOT NULL AND a_owner = me.id)"
)


def _exists(where: str) -> str:
    return f"SELECT EXISTS (SELECT 1 {_GRANTS_OF_ME} AND {where})"


# name, arguments, result, body: what a policy may ask about the session's login.
FUNCTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("person", "", "integer", "SELECT id FROM person WHERE login = session_user::text"),
    ("in_plan", "a_plan integer", "boolean", _exists("g.plan_id = a_plan")),
    ("admin_of", "a_plan integer", "boolean", _exists(f"g.plan_id = a_plan AND {_ADMIN}")),
    (
        "leads", "a_plan integer, a_theme integer", "boolean",
        _exists(f"g.plan_id = a_plan AND ({_ADMIN} OR {_LEAD})"),
    ),
    (
        "may_change", "a_plan integer, a_theme integer, a_owner integer", "boolean",
        _exists(f"g.plan_id = a_plan AND ({_ADMIN} OR {_LEAD} OR {_OWNER})"),
    ),
    ("admin_somewhere", "", "boolean", _exists(_ADMIN)),
    (
        "works_in", "a_plan integer", "boolean",
        _exists(f"g.plan_id = a_plan AND g.role <> '{Role.viewer.value}'"),
    ),
    (
        "leads_in", "a_plan integer", "boolean",
        _exists(f"g.plan_id = a_plan AND g.role IN ('{Role.admin.value}', '{Role.lead.value}')"),
    ),
)  # fmt: skip


def function_statements(schema: str) -> list[str]:
    """CREATE OR REPLACE each function: STABLE, SECURITY DEFINER, search_path fixed,
    callable by the group only."""
    out: list[str] = []
    for name, args, result, body in FUNCTIONS:
        qualified = f"{schema}.{PREFIX}{name}({args})"
        out.append(
            f"CREATE OR REPLACE FUNCTION {qualified} RETURNS {result} LANGUAGE sql STABLE "
            f"SECURITY DEFINER SET search_path = {schema}, pg_temp AS $body$ {body} $body$"
        )
        signature = f"{schema}.{PREFIX}{name}({_types(args)})"
        out.append(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        out.append(f"GRANT EXECUTE ON FUNCTION {signature} TO {GROUP}")
    return out


def _types(args: str) -> str:
    return ", ".join(arg.split()[1] for arg in args.split(", ")) if args else ""


def _f(name: str, *args: str) -> str:
    return f"{PREFIX}{name}({', '.join(args)})"


# --- policies -------------------------------------------------------------------------


def _via(parent: str, key: str, child: str, test: Callable[[str], str]) -> str:
    """A row reached through its parent's plan: `test` of the parent row `x`."""
    return f'EXISTS (SELECT 1 FROM "{parent}" x WHERE x.id = "{child}".{key} AND {test("x")})'


def _member(alias: str) -> str:
    return _f("in_plan", f"{alias}.plan_id")


def _admin(alias: str) -> str:
    return _f("admin_of", f"{alias}.plan_id")


def _changes(alias: str) -> str:
    return _f("may_change", f"{alias}.plan_id", f"{alias}.theme_id", f"{alias}.owner_id")


def _leads(alias: str) -> str:
    return _f("leads", f"{alias}.plan_id", f"{alias}.theme_id")


def _plan_owned(table: str) -> list[Policy]:
    """Read by the plan's members, written by its admins."""
    admin = _f("admin_of", "plan_id")
    return [
        Policy(table, "read", "SELECT", using=_f("in_plan", "plan_id")),
        Policy(table, "write", "ALL", using=admin, check=admin),
    ]


def _child(table: str, parent: str, key: str) -> list[Policy]:
    """Read and written as the parent row's plan says (judgement, measure_value)."""
    admin = _via(parent, key, table, _admin)
    return [
        Policy(table, "read", "SELECT", using=_via(parent, key, table, _member)),
        Policy(table, "write", "ALL", using=admin, check=admin),
    ]


def _action_policies() -> list[Policy]:
    """Leads add and remove their theme's actions; whoever may change an action changes
    it, before and after (so a manager can neither touch another owner's action nor hand
    theirs to someone else). Links and notes are written as their action is changed."""
    mine = _f("may_change", "plan_id", "theme_id", "owner_id")
    leads = _f("leads", "plan_id", "theme_id")
    link_changes = _via("action", "action_id", "action_recommendation", _changes)
    note_changes = _via("action", "action_id", "progress_note", _changes)
    return [
        Policy("action", "read", "SELECT", using=_f("in_plan", "plan_id")),
        Policy("action", "add", "INSERT", check=leads),
        Policy("action", "change", "UPDATE", using=mine, check=mine),
        Policy("action", "remove", "DELETE", using=leads),
        Policy(
            "action_recommendation", "read", "SELECT",
            using=_via("action", "action_id", "action_recommendation", _member),
        ),
        Policy("action_recommendation", "write", "ALL", using=link_changes, check=link_changes),
        Policy(
            "progress_note", "read", "SELECT",
            using=_via("action", "action_id", "progress_note", _member),
        ),
        # Notes are evidence: added by whoever may change the action, never edited, and
        # deleted only with their action (by whoever may remove it).
        Policy("progress_note", "add", "INSERT", check=note_changes),
        Policy(
            "progress_note", "remove", "DELETE",
            using=_via("action", "action_id", "progress_note", _leads),
        ),
    ]  # fmt: skip


def policies() -> list[Policy]:
    """Every policy `access setup` creates, table by table."""
    in_plan_or_none = f"plan_id IS NULL OR {_f('in_plan', 'plan_id')}"
    found: list[Policy] = [
        Policy("plan", "read", "SELECT", using=_f("in_plan", "id")),
        # USING lets members lock their plan's row (FOR UPDATE, as adding an action does
        # to allocate its ref); only the new row an admin writes passes WITH CHECK.
        Policy("plan", "change", "UPDATE", using=_f("in_plan", "id"), check=_f("admin_of", "id")),
        Policy("person", "read", "SELECT", using="true"),
        Policy("person", "write", "ALL", using=_f("admin_somewhere"), check=_f("admin_somewhere")),
        Policy("access_grant", "read", "SELECT", using="true"),
        Policy(
            "access_grant", "write", "ALL",
            using=_f("admin_of", "plan_id"), check=_f("admin_of", "plan_id"),
        ),
        Policy(AUDIT, "read", "SELECT", using=in_plan_or_none),
        Policy(AUDIT, "add", "INSERT", check=in_plan_or_none),
        # The standard milestones are stored when an action is first linked to one, by
        # whoever may change actions; only admins change or remove them after that.
        Policy("milestone", "read", "SELECT", using=_f("in_plan", "plan_id")),
        Policy("milestone", "add", "INSERT", check=_f("works_in", "plan_id")),
        Policy(
            "milestone", "change", "UPDATE",
            using=_f("works_in", "plan_id"), check=_f("works_in", "plan_id"),
        ),
        Policy("milestone", "remove", "DELETE", using=_f("admin_of", "plan_id")),
        # A lead removing an action of their theme keeps its ref from reuse.
        Policy("removed_action", "read", "SELECT", using=_f("in_plan", "plan_id")),
        Policy("removed_action", "add", "INSERT", check=_f("leads_in", "plan_id")),
        *_child("judgement", "inspection", "inspection_id"),
        *_child("measure_value", "measure", "measure_id"),
        *_action_policies(),
    ]  # fmt: skip
    for table in ADMIN_WRITTEN:
        found.extend(_plan_owned(table))
    return found


def privilege_statements(schema: str) -> list[str]:
    """What the group may do at all; row-level security then narrows it to rows."""
    out = [f"GRANT USAGE ON SCHEMA {schema} TO {GROUP}"]
    for table in tables():
        what = "SELECT, INSERT" if table == AUDIT else "SELECT, INSERT, UPDATE, DELETE"
        out.append(f'REVOKE ALL ON {schema}."{table}" FROM {GROUP}')
        out.append(f'GRANT {what} ON {schema}."{table}" TO {GROUP}')
    out.append(f'REVOKE ALL ON {schema}."{VERSIONS}" FROM {GROUP}')
    out.append(f'GRANT SELECT ON {schema}."{VERSIONS}" TO {GROUP}')
    return out


def sequence_query(schema: str) -> str:
    """The sequences behind the serial ids, by name (qualified and quoted as needed)."""
    literal = schema.replace("'", "''")
    parts = [f"pg_get_serial_sequence('{literal}.\"{t}\"', 'id')" for t in serial_tables()]
    return "SELECT s FROM unnest(ARRAY[" + ", ".join(parts) + "]) AS s WHERE s IS NOT NULL"


def sequence_statements(sequences: list[str]) -> list[str]:
    return [f"GRANT USAGE, SELECT ON SEQUENCE {s} TO {GROUP}" for s in sequences]


def security_statements(schema: str) -> list[str]:
    """Row-level security on, then each table's policies (dropped first)."""
    out = [f'ALTER TABLE {schema}."{t}" ENABLE ROW LEVEL SECURITY' for t in tables()]
    for policy in policies():
        out.extend(policy.statements(schema))
    return out
