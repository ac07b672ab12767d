"""Reminders reach a person, and only the right one (docs/design.md §3 Email).

Escalations go to the theme lead, or to the plan lead when the owner leads the theme or
it has none, never to the owner; whoever cannot be reached is named by notify and check
and in the plan lead's digest; the HTML part says all the text part does.
"""

from __future__ import annotations

import html
import json
import re
from email.message import Message
from pathlib import Path

from tests.conftest import Invoke, sql
from tests.mailserver import TODAY, Collector, env_for, parts


def set_plan_lead(run: Invoke, name: str) -> None:
    result = run("plan", "update", "Peterborough", "--lead", name)
    assert result.exit_code == 0, result.output


def seed(run: Invoke, *, lead_email: bool = True) -> None:
    """Tom leads Care leavers and owns one of its actions, long overdue; Priya leads Front
    door, where Tom's Audit is long overdue; Quality has no lead; Sam has no email; Dana,
    the plan lead to be, owns a long-overdue action in no theme."""
    dana = ("--email", "dana@example.org") if lead_email else ()
    steps: list[tuple[str, ...]] = [
        ("person", "add", "Sam Jones"),
        ("person", "add", "Dana Reed", *dana),
        ("theme", "add", "Front door", "--lead", "Priya Natarajan"),
        ("theme", "add", "Care leavers", "--lead", "Tom Okafor"),
        ("theme", "add", "Quality"),
        ("action", "add", "Audit referrals", "--owner", "Tom Okafor", "--theme", "Front door",
         "--due", "2024-02-10"),
        ("action", "add", "Plan pathways", "--owner", "Tom Okafor", "--theme", "Care leavers",
         "--due", "2024-02-01"),
        ("action", "add", "Check files", "--owner", "Priya Natarajan", "--theme", "Quality",
         "--due", "2024-02-05"),
        ("action", "add", "Write policy", "--owner", "Sam Jones", "--theme", "Front door",
         "--due", "2024-02-28"),
        ("action", "add", "Own work", "--owner", "Dana Reed", "--due", "2024-02-01"),
    ]  # fmt: skip
    for args in steps:
        result = run(*args, env={"IMPROVEPLAN_TODAY": TODAY})
        assert result.exit_code == 0, result.output


def sent(handler: Collector) -> dict[tuple[str, str], Message]:
    """What each address received, by (address, "digest" or "escalation")."""
    found = {}
    for to, message in handler.messages():
        kind = "escalation" if message["Subject"].startswith("Escalation") else "digest"
        found[(to[0], kind)] = message
    return found


