"""Sending email over SMTP (smtplib): plain, STARTTLS and login; text + HTML bodies.

The password comes from configuration only (config.toml or IMPROVEPLAN_SMTP_PASSWORD)
and appears in no message: errors name the server, never the credentials.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from improveplan.config import SmtpSettings
from improveplan.errors import ImproveplanError

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Email:
    """One message to one recipient."""

    to: str
    subject: str
    text: str
    html: str


def build_message(email: Email, *, sender: str) -> EmailMessage:
    """A multipart/alternative message: the text part first, the HTML part preferred."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


def no_server() -> ImproveplanError:
    return ImproveplanError(
        "no SMTP server configured",
        "set IMPROVEPLAN_SMTP_HOST or [smtp] host in config.toml",
    )


def _failed(settings: SmtpSettings, exc: BaseException) -> ImproveplanError:
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return ImproveplanError(
            f"the mail server {where} refused the login for {settings.user}",
            "check [smtp] user and the password in config.toml or IMPROVEPLAN_SMTP_PASSWORD",
        )
    reason = exc.__class__.__name__ if not str(exc) else str(exc)
    return ImproveplanError(
        f"cannot send mail through {where}: {reason}",
        "check the [smtp] settings and that the server is reachable",
    )


def _refusal(exc: smtplib.SMTPRecipientsRefused) -> str:
    """The server's reply for the first refused address, as text."""
    for code, reply in exc.recipients.values():
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return f"{code} {text}"
    return "refused"


class Mailer:
    """An open SMTP session; `send` raises ImproveplanError naming the server only."""

    def __init__(self, client: smtplib.SMTP, settings: SmtpSettings) -> None:
        self._client = client
        self._settings = settings

    def send(self, email: Email) -> None:
        try:
            message = build_message(email, sender=self._settings.sender)
        except (ValueError, UnicodeError) as exc:  # a CR/LF in an address or subject
            raise ImproveplanError(
                f"the message to {email.to!r} cannot be written: {exc}",
                "correct the person's email address or the plan's name",
            ) from None
        try:
            self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ImproveplanError(
                f"the mail server refused {email.to!r}: {_refusal(exc)}",
                "correct the person's email address",
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise _failed(self._settings, exc) from None


def _open(settings: SmtpSettings) -> smtplib.SMTP:
    assert settings.host is not None
    client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    try:
        client.ehlo()
        if settings.starttls:
            if not client.has_extn("starttls"):
                raise ImproveplanError(
                    f"the mail server {settings.host}:{settings.port} does not offer STARTTLS",
                    "use its submission port (587) or set [smtp] starttls = false",
                )
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if settings.user:
            client.login(settings.user, settings.password or "")
    except BaseException:
        client.close()
        raise
    return client


@contextmanager
def smtp_session(settings: SmtpSettings) -> Iterator[Mailer]:
    """Connect (STARTTLS and login when configured) for the body; quit at the end."""
    if not settings.host:
        raise no_server()
    try:
        client = _open(settings)
    except (smtplib.SMTPException, OSError) as exc:
        raise _failed(settings, exc) from None
    try:
        yield Mailer(client, settings)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
