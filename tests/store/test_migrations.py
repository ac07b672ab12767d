"""The Alembic migrations and the SQLModel tables describe the same schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from improveplan.resources import resource_dir
from improveplan.store.engine import make_engine, to_url
from improveplan.store.migrate import HEAD, KNOWN_REVISIONS
from improveplan.store.models import metadata


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(to_url(db_url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_known_revisions_match_the_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    scripts = ScriptDirectory.from_config(config)
    ordered = [rev.revision for rev in reversed(list(scripts.walk_revisions()))]
    assert tuple(ordered) == KNOWN_REVISIONS
    assert scripts.get_current_head() == HEAD


def test_resources_are_found_from_the_source_tree() -> None:
    root = Path(__file__).resolve().parents[2]
    assert resource_dir("migrations") == root / "migrations"
