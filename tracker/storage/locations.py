"""Where the data lives (``--db``, else ``LDN_TRACKER_DB``, else the user data directory), and
whether that file may be written.

Nothing is created at import time; callers ask for a location when they open a database.
An empty ``--db ""`` is refused (it would otherwise mean "the default", and a slip in a script
would write into the user's own diary); an empty ``LDN_TRACKER_DB`` means unset, as the shell's
``LDN_TRACKER_DB= ldn-tracker`` idiom expects.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from tracker.i18n import N_
from tracker.validation import fail

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
    if option is not None:
        return check_database_option(option)
    if env.get(ENV_DB, "").strip():
        return env[ENV_DB]
    return str(default_database())


def check_database_option(option: str) -> str:
    """``--db`` as given, refused when empty or blank (never "the default" in disguise)."""
    if not option.strip():
        raise fail("--db", N_("{field} must not be empty: give a database file or a URL (or "
                              "leave --db out for the default database)."))
    return option


def is_url(target: str) -> bool:
    return "://" in target


def writable(path: Path) -> bool:
    """Whether ``path`` may be written: some write bit set, and the system agrees (``os.access``,
    which also says no on a read-only filesystem).

    The mode bits count for root too: root passes every permission check, so ``os.access``
    alone would let it write into a file whose owner made it 0444. A file with no write bit
    for anybody is read-only, whoever runs the app.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & 0o222) and os.access(path, os.W_OK)


SIDE_FILES = ("-wal", "-shm", "-journal")


def read_only_uri(path: Path) -> str:
    """A SQLite URI that reads ``path`` and never creates nor writes it.

    A file we may not write, with no -wal, -shm or -journal beside it (nobody has it open for
    writing), is read as ``immutable``: otherwise SQLite would create its -shm with the file's
    own mode, 0444, and once the owner makes the file writable again that leftover read-only
    -shm makes every write fail ("attempt to write a readonly database"). While a writer has it
    open, its -shm exists and a plain read-only connection reads through the WAL.
    """
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    if not writable(path) and not any(
            path.with_name(path.name + side).exists() for side in SIDE_FILES):
        uri += "&immutable=1"
    return uri
