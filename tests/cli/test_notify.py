"""notify and check --notify against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import create_engine, text

from improveplan.config import SmtpSettings
from improveplan.errors import ImproveplanError
from improveplan.io.mail import Email, smtp_session
from improveplan.store.engine import to_url
from tests.conftest import Invoke
from tests.mailserver import TODAY, Collector, env_for, free_port, notifications, parts


def seed(run: Invoke) -> None:
    """Tom owns an action 20 days overdue (escalated: theme led by Priya) and one due soon;
    Priya owns one due soon; Sam (no email) owns an overdue one."""
    steps: list[tuple[str, ...]] = [
        ("person", "add", "Sam Jones"),
        ("theme", "add", "Front door", "--lead", "Priya Natarajan"),
        ("action", "add", "Audit <referrals>", "--owner", "Tom Okafor", "--due", "2024-02-10",
         "--theme", "Front door"),
        ("action", "add", "Train staff", "--owner", "Tom Okafor", "--due", "2024-03-05"),
        ("action", "add", "Recruit managers", "--owner", "Priya Natarajan", "--due", "2024-03-08"),
        ("action", "add", "Write policy", "--owner", "Sam Jones", "--due", "2024-02-28"),
        ("action", "add", "Far off", "--owner", "Priya Natarajan", "--due", "2024-09-01"),
    ]  # fmt: skip
    for args in steps:
        result = run(*args, env={"IMPROVEPLAN_TODAY": TODAY})
        assert result.exit_code == 0, result.output


def test_notify_sends_one_digest_per_owner_and_an_escalation(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    seed(plan_run)
    result = plan_run("notify", env=env_for(port))
    assert result.exit_code == 0, result.output
    assert result.stderr == "Not reached: Sam Jones (no email) — 1 action\nSent 3 messages.\n"
    got = handler.messages()
    assert sorted((tuple(to), m["Subject"]) for to, m in got) == [
        (("priya@example.org",), "Escalation: 1 action overdue in improvement plan Peterborough"),
        (("priya@example.org",), "Improvement plan Peterborough: 1 due soon"),
        (("tom@example.org",), "Improvement plan Peterborough: 1 overdue, 1 due soon"),
    ]
    tom = next(m for to, m in got if to == ["tom@example.org"])
    assert tom["From"] == "improvement@council.example"
    assert tom.get_content_type() == "multipart/alternative"
    bodies = parts(tom)
    assert set(bodies) == {"text/plain", "text/html"}
    assert "- 1: Audit <referrals> — due 2024-02-10, 20 days overdue" in bodies["text/plain"]
    assert "- 2: Train staff — due 2024-03-05" in bodies["text/plain"]
    assert "<strong>1</strong>: Audit &lt;referrals&gt; — due" in bodies["text/html"]  # escaped
    assert "Far off" not in bodies["text/plain"]
    escalation = next(m for _, m in got if m["Subject"].startswith("Escalation"))
    assert "(owner Tom Okafor)" in parts(escalation)["text/plain"]
    assert notifications(db_url) == [
        ("Priya Natarajan <priya@example.org>", "digest", TODAY, "3"),
        ("Tom Okafor <tom@example.org>", "digest", TODAY, "1,2"),
        ("Priya Natarajan <priya@example.org>", "escalation", TODAY, "1"),
    ]
    # The same day again: nothing is sent twice.
    again = plan_run("notify", env=env_for(port))
    assert again.exit_code == 0
    assert "Sent 0 messages." in again.stderr
    assert again.stdout.count("already sent") == 3
    assert len(handler.envelopes) == 3
    # The next day nothing in them has changed: they wait for a week (resend_unchanged_days).
    later = plan_run("notify", "--as-of", "2024-03-02", env=env_for(port))
    assert "Sent 0 messages." in later.stderr
    assert later.stdout.count("unchanged") == 3
    week = plan_run("notify", "--as-of", "2024-03-08", env=env_for(port))
    assert "Sent 3 messages." in week.stderr
    assert len(handler.envelopes) == 6


def test_dry_run_sends_and_records_nothing(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, _port = smtp
    seed(plan_run)
    result = plan_run("notify", "--dry-run", env={"IMPROVEPLAN_TODAY": TODAY})  # no host needed
    assert result.exit_code == 0
    assert "dry run: nothing sent" in result.stdout
    assert result.stdout.count("would send") == 3
    assert "tom@example.org" in result.stdout
    assert handler.envelopes == []
    assert notifications(db_url) == []


def test_no_smtp_host_is_an_error(plan_run: Invoke, db_url: str) -> None:
    seed(plan_run)
    result = plan_run("notify", env={"IMPROVEPLAN_TODAY": TODAY})
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no SMTP server configured — set IMPROVEPLAN_SMTP_HOST or [smtp] host in "
        "config.toml\n"
    )
    assert notifications(db_url) == []


def test_unreachable_server_records_nothing(plan_run: Invoke, db_url: str) -> None:
    seed(plan_run)
    env = env_for(free_port()) | {"IMPROVEPLAN_SMTP_PASSWORD": "s3cret-pw"}
    result = plan_run("notify", env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot send mail through 127.0.0.1:")
    assert "s3cret-pw" not in result.output
    assert notifications(db_url) == []


def test_check_notify_sends_once_a_day(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    seed(plan_run)
    first = plan_run("check", "--notify", "--quiet", env=env_for(port))
    assert first.exit_code == 3
    assert "Reminders" in first.stdout
    assert len(handler.envelopes) == 3
    assert plan_run("check", "--notify", env=env_for(port)).exit_code == 3
    assert len(handler.envelopes) == 3
    assert len(notifications(db_url)) == 3


class Accept:
    def __init__(self) -> None:
        self.logins: list[tuple[str, str]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"right")


def test_login_and_starttls_paths() -> None:
    handler, accept, port = Collector(), Accept(), free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=accept, auth_require_tls=False
    )
    controller.start()
    try:
        settings = SmtpSettings(host="127.0.0.1", port=port, user="bot", password="right")
        with smtp_session(settings) as mailer:
            mailer.send(Email(to="a@example.org", subject="Hi", text="t", html="<p>h</p>"))
        assert accept.logins == [("bot", "right")]
        assert handler.envelopes[0].rcpt_tos == ["a@example.org"]
        tls = SmtpSettings(host="127.0.0.1", port=port, starttls=True)
        busy = pytest.raises(ImproveplanError, match="does not offer STARTTLS")
        with busy, smtp_session(tls):
            pass  # pragma: no cover
    finally:
        controller.stop()


def test_refused_login_names_the_user_never_the_password() -> None:
    from improveplan.io.mail import _failed

    wrong = SmtpSettings(host="mail.example", port=587, user="bot", password="wrong-pw")
    error = _failed(wrong, smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"))
    assert str(error) == (
        "the mail server mail.example:587 refused the login for bot — check [smtp] user and "
        "the password in config.toml or IMPROVEPLAN_SMTP_PASSWORD"
    )


class Refusing(Collector):
    """Refuses one address at RCPT, as a real server refuses an unknown mailbox."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_one_bad_recipient_never_stops_the_others(plan_run: Invoke, db_url: str) -> None:
    """A CR/LF in one address and a mailbox the server refuses: both reported, exit 1,
    and everyone else is reminded; their claims are released for a rerun."""
    handler = Refusing("tom@example.org")
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        seed(plan_run)
        assert plan_run("person", "add", "Ann Lee").exit_code == 0
        assert plan_run("action", "add", "Visit", "--owner", "Ann Lee", "--due", "2024-03-04",
                        env={"IMPROVEPLAN_TODAY": TODAY}).exit_code == 0  # fmt: skip
        engine = create_engine(to_url(db_url))
        with engine.begin() as conn:  # an address saved before addresses were checked
            conn.execute(text("UPDATE person SET email = 'ann@example.org\r\nBcc: x@evil.example'"
                              " WHERE name = 'Ann Lee'"))  # fmt: skip
        engine.dispose()
        result = plan_run("notify", env=env_for(port))
    finally:
        controller.stop()
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert any(line.startswith("Warning: the digest to Ann Lee was not sent: the message to")
               for line in lines)  # fmt: skip
    assert (
        "Warning: the digest to Tom Okafor was not sent: the mail server refused "
        "'tom@example.org': 550 5.1.1 No such mailbox"
    ) in lines
    assert lines[-1] == (
        "Error: 2 of 4 messages could not be sent — see the warnings above; everyone else "
        "was reminded"
    )
    assert sorted(to[0] for to, _ in handler.messages()) == ["priya@example.org"] * 2
    assert [r[0] for r in notifications(db_url)] == ["Priya Natarajan <priya@example.org>"] * 2
    assert "x@evil.example" not in str(handler.messages())


def test_two_people_sharing_a_mailbox_each_get_their_digest(
    plan_run: Invoke, db_url: str, smtp: tuple[Collector, int]
) -> None:
    handler, port = smtp
    for args in (
        ("person", "add", "Jo Bloggs", "--email", "team@example.org"),
        ("person", "add", "Sam Smith", "--email", "team@example.org"),
        ("action", "add", "One", "--owner", "Jo Bloggs", "--due", "2024-03-04"),
        ("action", "add", "Two", "--owner", "Sam Smith", "--due", "2024-03-04"),
    ):
        assert plan_run(*args, env={"IMPROVEPLAN_TODAY": TODAY}).exit_code == 0
    result = plan_run("notify", env=env_for(port))
    assert result.exit_code == 0, result.output
    assert "Sent 2 messages." in result.stderr
    assert [to for to, _ in handler.messages()] == [["team@example.org"]] * 2
    again = plan_run("notify", env=env_for(port))
    assert "Sent 0 messages." in again.stderr and len(handler.envelopes) == 2
