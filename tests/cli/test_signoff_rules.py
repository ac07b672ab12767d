"""Sign-off by someone else (issue 13): nobody signs off an action they own or completed,
unless the plan allows self sign-off (very small teams); both databases."""

from __future__ import annotations

from tests import access_world
from tests.access_world import PLAN, THEME_A, World, dump, grant, ok
from tests.conftest import sql

access = access_world.access  # the fixtures
pg_world_db = access_world.pg_world_db

TODO = "sign-off must come from its theme lead or a plan admin"


def _status(world: World, ref: str) -> str:
    return str(sql(world.url, "SELECT status FROM action WHERE ref = :r", r=ref)[0][0])


def _leo_owns(world: World, ref: str) -> None:
    """A new action of theme A owned by Leo Lead, added by the admin."""
    ok(world.as_("admin")("action", "add", f"Leo's {ref}", "--owner", "Leo Lead", "--due",
                          "2030-06-30", "--theme", THEME_A, "--ref", ref))  # fmt: skip


def _refused(world: World, key: str, args: tuple[str, ...], message: str) -> None:
    before = dump(world.url)
    result = world.as_(key)(*args)
    assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    assert dump(world.url) == before


def test_the_completer_may_not_sign_off(access: World) -> None:
    _leo_owns(access, "5")
    ok(access.as_("lead")("action", "done", "5"))
    _refused(access, "lead", ("action", "signoff", "5"), f"Leo Lead completed action 5 — {TODO}")
    update = ("action", "update", "5", "--status", "signed_off")
    _refused(access, "lead", update, f"Leo Lead completed action 5 — {TODO}")
    ok(access.as_("lead")("action", "done", "3"))  # Olu's action, completed by its lead
    _refused(access, "lead", ("action", "signoff", "3"), f"Leo Lead completed action 3 — {TODO}")
    ok(access.as_("admin")("action", "signoff", "3"))
    assert _status(access, "3") == "signed_off"


def test_the_owner_may_not_sign_off_what_another_completed(access: World) -> None:
    _leo_owns(access, "6")
    ok(access.as_("admin")("action", "done", "6"))
    _refused(access, "lead", ("action", "signoff", "6"), f"Leo Lead owns action 6 — {TODO}")
    _refused(access, "admin", ("action", "signoff", "6"), f"Ada Admin completed action 6 — {TODO}")


def test_another_lead_or_an_admin_signs_off(access: World) -> None:
    _leo_owns(access, "5")
    ok(access.as_("lead")("action", "done", "5"))
    grant(access.url, "lead_b", "lead", THEME_A)  # Lee Other leads theme A too
    ok(access.as_("lead_b")("action", "signoff", "5"))
    assert _status(access, "5") == "signed_off"
    ok(access.as_("lead")("action", "signoff", "4"))  # completed and owned by Olu
    assert _status(access, "4") == "signed_off"


def test_a_plan_may_allow_self_signoff(access: World) -> None:
    _leo_owns(access, "5")
    ok(access.as_("lead")("action", "done", "5"))
    _refused(
        access, "lead", ("plan", "update", PLAN, "--allow-self-signoff"),
        f"Leo Lead is a lead of plan {PLAN} and may not run plan update — a plan admin can "
        "(improveplan access list shows them)",
    )  # fmt: skip
    assert ok(access.as_("admin")("plan", "update", PLAN, "--allow-self-signoff")) == ""
    events = sql(
        access.url,
        "SELECT actor, entity, field, old_value, new_value FROM audit_event "
        "WHERE field = 'allow_self_signoff'",
    )
    assert events == [("Ada Admin", "plan", "allow_self_signoff", "false", "true")]
    ok(access.as_("lead")("action", "signoff", "5"))
    assert _status(access, "5") == "signed_off"
    assert "allow_self_signoff" in ok(access.as_("viewer")("plan", "show", "--format", "json"))
    ok(access.as_("admin")("plan", "update", PLAN, "--no-allow-self-signoff"))
    ok(access.as_("admin")("action", "done", "1"))
    _refused(access, "admin", ("action", "signoff", "1"), f"Ada Admin completed action 1 — {TODO}")
