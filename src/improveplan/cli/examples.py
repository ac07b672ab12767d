"""The examples that end every `--help`, as gh's and git's do: a command line a user can
type against the demo plan (`improveplan demo`, as of 31 March 2025), and what it does.

Kept apart from the commands so that they read as one set, in one voice, and so that
tests/cli/test_help_examples.py can run every one of them against a copy of the demo.
Only click is imported: the examples are appended as each command module loads.
"""

from __future__ import annotations

import textwrap

import click

HEADING = "Examples:"
COMMAND_INDENT = "  "
TEXT_INDENT = "      "
TEXT_WIDTH = 70
"""Click indents the epilog by 2 and fits help to 78 columns (80 less its margin), so a
description at column 8 wraps at 70; a command line must fit in 74."""

# Keyed by command path ("" is `improveplan` itself): (command line, what it does).
# fmt: off
EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "": (
        ("improveplan demo",
         "Builds the sample Peterborough plan in improveplan-demo.db and shows "
         "its RAG by theme and what is overdue on 31 March 2025."),
        ("improveplan --plan Peterborough status --as-of 2025-03-31",
         "Where the plan called Peterborough stood at the end of March."),
        ('improveplan action list --mine --user "Sarah Whitfield"',
         "The actions Sarah Whitfield owns; --db, --plan and --user go before "
         "the command or after it."),
    ),
    "access": (
        ('improveplan access grant "Sarah Whitfield" lead --theme "Care leavers"',
         "Sarah Whitfield may now change every action of the Care leavers theme."),
        ("improveplan access list",
         "Who holds which role in the plan, by role then name."),
    ),
    "access grant": (
        ('improveplan access grant "Helen Marsh" admin',
         'Prints "Granted Helen Marsh admin in plan Peterborough."'),
        ('improveplan access grant "Sarah Whitfield" lead --theme "Care leavers"',
         "She may now update, complete and sign off the theme's actions."),
        ('improveplan access grant "Gareth Lloyd" manager',
         "He may update, note and complete the actions he owns."),
    ),
    "access list": (
        ("improveplan access list",
         "Each grant in the plan: person, login, role and a lead's theme."),
        ("improveplan access list --all --format csv",
         "The grants of every plan you may read, as CSV."),
    ),
    "access revoke": (
        ('improveplan access revoke "Gareth Lloyd" manager',
         'Prints "Revoked Gareth Lloyd manager in plan Peterborough."'),
        ('improveplan access revoke "Sarah Whitfield"',
         "Takes away every role Sarah Whitfield holds in the plan."),
    ),
    "access setup": (
        ("improveplan access setup",
         "Creates the role improveplan_member, grants it the tables and turns on "
         "row-level security; safe to run again after each db upgrade."),
        ("improveplan access setup --format json",
         "The same, saying what it did as JSON for a deployment script."),
    ),
    "action": (
        ('improveplan action list --owner "Sarah Whitfield"',
         "Sarah Whitfield's actions, soonest due first."),
        ('improveplan action update 3 --status blocked --reason "Housing delay"',
         "Marks action 3 blocked; the reason goes in its history."),
    ),
    "action add": (
        ('improveplan action add "Audit EHE visits" --owner "Mark Ellison" --due eom',
         'On 31 March 2025 prints "Added action 29: Audit EHE visits (owner Mark '
         'Ellison, due 2025-03-31)."'),
        ('improveplan action add "Chronology audit" --owner "Aisha Rahman" --due +3m',
         "Due three months from today."),
        ('improveplan action add "Staff survey" --owner "Daniel Okoye" --due +10wd',
         "Due in ten working days, skipping weekends and bank holidays."),
    ),
    "action done": (
        ('improveplan action done 23 --evidence "Audit: 91% within timescale"',
         "Action 23 is complete, awaiting sign-off by its theme lead or a plan "
         "admin."),
        ("improveplan action done 11",
         'Prints "Action 11: status in progress → complete."'),
    ),
    "action history": (
        ("improveplan action history 3",
         "Every change to action 3: when, who, what, from and to."),
        ("improveplan action history 3 --format csv",
         "The same as CSV, for an audit file."),
    ),
    "action list": (
        ('improveplan action list --owner "Sarah Whitfield"',
         "Sarah Whitfield's actions, soonest due first, with RAG and status."),
        ("improveplan action list --overdue --as-of 2025-03-31 --format csv",
         "The actions that were overdue at the end of March, as CSV."),
        ('improveplan action list --theme "Care leavers" --rag red',
         "Only the red actions of the Care leavers theme."),
    ),
    "action note": (
        ('improveplan action note 3 "Two young people still waiting for a match."',
         "Adds a progress note to action 3 under your name; notes are never "
         "edited."),
        ('improveplan --user "Sarah Whitfield" action note 3 "Panel met today."',
         "The same, recorded as written by Sarah Whitfield."),
    ),
    "action remove": (
        ('improveplan action remove 28 --reason "Entered twice; see action 27"',
         "Removes action 28 with its links and notes; ref 28 is never reused and "
         "action history 28 still shows what it held."),
        ('improveplan action remove 18 --reason "Belongs to another plan"',
         "Removes action 18, added to the wrong plan; to stop work on a real "
         "action, cancel it with action update --status cancelled instead."),
    ),
    "action reopen": (
        ('improveplan action reopen 9 --reason "Caseloads back above 18"',
         'Prints "Action 9: status complete → in progress."'),
        ('improveplan action reopen 1 --reason "Plans out of date again"',
         "Reopens a signed-off action too; the reason goes in its history."),
    ),
    "action show": (
        ("improveplan action show 3",
         "Action 3 in full: owner, status, RAG, due dates, links and notes."),
        ("improveplan action show 3 --as-of 2025-01-31 --format json",
         "Its RAG and days overdue as they were on 31 January, as JSON."),
    ),
    "action signoff": (
        ("improveplan action signoff 9",
         'Prints "Action 9: status complete → signed off." (blue)'),
        ('improveplan --user "Daniel Okoye" action signoff 9',
         "Signed off by Daniel Okoye, who leads its theme, as the audit trail "
         "records."),
    ),
    "action update": (
        ('improveplan action update 3 --due 2025-05-30 --reason "Provider delayed"',
         "Moves the due date later; a later date always needs a reason."),
        ('improveplan action update 28 --status in-progress --note "Panel met"',
         "Starts action 28 and adds a progress note in one step."),
        ('improveplan action update 8 --owner "Imran Qureshi" --if-version 2',
         "Hands action 8 over, refused if someone changed it since version 2."),
    ),
    "check": (
        ("improveplan check --as-of 2025-03-31",
         "RAG counts and overdue for every plan; exits 3 when anything is "
         "overdue, as the demo's five actions are."),
        ("improveplan check --notify --quiet",
         "The nightly job: emails the reminders, records the day's counts and "
         "prints nothing unless something needs attention."),
        ("improveplan check --format json",
         "The same counts as JSON, for a monitoring system."),
    ),
    "completion": (
        ("improveplan completion bash",
         'The bash script: put eval "$(improveplan completion bash)" in '
         "~/.bashrc, and Tab completes refs, people, themes and plans."),
        ("improveplan completion zsh",
         'The zsh script, for eval "$(improveplan completion zsh)" in ~/.zshrc.'),
        ("improveplan completion fish",
         "The fish script, to save as ~/.config/fish/completions/improveplan.fish."),
    ),
    "db": (
        ("improveplan db check",
         "Integrity, schema revision and audit trail: one ok line each."),
        ("improveplan db backup improveplan-2025-03-31.db",
         "A consistent copy of the SQLite database, readable only by you."),
    ),
    "db backup": (
        ("improveplan db backup improveplan-2025-03-31.db",
         'Prints "Backed up to improveplan-2025-03-31.db."; refuses a file that '
         "is already there."),
        ("improveplan --db improveplan-demo.db db backup demo-copy.db",
         "Backs up the demo's database instead of your own."),
    ),
    "db check": (
        ("improveplan db check",
         "Prints ok for the integrity check, the schema and the audit trail, or "
         "what is wrong and exits 1."),
        ("improveplan --db improveplan-demo.db db check",
         "Checks the demo's database instead of your own."),
    ),
    "db current": (
        ("improveplan db current",
         "The database, its schema revision and this program's, and whether it "
         "is up to date."),
        ("improveplan --db improveplan-demo.db db current",
         "The same for the demo's database."),
    ),
    "db upgrade": (
        ("improveplan db upgrade",
         "After installing a new improveplan: brings the schema up to date, "
         "keeping every row (back up first)."),
        ("improveplan --db improveplan-demo.db db upgrade",
         "Upgrades the demo's database; one already at head is left as it is."),
    ),
    "db verify": (
        ("improveplan db verify",
         'Prints "ok  audit trail: N events in M chains verify", or names the '
         "first event altered, removed or out of order and exits 1."),
        ("improveplan --db improveplan-demo.db db verify",
         "Verifies the demo's audit trail instead of your own."),
    ),
    "demo": (
        ("improveplan demo",
         "Builds the Peterborough plan in improveplan-demo.db here, then shows "
         "its RAG by theme and the overdue actions on 31 March 2025."),
        ("improveplan demo --as-of 2025-06-30",
         "The same plan as it would stand at the end of June."),
        ("improveplan demo --db trial.db",
         "Builds it in trial.db instead; your own database is never touched."),
    ),
    "export": (
        ("improveplan export -o peterborough.json",
         "The whole plan as JSON, audit trail included, for import elsewhere."),
        ("improveplan export --format csv -o actions.csv",
         "One row per action, for a spreadsheet."),
        ("improveplan export -o board.ics",
         "Milestones and open actions' due dates as an ICS calendar; repeated "
         "exports update the same events."),
    ),
    "import": (
        ("improveplan import tracker.xlsx --dry-run",
         "Checks every row of the council's old tracker and says what it would "
         "create; writes nothing."),
        ('improveplan import tracker.csv --map "Named manager=owner"',
         "Reads a column no synonym knows, Named manager, as each action's owner."),
        ("improveplan import actions.csv --update",
         "Refreshes each action whose ref is already in the plan from its row, "
         "each change audited; adds the others."),
    ),
    "init": (
        ("improveplan init",
         "Creates the database in the user data directory, or brings an older "
         "one up to date."),
        ("improveplan --db council.db init",
         "Creates council.db in the current directory instead."),
        ("improveplan --db trial.db init --demo",
         "A new database holding the Peterborough demo plan."),
    ),
    "inspection": (
        ("improveplan inspection import-report report.pdf --dry-run",
         "Reads an Ofsted report PDF and says what it would add."),
        ("improveplan inspection show 1",
         "Inspection 1: dates, lead inspector, judgements and recommendations."),
    ),
    "inspection add": (
        ("improveplan inspection add --type monitoring_visit --start mon --end tue",
         'On 31 March 2025 prints "Added inspection 2 (monitoring visit, '
         '2025-03-24 to 2025-03-25).": here a weekday is the last one.'),
        ("improveplan inspection add --type jtai --start 03/03/2025 --end 07/03/2025",
         "A joint targeted area inspection, its dates typed day first."),
    ),
    "inspection import-report": (
        ("improveplan inspection import-report report.pdf --dry-run",
         "What the report holds and what it would add; writes nothing."),
        ("improveplan inspection import-report report.pdf --received 2025-03-28",
         "Adds the inspection, its judgements and its recommendations (R9 on), "
         "starting the 70-working-day clock on 28 March."),
        ("improveplan inspection import-report ofsted-2024.pdf --replace",
         "Re-reads the report already in the plan into its inspection; keeps "
         "the actions."),
    ),
    "inspection history": (
        ("improveplan inspection history",
         "Every inspection's judgements side by side by area, oldest first, then "
         "the recommendations that echo an earlier inspection's."),
        ("improveplan inspection history --format json",
         "The same as JSON: inspections, areas and recurring concerns."),
    ),
    "inspection list": (
        ("improveplan inspection list",
         "Each inspection: type, fieldwork dates, received, overall grade, recs."),
        ("improveplan inspection list --format csv",
         "The same as CSV."),
    ),
    "inspection remove": (
        ("improveplan inspection remove 2",
         "Removes inspection 2, entered by mistake, with its judgements and "
         "recommendations; refused while an action answers one."),
        ("improveplan --plan Peterborough inspection remove 2",
         "The same when the database holds more than one plan."),
    ),
    "inspection show": (
        ("improveplan inspection show 1",
         "The demo's 2023 inspection: dates, the lead inspector, five "
         "judgements and eight recommendations."),
        ("improveplan inspection show 1 --format json",
         "The same as JSON."),
    ),
    "inspection update": (
        ("improveplan inspection update 1 --published 2024-01-30",
         "Sets the date Ofsted published the report."),
        ("improveplan inspection update 1 --grade care_leavers=RI",
         "Corrects one judgement; the others stay as they were."),
        ('improveplan inspection update 1 --lead-inspector ""',
         "Clears the lead inspector's name."),
    ),
    "measure": (
        ("improveplan measure list",
         "Each measure's baseline, target and latest value, and whether it is on "
         "track."),
        ('improveplan measure record "Supervision within timescale" 88%',
         "Records today's value."),
    ),
    "measure add": (
        ('improveplan measure add "EHE visits" --unit % --baseline 60 --target 95',
         'Prints "Added measure "EHE visits": baseline 60, target 95 % (higher is '
         'better)."'),
        ('improveplan measure add "PEPs on time" --unit % --baseline 70 --target 95',
         "Personal education plans on time; a % measure's values lie from 0 to "
         "100."),
    ),
    "measure list": (
        ("improveplan measure list",
         "Each measure with its latest value against target: on track or not."),
        ("improveplan measure list --as-of 2024-12-31 --format csv",
         "The measures as they stood at the end of 2024, as CSV."),
    ),
    "measure record": (
        ('improveplan measure record "Supervision within timescale" 88%',
         "Records 88 for today; a value already recorded for today is replaced."),
        ('improveplan measure record "supervision within timescale" 80 --date -1m',
         "Records 80 for a month ago; names are found in any case."),
    ),
    "measure remove": (
        ('improveplan measure remove "Supervision on time"',
         "Removes a measure added by mistake, with its recorded values."),
        ('improveplan measure remove "supervision on time"',
         "Names are found in any case."),
    ),
    "measure update": (
        ('improveplan measure update "Supervision within timescale" --target 95',
         "Raises the target; the baseline and the values stay."),
        ('improveplan measure update "Supervision within timescale" --baseline 60',
         "Corrects the baseline."),
    ),
    "milestone": (
        ("improveplan milestone list",
         "Every milestone of the plan, with its status and the actions open "
         "before it."),
        ("improveplan milestone done --through 2025-03-31",
         "Records every milestone up to the end of March as met on its date."),
    ),
    "milestone add": (
        ('improveplan milestone add "Care leaver hub opens" --date 2025-06-30',
         "Adds a milestone of your own to the timeline."),
        ('improveplan milestone add "Improvement board 10" --date 2025-05-06',
         "Sets your own date for a default milestone; your date then wins."),
    ),
    "milestone done": (
        ('improveplan milestone done "Monitoring visit 3 (expected)"',
         "Records that the visit took place, today."),
        ("improveplan milestone done --through 2025-03-31",
         "Every milestone not done or missed up to 31 March, each on its date."),
        ('improveplan milestone done "Improvement board 10" --date 2025-03-31',
         "Met on the date given."),
    ),
    "milestone list": (
        ("improveplan milestone list",
         "Every milestone from first to last: date, status, days to go and the "
         "rule it follows."),
        ("improveplan milestone list --as-of 2025-06-30 --format csv",
         "As they will stand at the end of June, as CSV."),
    ),
    "milestone missed": (
        ('improveplan milestone missed "Improvement board 10" --reason "Chair ill"',
         "Records that the board will not meet, and why; the next board keeps "
         "its date."),
        ('improveplan milestone missed "DfE review 3" --reason "Moved by the DfE"',
         "A DfE review that did not take place on its date."),
    ),
    "milestone remove": (
        ('improveplan milestone remove "Care leaver hub opens"',
         "Removes a milestone of your own; refused while an action is linked to "
         "it."),
        ('improveplan milestone remove "care leaver hub opens"',
         "Names are found in any case."),
    ),
    "milestone reset": (
        ('improveplan milestone reset "Improvement board 10"',
         'Prints "Milestone "Improvement board 10" follows its rule again: '
         '2025-04-29."'),
        ('improveplan milestone reset "DfE review 3"',
         "Drops your date for the review; it follows the notice again."),
    ),
    "milestone update": (
        ('improveplan milestone update "Improvement board 10" --date 2025-05-06',
         "Moves the board a week; the date is kept until milestone reset."),
        ('improveplan milestone update "Care leaver hub opens" --name "Hub opens"',
         "Renames a milestone of your own."),
    ),
    "notice": (
        ("improveplan notice show",
         "The plan's DfE improvement notice: issued, reviews, boards and chair."),
        ('improveplan notice set --chair "Jo Hartley"',
         "Names the board's independent chair."),
    ),
    "notice set": (
        ("improveplan notice set --issued 2024-03-18 --first-board 2024-04-16",
         "Records the notice; DfE reviews and boards are then on the timeline."),
        ("improveplan notice set --board-every-weeks 8",
         "Changes only how often the board meets."),
        ("improveplan notice set --lifted 2025-03-31",
         "Records that the notice was lifted."),
    ),
    "notice show": (
        ("improveplan notice show",
         "Issued 2024-03-18, reviews every 6 months, boards every 6 weeks from "
         "2024-04-16, and its chair."),
        ("improveplan notice show --format json",
         "The same as JSON."),
    ),
    "notify": (
        ("improveplan notify --dry-run",
         "Who would get which reminder today, and who cannot be reached; sends "
         "nothing."),
        ("improveplan notify --dry-run --as-of 2025-04-30",
         "The reminders as they would go at the end of April."),
        ("improveplan notify",
         "Sends each owner one digest and the escalations to the leads, through "
         "the SMTP server in config.toml."),
    ),
    "overdue": (
        ("improveplan overdue",
         "The overdue actions (most overdue first), those due in the next 14 "
         "days, and milestones at risk."),
        ('improveplan overdue --owner "Daniel Okoye" --within 30',
         "Only Daniel Okoye's, with those due in the next 30 days."),
        ("improveplan overdue --fail-on-overdue --format csv",
         "As CSV, exiting 3 when anything is overdue (for a script)."),
    ),
    "person": (
        ('improveplan person add "Priya Natarajan" --email priya@example.org',
         "Adds someone who can own actions and get reminders."),
        ('improveplan person show "Sarah Whitfield"',
         "Her actions, and the themes and plans she leads."),
    ),
    "person add": (
        ('improveplan person add "Priya Natarajan" --email priya@example.org',
         'Prints "Added Priya Natarajan."; she can now own actions and get '
         "reminders."),
        ('improveplan person add "Tom Okafor" --team "Care Leavers" --login tokafor',
         "With his team, and the PostgreSQL login that acts as him."),
    ),
    "person list": (
        ("improveplan person list",
         "Everyone in the database: name, email, role and team."),
        ("improveplan person list --format csv",
         "The same as CSV."),
    ),
    "person remove": (
        ('improveplan person remove "Helen Marsh" --reassign-to "Daniel Okoye"',
         "Moves her actions, and the themes and plans she leads, to Daniel "
         "Okoye, then removes her."),
        ('improveplan person remove "Priya Natarajan"',
         "Removes someone who owns no actions."),
    ),
    "person show": (
        ('improveplan person show "Sarah Whitfield"',
         "Her actions in every plan, and the themes and plans she leads."),
        ('improveplan person show "sarah whitfield" --format json',
         "Names are found in any case; the same as JSON."),
    ),
    "person update": (
        ('improveplan person update "Mark Ellison" --role "Head of Education"',
         "Corrects his role; the change is audited."),
        ('improveplan person update "Joanne Pike" --email ""',
         "Clears her email: her reminders are listed as not reached."),
    ),
    "plan": (
        ("improveplan plan list",
         "Each plan: local authority, LA code, recommendations, actions, lead."),
        ('improveplan plan update Peterborough --lead "Helen Marsh"',
         "Names who is accountable for the whole plan."),
    ),
    "plan add": (
        ('improveplan plan add Luton --authority "Luton Council" --la-code 821',
         'Prints "Added plan "Luton" for Luton Council."; with two plans in the '
         "database, --plan says which one a command works in."),
        ('improveplan plan add Rutland --authority "Rutland County Council"',
         "The DfE code can be added later with plan update --la-code."),
    ),
    "plan list": (
        ("improveplan plan list",
         "Each plan with its local authority, LA code, recommendations, actions "
         "and lead."),
        ("improveplan plan list --format json",
         "The same as JSON."),
    ),
    "plan show": (
        ("improveplan plan show",
         "The current plan: its authority, lead, counts and sign-off rule."),
        ("improveplan plan show Peterborough --format json",
         "The plan called Peterborough, as JSON."),
    ),
    "plan update": (
        ('improveplan plan update Peterborough --lead "Helen Marsh"',
         'Prints "Plan Peterborough: lead — → Helen Marsh."'),
        ("improveplan plan update Peterborough --allow-self-signoff",
         "Lets an action's owner sign it off too, for very small teams."),
    ),
    "rec": (
        ("improveplan rec list",
         "The eight recommendations, with how many actions answer each."),
        ("improveplan rec show R1",
         "Recommendation R1 and its actions with their RAG."),
    ),
    "rec add": (
        ('improveplan rec add R9 "The quality of return home interviews."',
         'Prints "Added recommendation R9."'),
        ('improveplan rec add R9 "Management oversight of visits." --priority',
         "An area for priority action, flagged as the report flags it."),
    ),
    "rec list": (
        ("improveplan rec list",
         "Each recommendation's text and theme, its actions and how many are "
         "open."),
        ("improveplan rec list --format csv",
         "The same as CSV."),
    ),
    "rec remove": (
        ("improveplan rec remove R9",
         "Removes a recommendation added by mistake; refused while an action "
         "answers it."),
        ("improveplan rec remove 9",
         "A ref may be typed 9, r9 or R9."),
    ),
    "rec show": (
        ("improveplan rec show R1",
         "Recommendation R1 in full, and its actions with their RAG."),
        ("improveplan rec show r1 --as-of 2024-12-31 --format json",
         "Its actions' RAG at the end of 2024, as JSON."),
    ),
    "rec update": (
        ("improveplan rec update R2 --priority",
         "Flags R2 as an area for priority action."),
        ('improveplan rec update R6 --theme "Workforce and capacity"',
         "Moves R6 to another theme."),
    ),
    "report": (
        ("improveplan report -o board.html",
         "The board report as one HTML file with charts, ready to print on A4."),
        ("improveplan report --format md --as-of 2025-03-31 -o board-report.md",
         "In Markdown, as at the end of March."),
        ("improveplan report -o board.pdf",
         "The same pack as a PDF for the board papers, page numbers in the "
         'footer (pip install "improveplan[pdf]").'),
    ),
    "status": (
        ("improveplan status",
         "RAG totals, counts by theme, the next milestone and the measures."),
        ("improveplan status --by owner --since monday",
         "Counted by owner, with what has changed since Monday (the last one "
         "before today)."),
        ("improveplan status --since 2025-03-01 --as-of 2025-03-31",
         "At the end of March, with March's status changes, new actions, notes "
         "and moved due dates."),
    ),
    "theme": (
        ("improveplan theme list",
         "Each theme's lead, actions, open and overdue."),
        ('improveplan theme add "Early help" --lead "Imran Qureshi"',
         "A new workstream led by Imran Qureshi."),
    ),
    "theme add": (
        ('improveplan theme add "Early help" --lead "Imran Qureshi"',
         "Adds the theme; its lead gets the escalations of its actions."),
        ('improveplan theme add "Front door"',
         "A theme with no lead yet: escalations go to the plan lead."),
    ),
    "theme list": (
        ("improveplan theme list",
         "Each theme with its lead and how many actions are open and overdue."),
        ("improveplan theme list --as-of 2025-06-30 --format csv",
         "The same at the end of June, as CSV."),
    ),
    "theme remove": (
        ('improveplan theme remove "Early help"',
         "Removes a theme holding no action or recommendation."),
        ('improveplan theme remove "early help"',
         "Names are found in any case."),
    ),
    "theme update": (
        ('improveplan theme update "Safeguarding" --lead "Helen Marsh"',
         "Helen Marsh now leads it and gets its escalations."),
        ('improveplan theme update "Practice quality" --name "Quality of practice"',
         "Renames the theme."),
    ),
    "tui": (
        ("improveplan tui",
         "Opens the screen on My actions, soonest due first: tab for the other "
         "views, ? for the keys, q to quit."),
        ('improveplan tui --user "Sarah Whitfield" --as-of 2025-03-31',
         "Sarah Whitfield's actions as they stood at the end of March."),
        ("improveplan tui --serve --port 8080",
         "The same screen in a browser at http://127.0.0.1:8080 (needs "
         'pip install "improveplan[serve]").'),
    ),
    "timeline": (
        ("improveplan timeline",
         "Milestones from three months back to a year ahead, with what is open "
         "before each."),
        ("improveplan timeline --all",
         "Every milestone, first to last."),
        ("improveplan timeline --from 2025-01-01 --to eoy --format json",
         "The milestones from 1 January to the end of this year, as JSON."),
    ),
    "whoami": (
        ("improveplan whoami",
         "Your login, the person you act as, and your roles in each plan."),
        ('improveplan --user "Sarah Whitfield" whoami',
         "Who you are taken to be when you name yourself with --user."),
    ),
}
# fmt: on


def examples_help(path: str) -> str | None:
    """The Examples block for the command at `path`, one paragraph per example (each
    marked \\b so click keeps its lines); None when it has none."""
    examples = EXAMPLES.get(path)
    if not examples:
        return None
    blocks = []
    for number, (line, does) in enumerate(examples):
        text = textwrap.wrap(does, TEXT_WIDTH)
        lines = [HEADING] if number == 0 else []
        lines += [COMMAND_INDENT + line, *(TEXT_INDENT + part for part in text)]
        blocks.append("\b\n" + "\n".join(lines))
    return "\n\n".join(blocks)


def document_examples(command: click.Command, path: str) -> None:
    """End the --help of `command` (and of every command under it) with its examples,
    after the DATE paragraph that `document_dates` adds."""
    text = examples_help(path)
    if text is not None and text not in (command.epilog or ""):
        command.epilog = f"{command.epilog}\n\n{text}" if command.epilog else text
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            document_examples(sub, f"{path} {name}".strip())
