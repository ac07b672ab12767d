"""Configuration: flag > environment > config.toml > default (docs/design.md §3).

The file is `config.toml` in the platformdirs user config directory, or the path in
`IMPROVEPLAN_CONFIG`. Only the standard library and platformdirs are imported here, so
reading configuration never slows `--help`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from improveplan.errors import ImproveplanError

APP_NAME = "improveplan"


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
    amber_days: int = 14
    due_soon_days: int = 14
    escalate_after_days: int = 14
    smtp: SmtpSettings = SmtpSettings()


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ImproveplanError(
            f"cannot read configuration {path}: {exc}", "fix or remove the file"
        ) from exc


def _env_bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ImproveplanError(
            f"configuration {name}={value!r} is not a whole number", "fix config.toml or env"
        ) from exc


def _smtp(file_smtp: dict[str, Any]) -> SmtpSettings:
    env = os.environ

    def pick(key: str) -> Any:
        return env.get(f"IMPROVEPLAN_SMTP_{key.upper()}", file_smtp.get(key))

    port = pick("port")
    return SmtpSettings(
        host=pick("host"),
        port=_int(port, "smtp.port") if port is not None else 25,
        user=pick("user"),
        password=pick("password"),
        sender=pick("from") or "improveplan@localhost",
        starttls=_env_bool(str(pick("starttls")) if pick("starttls") is not None else None, False),
    )


def load_settings() -> Settings:
    """Read config.toml and the environment; command-line flags override later."""
    data = _read_file(config_path())
    env = os.environ
    rag = data.get("rag", {})
    notify = data.get("notify", {})
    return Settings(
        db=env.get("IMPROVEPLAN_DB") or data.get("db"),
        plan=env.get("IMPROVEPLAN_PLAN") or data.get("plan"),
        user=env.get("IMPROVEPLAN_USER") or data.get("user"),
        amber_days=_int(rag.get("amber_days", 14), "rag.amber_days"),
        due_soon_days=_int(notify.get("due_soon_days", 14), "notify.due_soon_days"),
        escalate_after_days=_int(
            notify.get("escalate_after_days", 14), "notify.escalate_after_days"
        ),
        smtp=_smtp(data.get("smtp", {})),
    )
