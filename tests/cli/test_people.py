"""person update, show and remove: corrections, names as typed, reassignment, the trail."""

from __future__ import annotations

import json

from tests.cli.test_actions import TODAY, add, audit_count
from tests.conftest import Invoke, sql


def lines(text: str) -> list[str]:
    """Output lines without the padding rich puts after a table's title."""
    return [line.rstrip() for line in text.splitlines()]


def person_events(url: str) -> list[tuple[str, str, str | None, str | None]]:
    return [
        tuple(r)
        for r in sql(
            url,
            "SELECT actor, field, old_value, new_value FROM audit_event "
            "WHERE entity = 'person' AND field <> 'import' ORDER BY id",
        )
    ]


def owned(plan_run: Invoke) -> None:
    """Tom owns two actions and leads the theme and the plan."""
    assert plan_run("theme", "add", "Care leavers", "--lead", "Tom Okafor").exit_code == 0
    add(plan_run, "Audit case files", "--due", "2025-04-01", "--theme", "Care leavers",
        owner="tom okafor")  # fmt: skip
    add(plan_run, "Recruit staff", "--due", "2025-03-20", owner="Tom Okafor")
    add(plan_run, "Train managers", "--due", "2025-05-01")
    assert plan_run("action", "update", "2", "--status", "in-progress").exit_code == 0
    assert plan_run("plan", "update", "Peterborough", "--lead", "Tom Okafor").exit_code == 0


def test_update_corrects_fields_and_audits_each(plan_run: Invoke, db_url: str) -> None:
    plan_run("person", "add", "Sam Reed")
    result = plan_run(
        "person", "update", "sam  REED", "--email", "sam@example.org", "--role", "Director",
        user="Ann Admin",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "Person Sam Reed: email — → sam@example.org; role — → Director.\n"
    cleared = plan_run("person", "update", "Sam Reed", "--role", "", "--name", "Samuel Reed")
    assert cleared.stderr == "Person Samuel Reed: name Sam Reed → Samuel Reed; role Director → —.\n"
    same = plan_run("person", "update", "samuel reed", "--email", "sam@example.org")
    assert same.stderr == "Person Samuel Reed: nothing changed.\n"
    assert sql(db_url, "SELECT name, email, role, team FROM person WHERE email LIKE 'sam%'") == [
        ("Samuel Reed", "sam@example.org", None, None)
    ]
    assert person_events(db_url)[-5:] == [
        ("tester", "name", None, "Sam Reed"),
        ("Ann Admin", "email", None, "sam@example.org"),
        ("Ann Admin", "role", None, "Director"),
        ("tester", "name", "Sam Reed", "Samuel Reed"),
        ("tester", "role", "Director", None),
    ]


def test_update_refuses_a_folded_duplicate_and_nothing_asked(plan_run: Invoke, db_url: str) -> None:
    before = audit_count(db_url)
    dup = plan_run("person", "update", "Tom Okafor", "--name", "PRIYA   natarajan")
    assert dup.exit_code == 1
    assert dup.stderr == (
        'Error: a person named "Priya Natarajan" already exists — names are unique\n'
    )
    recased = plan_run("person", "update", "Tom Okafor", "--name", "tom okafor")
    assert recased.stderr == "Person tom okafor: name Tom Okafor → tom okafor.\n"
    nothing = plan_run("person", "update", "Tom Okafor")
    assert nothing.exit_code == 1
    assert nothing.stderr == (
        'Error: nothing to change for "Tom Okafor" — give --name, --email, --role or --team\n'
    )
    bad = plan_run("person", "update", "Tom Okafor", "--email", "not an address")
    assert bad.exit_code == 1
    assert bad.stderr == (
        "Error: 'not an address' is not an email address — give one address, such as "
        "ann@example.org\n"
    )
    unknown = plan_run("person", "update", "Tom Okafr", "--team", "X")
    assert unknown.stderr == (
        'Error: no person named "Tom Okafr" — Did you mean "tom okafor"? '
        "Add them with improveplan person add\n"
    )
    assert audit_count(db_url) == before + 1


def test_add_refuses_a_name_differing_only_by_case_or_spaces(plan_run: Invoke) -> None:
    plan_run("person", "add", "Émile Zola")
    for typed in ("ÉMILE ZOLA", "émile   zola", " Émile\tZola "):
        result = plan_run("person", "add", typed)
        assert (result.exit_code, result.stderr) == (
            1,
            'Error: a person named "Émile Zola" already exists — names are unique\n',
        )
    found = plan_run("person", "update", "émile zola", "--team", "Writers")
    assert found.stderr == "Person Émile Zola: team — → Writers.\n"


def test_show_lists_actions_and_what_they_lead(plan_run: Invoke) -> None:
    owned(plan_run)
    result = plan_run("person", "show", "TOM  okafor")
    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == [
        "┏━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓",
        "┃ Person       ┃ Tom Okafor      ┃",
        "┡━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩",
        "│ Email        │ tom@example.org │",
        "│ Team         │ Care Leavers    │",
        "│ Leads themes │ Care leavers    │",
        "│ Leads plans  │ Peterborough    │",
        "└──────────────┴─────────────────┘",
        "Actions",
        "┏━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━┓",
        "┃ Ref ┃ Title            ┃ Status      ┃ Due        ┃",
        "┡━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━┩",
        "│ 2   │ Recruit staff    │ in progress │ 2025-03-20 │",
        "│ 1   │ Audit case files │ not started │ 2025-04-01 │",
        "└─────┴──────────────────┴─────────────┴────────────┘",
    ]
    data = json.loads(plan_run("person", "show", "tom okafor", "--format", "json").stdout)
    assert data == {
        "name": "Tom Okafor",
        "email": "tom@example.org",
        "role": None,
        "team": "Care Leavers",
        "actions": [
            {
                "plan": "Peterborough",
                "ref": "2",
                "title": "Recruit staff",
                "status": "in_progress",
                "due": "2025-03-20",
            },
            {
                "plan": "Peterborough",
                "ref": "1",
                "title": "Audit case files",
                "status": "not_started",
                "due": "2025-04-01",
            },
        ],
        "themes": [{"plan": "Peterborough", "name": "Care leavers"}],
        "plans": ["Peterborough"],
    }
    csv_out = plan_run("person", "show", "Tom Okafor", "--format", "csv").stdout
    assert csv_out.splitlines() == [
        "plan,ref,title,status,due",
        "Peterborough,2,Recruit staff,in_progress,2025-03-20",
        "Peterborough,1,Audit case files,not_started,2025-04-01",
    ]


def test_show_of_someone_with_nothing_and_no_email(plan_run: Invoke) -> None:
    plan_run("person", "add", "Sam Reed", "--role", "Director")
    result = plan_run("person", "show", "sam reed")
    assert lines(result.stdout) == [
        "┏━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ Person ┃ Sam Reed                       ┃",
        "┡━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ Email  │ none — no reminders reach them │",
        "│ Role   │ Director                       │",
        "└────────┴────────────────────────────────┘",
    ]
    assert result.stderr == "Sam Reed owns no actions.\n"


def test_remove_is_refused_while_they_own_actions(plan_run: Invoke, db_url: str) -> None:
    owned(plan_run)
    before = audit_count(db_url)
    result = plan_run("person", "remove", "Tom Okafor")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Tom Okafor owns 2 actions — give --reassign-to PERSON to move them to who "
        'takes over (improveplan person show "Tom Okafor" lists them)\n'
    )
    themselves = plan_run("person", "remove", "Tom Okafor", "--reassign-to", "TOM OKAFOR")
    assert themselves.stderr == (
        "Error: Tom Okafor cannot take over from themselves — give --reassign-to the person "
        "who takes over\n"
    )
    assert audit_count(db_url) == before
    assert sql(db_url, "SELECT count(*) FROM person") == [(2,)]


