"""Configuration: flag > environment > config.toml > default (docs/design.md §3).

The file is `config.toml` in the platformdirs user config directory, or the path in
`IMPROVEPLAN_CONFIG`. Only the standard library and platformdirs are imported here, so
reading configuration never slows `--help`.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from improveplan.domain.vocab import AMBER_DAYS
from improveplan.errors import ImproveplanError

APP_NAME = "improveplan"
DUE_SOON_DAYS = 14  # reminders and `overdue` list what falls due within this many days
ESCALATE_AFTER_DAYS = 14  # a theme lead hears of an action this many days overdue
RESEND_UNCHANGED_DAYS = 7  # an unchanged digest is sent again after this many days


def config_path() -> Path:
    """Where config.toml lives: `IMPROVEPLAN_CONFIG` or the user config directory."""
    explicit = os.environ.get("IMPROVEPLAN_CONFIG")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_db_path() -> Path:
    """`improveplan.db` in the user data directory."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / "improveplan.db"


@dataclass(frozen=True)
class SmtpSettings:
    """Mail server settings; the password only ever comes from env or file."""

    host: str | None = None
    port: int = 25
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "improveplan@localhost"
    starttls: bool = False


@dataclass(frozen=True)
class Settings:
    """Everything configurable, after precedence is applied (flags are applied later)."""

    db: str | None = None
    plan: str | None = None
    user: str | None = None
    amber_days: int = AMBER_DAYS
    due_soon_days: int = DUE_SOON_DAYS
    escalate_after_days: int = ESCALATE_AFTER_DAYS
    resend_unchanged_days: int = RESEND_UNCHANGED_DAYS
    smtp: SmtpSettings = SmtpSettings()


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except UnicodeDecodeError:
        raise ImproveplanError(
            f"configuration {path} is not UTF-8 text", "save it as UTF-8, or remove it"
        ) from None
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ImproveplanError(
            f"cannot read configuration {path}: {exc}", "fix or remove the file"
        ) from exc


def _wrong(key: str, value: Any, expected: str) -> ImproveplanError:
    """One line naming the key, what it holds and the type it needs."""
    shown = json.dumps(value, default=str, ensure_ascii=False)  # as TOML spells it: true, "5"
    return ImproveplanError(
        f"configuration {key} = {shown} is not {expected}", "fix config.toml or the environment"
    )


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    """A [table] of config.toml; `rag = 5` where `[rag]` belongs is an error, not a crash."""
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise _wrong(name, value, "a [table] of settings")
    return value


def _int(value: Any, name: str, *, lowest: int = 0, highest: int = 3650) -> int:
    """A whole number within bounds, from TOML (int) or the environment (text)."""
    if isinstance(value, bool | float):
        raise _wrong(name, value, "a whole number")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _wrong(name, value, "a whole number") from None
    if not lowest <= number <= highest:
        raise _wrong(name, value, f"a whole number from {lowest} to {highest}")
    return number


def _text(value: Any, name: str) -> str | None:
    """A string setting; None when unset. Numbers are not silently turned into names."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong(name, value, "text (put it in quotes)")
    return value


def _flag(value: Any, name: str) -> bool:
    """true/false in TOML, or 1/true/yes/on (anything else false) from the environment."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    raise _wrong(name, value, "true or false")


def _smtp(file_smtp: dict[str, Any]) -> SmtpSettings:
    env = os.environ

    def pick(key: str) -> Any:
        return env.get(f"IMPROVEPLAN_SMTP_{key.upper()}", file_smtp.get(key))

    port = pick("port")
    return SmtpSettings(
        host=_text(pick("host"), "smtp.host"),
        port=_int(port, "smtp.port", lowest=1, highest=65535) if port is not None else 25,
        user=_text(pick("user"), "smtp.user"),
        password=_text(pick("password"), "smtp.password"),
        sender=_text(pick("from"), "smtp.from") or "improveplan@localhost",
        starttls=_flag(pick("starttls"), "smtp.starttls"),
    )


def _notify_int(section: dict[str, Any], key: str, default: int) -> int:
    """A [notify] number: IMPROVEPLAN_NOTIFY_<KEY> > config.toml > default."""
    value = os.environ.get(f"IMPROVEPLAN_NOTIFY_{key.upper()}") or section.get(key, default)
    return _int(value, f"notify.{key}")


def load_settings() -> Settings:
    """Read config.toml and the environment; command-line flags override later."""
    data = _read_file(config_path())
    env = os.environ
    rag = _section(data, "rag")
    notify = _section(data, "notify")
    return Settings(
        db=env.get("IMPROVEPLAN_DB") or _text(data.get("db"), "db"),
        plan=env.get("IMPROVEPLAN_PLAN") or _text(data.get("plan"), "plan"),
        user=env.get("IMPROVEPLAN_USER") or _text(data.get("user"), "user"),
        amber_days=_int(rag.get("amber_days", AMBER_DAYS), "rag.amber_days"),
        due_soon_days=_notify_int(notify, "due_soon_days", DUE_SOON_DAYS),
        escalate_after_days=_notify_int(notify, "escalate_after_days", ESCALATE_AFTER_DAYS),
        resend_unchanged_days=_notify_int(notify, "resend_unchanged_days", RESEND_UNCHANGED_DAYS),
        smtp=_smtp(_section(data, "smtp")),
    )