def test_escalations_reach_the_theme_lead_or_the_plan_lead_never_the_owner(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    seed(plan_run)
    set_plan_lead(plan_run, "Dana Reed")
    result = plan_run("notify", env=env_for(port))
    assert result.exit_code == 0, result.output
    assert result.stderr == "Not reached: Sam Jones (no email) — 1 action\nSent 5 messages.\n"
    assert result.stdout == (
        "Reminders for 2024-03-01                                            \n"
        "┏━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━┓\n"
        "┃ Plan         ┃ To                ┃ Kind       ┃ Actions ┃ Status ┃\n"
        "┡━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━┩\n"
        "│ Peterborough │ dana@example.org  │ digest     │ 5       │ sent   │\n"
        "│ Peterborough │ priya@example.org │ digest     │ 3       │ sent   │\n"
        "│ Peterborough │ tom@example.org   │ digest     │ 2, 1    │ sent   │\n"
        "│ Peterborough │ dana@example.org  │ escalation │ 2, 3    │ sent   │\n"
        "│ Peterborough │ priya@example.org │ escalation │ 1       │ sent   │\n"
        "└──────────────┴───────────────────┴────────────┴─────────┴────────┘\n"
    )
    got = sent(handler)
    assert ("tom@example.org", "escalation") not in got  # Tom leads Care leavers: Dana hears
    lead = parts(got[("dana@example.org", "escalation")])["text/plain"]
    assert lead.splitlines()[2] == (
        'As the plan lead, here are the actions of plan "Peterborough" overdue by more than'
        " 14 days as of 2024-03-01."
    )
    assert "- 2: Plan pathways — due 2024-02-01, 29 days overdue (owner Tom Okafor)" in lead
    assert "- 3: Check files — due 2024-02-05, 25 days overdue (owner Priya Natarajan)" in lead
    assert "Own work" not in lead  # Dana owns it: her digest has it, no escalation to herself
    theme = parts(got[("priya@example.org", "escalation")])["text/plain"]
    assert theme.splitlines()[2].startswith("As lead for Front door, here are the actions")


def test_the_plan_leads_digest_names_who_was_not_reached(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    seed(plan_run)
    set_plan_lead(plan_run, "Dana Reed")
    assert plan_run("notify", env=env_for(port)).exit_code == 0
    digest = sent(handler)[("dana@example.org", "digest")]
    assert digest["Subject"] == "Improvement plan Peterborough: 1 overdue, 1 not reached"
    assert parts(digest)["text/plain"].replace("\r\n", "\n") == (
        "Dear Dana Reed,\n"
        "\n"
        'Your actions in the improvement plan "Peterborough" as of 2024-03-01.\n'
        "\n"
        "OVERDUE (1)\n"
        "- 5: Own work — due 2024-02-01, 29 days overdue\n"
        "\n"
        "NOT REACHED (1)\n"
        "As the plan lead: these reminders could not be sent today.\n"
        "- Sam Jones (no email) — 1 action: 4\n"
        "\n"
        "Update an action with:  improveplan action update REF --status in_progress --note TEXT\n"
        "Mark it done with:      improveplan action done REF --evidence TEXT\n"
        "Give a person an email with:  improveplan person update NAME --email ADDRESS\n"
        "\n"
        "-- \n"
        "Sent by improveplan's nightly check. You get this reminder on a day something in it"
        " changes (at most once a day); while nothing changes, once a week.\n"
    )


def test_without_a_plan_lead_the_escalations_nobody_can_take_are_not_reached(
    plan_run: Invoke, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    seed(plan_run)
    result = plan_run("notify", env=env_for(port))
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Not reached: Sam Jones (no email) — 1 action\n"
        "Not reached: no plan lead — escalation of 3 actions\n"
        "Sent 4 messages.\n"
    )
    assert sorted(sent(handler)) == [
        ("dana@example.org", "digest"),
        ("priya@example.org", "digest"),
        ("priya@example.org", "escalation"),
        ("tom@example.org", "digest"),
    ]
    dry = plan_run("notify", "--dry-run", "--as-of", "2024-03-02", env=env_for(port))
    assert dry.stderr.splitlines() == [
        "Not reached: Sam Jones (no email) — 1 action",
        "Not reached: no plan lead — escalation of 3 actions",
    ]


def test_check_names_who_was_not_reached_in_text_and_json(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    _handler, port = smtp
    seed(plan_run, lead_email=False)
    set_plan_lead(plan_run, "Dana Reed")
    result = plan_run("check", "--notify", "--quiet", env=env_for(port))
    assert result.exit_code == 3, result.output
    assert result.stderr == (
        "Not reached: Dana Reed (no email) — 1 action\n"
        "Not reached: Sam Jones (no email) — 1 action\n"
        "Not reached: Dana Reed (no email) — escalation of 2 actions\n"
    )
    data = json.loads(plan_run("check", "--notify", "--format", "json", env=env_for(port)).stdout)
    assert data["not_reached"] == [
        {"plan": "Peterborough", "name": "Dana Reed", "reason": "no email", "kind": "digest",
         "actions": ["5"]},
        {"plan": "Peterborough", "name": "Sam Jones", "reason": "no email", "kind": "digest",
         "actions": ["4"]},
        {"plan": "Peterborough", "name": "Dana Reed", "reason": "no email",
         "kind": "escalation", "actions": ["2", "3"]},
    ]  # fmt: skip
    assert data["counts_recorded"] is True
    assert list(data) == [
        "as_of", "plans", "overdue", "notified", "warnings", "not_reached", "counts_recorded"
    ]  # fmt: skip


def test_a_theme_lead_without_email_is_passed_over_for_the_plan_lead(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    for args in (
        ("person", "add", "Sam Jones"),
        ("person", "add", "Dana Reed", "--email", "dana@example.org"),
        ("theme", "add", "Front door", "--lead", "Sam Jones"),
        ("action", "add", "Audit", "--owner", "Tom Okafor", "--theme", "Front door",
         "--due", "2024-02-10"),
    ):  # fmt: skip
        assert plan_run(*args, env={"IMPROVEPLAN_TODAY": TODAY}).exit_code == 0
    set_plan_lead(plan_run, "Dana Reed")
    result = plan_run("notify", env=env_for(port))
    assert result.stderr == (
        "Not reached: Sam Jones (no email) — escalation of 1 action\nSent 3 messages.\n"
    )
    got = sent(handler)
    assert sorted(got) == [
        ("dana@example.org", "digest"),  # only to say Sam was not reached
        ("dana@example.org", "escalation"),
        ("tom@example.org", "digest"),
    ]
    assert got[("dana@example.org", "digest")]["Subject"] == (
        "Improvement plan Peterborough: 1 not reached"
    )


def _lines_of_html(body: str) -> list[str]:
    """The HTML part as a reader sees it: one line per block, tags gone, entities read."""
    blocks = re.sub(r"<(br|/?p|/?li|/?ul|/?h2)\b[^>]*>", "\n", body)
    body_only = blocks[blocks.index("<body") :]
    plain = html.unescape(re.sub(r"<[^>]+>", "", body_only))
    return [" ".join(line.split()).casefold() for line in plain.splitlines() if line.strip()]


def _facts_of_text(body: str) -> list[str]:
    """Every line of the text part that says something (the signature's `-- ` does not)."""
    lines = [" ".join(line.split()) for line in body.splitlines()]
    return [line.removeprefix("- ").casefold() for line in lines if line and line != "--"]


def test_the_html_part_says_everything_the_text_part_says(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    seed(plan_run)
    set_plan_lead(plan_run, "Dana Reed")
    assert plan_run("action", "add", "Train <staff>", "--owner", "Tom Okafor",
                    "--due", "2024-03-05", env={"IMPROVEPLAN_TODAY": TODAY}).exit_code == 0  # fmt: skip
    assert plan_run("notify", env=env_for(port)).exit_code == 0
    assert len(handler.envelopes) == 5
    for _to, message in handler.messages():
        bodies = parts(message)
        shown = _lines_of_html(bodies["text/html"])
        for fact in _facts_of_text(bodies["text/plain"]):
            assert fact in shown, (message["Subject"], fact)
        assert "&lt;" in bodies["text/html"] or "Train" not in bodies["text/plain"]


def _two_owners(run: Invoke) -> None:
    for args in (
        ("action", "add", "Train staff", "--owner", "Tom Okafor", "--due", "2024-03-05"),
        ("action", "add", "Recruit", "--owner", "Priya Natarajan", "--due", "2024-03-10"),
    ):
        assert run(*args, env={"IMPROVEPLAN_TODAY": TODAY}).exit_code == 0


def test_an_unchanged_digest_is_sent_again_only_weekly(
    plan_run: Invoke, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    _two_owners(plan_run)

    def day(date: str) -> list[str]:
        result = plan_run("notify", env=env_for(port, date))
        assert result.exit_code == 0, result.output
        return [line.split("│")[5].strip() for line in result.stdout.splitlines() if "@" in line]

    assert day("2024-03-01") == ["sent", "sent"]  # Priya, Tom
    assert day("2024-03-02") == ["unchanged", "unchanged"]
    update = ("action", "update", "1", "--status", "in_progress")
    assert plan_run(*update, env={"IMPROVEPLAN_TODAY": "2024-03-03"}).exit_code == 0
    assert day("2024-03-03") == ["unchanged", "sent"]  # Tom's action moved on
    assert day("2024-03-04") == ["unchanged", "unchanged"]
    assert day("2024-03-07") == ["unchanged", "sent"]  # Tom's is overdue now: red
    assert day("2024-03-08") == ["sent", "unchanged"]  # a week since Priya's last one
    assert len(handler.envelopes) == 5


def test_resend_unchanged_days_from_config_and_environment(
    plan_run: Invoke, smtp: tuple[Collector, int], tmp_path: Path
) -> None:
    handler, port = smtp
    _two_owners(plan_run)
    config = tmp_path / "config.toml"
    config.write_text("[notify]\nresend_unchanged_days = 2\n", "utf-8")
    every_day = {"IMPROVEPLAN_CONFIG": str(config), "IMPROVEPLAN_NOTIFY_RESEND_UNCHANGED_DAYS": "0"}
    from_file = {"IMPROVEPLAN_CONFIG": str(config)}
    for date, env, sent_now in (
        ("2024-03-01", from_file, 2),
        ("2024-03-02", from_file, 0),
        ("2024-03-03", from_file, 2),  # two days on
        ("2024-03-04", every_day, 2),  # the environment wins: every day
    ):
        before = len(handler.envelopes)
        result = plan_run("notify", env=env_for(port, date) | env)
        assert result.exit_code == 0, result.output
        assert len(handler.envelopes) - before == sent_now, date
    footers = [parts(m)["text/plain"].splitlines()[-1] for _, m in handler.messages()]
    assert footers[0] == (
        "Sent by improveplan's nightly check. You get this reminder on a day something in it"
        " changes (at most once a day); while nothing changes, every 2 days."
    )
    assert footers[-1] == (
        "Sent by improveplan's nightly check. You get this reminder every day something in"
        " it is due or overdue."
    )
    html_footer = parts(handler.messages()[-1][1])["text/html"]
    assert "You get this reminder every day something in it is due or overdue." in html_footer


def test_an_action_with_no_owner_is_not_reached_but_still_escalated(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    seed(plan_run)
    set_plan_lead(plan_run, "Dana Reed")
    sql(db_url, "UPDATE action SET owner_id = NULL WHERE ref = '1'")  # as a removed owner leaves it
    result = plan_run("notify", env=env_for(port))
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Not reached: Sam Jones (no email) — 1 action\n"
        "Not reached: no owner — 1 action\n"
        "Sent 5 messages.\n"
    )
    got = sent(handler)
    theme = parts(got[("priya@example.org", "escalation")])["text/plain"]
    assert "- 1: Audit referrals — due 2024-02-10, 20 days overdue (no owner)" in theme
    lead = parts(got[("dana@example.org", "digest")])["text/plain"]
    assert "- no owner — 1 action: 1" in lead


def test_quiet_still_names_who_was_not_reached(
    plan_run: Invoke, smtp: tuple[Collector, int]
) -> None:
    _handler, port = smtp
    for args in (
        ("person", "add", "Sam Jones"),
        ("action", "add", "Write policy", "--owner", "Sam Jones", "--due", "2024-03-04"),
    ):
        assert plan_run(*args, env={"IMPROVEPLAN_TODAY": TODAY}).exit_code == 0
    result = plan_run("check", "--notify", "--quiet", env=env_for(port))
    assert result.exit_code == 0
    assert result.stderr == (
        "No reminders due today.\nNot reached: Sam Jones (no email) — 1 action\n"
    )
    assert "Nothing overdue as of 2024-03-01." in result.stdout


def test_a_run_over_several_plans_says_which_plan(
    plan_run: Invoke, smtp: tuple[Collector, int]
) -> None:
    _handler, port = smtp
    for args in (
        ("person", "add", "Sam Jones"),
        ("plan", "add", "Fenland", "--authority", "Fenland District Council"),
        ("--plan", "Fenland", "action", "add", "Map", "--owner", "Sam Jones", "--due", "2024-03-04"),
        ("--plan", "Peterborough", "action", "add", "Write", "--owner", "Sam Jones",
         "--due", "2024-03-04"),
    ):  # fmt: skip
        assert plan_run(*args, env={"IMPROVEPLAN_TODAY": TODAY}).exit_code == 0
    result = plan_run("notify", env=env_for(port))
    assert result.stderr.splitlines() == [
        "No reminders due on 2024-03-01.",
        "Not reached: Sam Jones (no email) — 1 action in Fenland",
        "Not reached: Sam Jones (no email) — 1 action in Peterborough",
        "Sent 0 messages.",
    ]
    one = plan_run("--plan", "Fenland", "notify", env=env_for(port))
    assert one.stderr.splitlines()[1] == "Not reached: Sam Jones (no email) — 1 action"