def test_remove_with_reassign_moves_actions_and_leads(plan_run: Invoke, db_url: str) -> None:
    owned(plan_run)
    versions = dict(sql(db_url, "SELECT ref, version FROM action"))
    result = plan_run(
        "person", "remove", "tom okafor", "--reassign-to", "priya natarajan", user="Ann Admin"
    )
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "Moved 2 actions to Priya Natarajan.\n"
        'Theme "Care leavers" is now led by Priya Natarajan.\n'
        'Plan "Peterborough" is now led by Priya Natarajan.\n'
        "Removed Tom Okafor.\n"
    )
    assert sql(
        db_url,
        "SELECT a.ref, p.name, a.version FROM action a JOIN person p ON p.id = a.owner_id "
        "ORDER BY a.ref",
    ) == [
        ("1", "Priya Natarajan", versions["1"] + 1),
        ("2", "Priya Natarajan", versions["2"] + 1),
        ("3", "Priya Natarajan", versions["3"]),
    ]
    history = json.loads(plan_run("action", "history", "2", "--format", "json").stdout)
    assert [(e["who"], e["what"], e["from"], e["to"]) for e in history[-1:]] == [
        ("Ann Admin", "owner", "Tom Okafor", "Priya Natarajan")
    ]
    assert sql(
        db_url,
        "SELECT entity, field, old_value, new_value FROM audit_event "
        "WHERE actor = 'Ann Admin' AND entity <> 'action' ORDER BY id",
    ) == [
        ("theme", "lead", "Tom Okafor", "Priya Natarajan"),
        ("plan", "lead", "Tom Okafor", "Priya Natarajan"),
        ("person", "name", "Tom Okafor", None),
        ("person", "email", "tom@example.org", None),
        ("person", "team", "Care Leavers", None),
    ]
    assert sql(db_url, "SELECT name FROM person") == [("Priya Natarajan",)]
    leads = json.loads(plan_run("plan", "show", "--format", "json").stdout)["lead"]
    assert leads == "Priya Natarajan"


def test_remove_without_actions_clears_their_leads(plan_run: Invoke, db_url: str) -> None:
    plan_run("theme", "add", "Care leavers", "--lead", "Tom Okafor")
    plan_run("plan", "update", "Peterborough", "--lead", "Tom Okafor")
    result = plan_run("person", "remove", "Tom Okafor")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        'Warning: Theme "Care leavers" has no lead now — name one with improveplan theme '
        'update "Care leavers" --lead PERSON.\n'
        'Warning: Plan "Peterborough" has no lead now — name one with improveplan plan '
        'update "Peterborough" --lead PERSON.\n'
        "Removed Tom Okafor.\n"
    )
    assert sql(db_url, "SELECT lead_id FROM theme UNION ALL SELECT lead_id FROM plan") == [
        (None,),
        (None,),
    ]
    assert sql(
        db_url,
        "SELECT entity, old_value, new_value FROM audit_event WHERE field = 'lead' "
        "AND old_value IS NOT NULL ORDER BY id",
    ) == [("theme", "Tom Okafor", None), ("plan", "Tom Okafor", None)]
    again = plan_run("person", "remove", "Tom Okafor")
    assert again.stderr == (
        'Error: no person named "Tom Okafor" — add them first with improveplan person add NAME\n'
    )


def test_owner_lookups_fold_names(plan_run: Invoke) -> None:
    add(plan_run, "Audit", "--due", "2025-04-01", owner="  TOM   okafor ")
    listed = plan_run("action", "list", "--owner", "tom  okafor", "--format", "json", env=TODAY)
    assert [a["owner"] for a in json.loads(listed.stdout)] == ["Tom Okafor"]
