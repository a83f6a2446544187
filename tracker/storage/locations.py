"""Where the data lives: ``--db``, else ``LDN_TRACKER_DB``, else the user data directory.

Nothing is created at import time; callers ask for a location when they open a database.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "ldn-tracker"
ENV_DB = "LDN_TRACKER_DB"


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def default_database() -> Path:
    return user_data_dir() / "ldn-tracker.db"


def demo_database() -> Path:
    return user_data_dir() / "demo.db"


def resolve_database(option: str | None, environ: dict[str, str] | None = None) -> str:
    """A database path or SQLAlchemy URL from the option, the environment or the default."""
    env = os.environ if environ is None else environ
    if option:
        return option
    if env.get(ENV_DB):
        return env[ENV_DB]
    return str(default_database())


def is_url(target: str) -> bool:
    return "://" in target
