"""The app's remembered choices: the language and the last patient opened per database.

A small JSON file in the user's config directory (``LDN_TRACKER_CONFIG_DIR`` overrides it, so
tests and demos never touch the user's own file). A missing or damaged file means "no choices
yet": preferences are a convenience and must never stop the diary from opening.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

ENV_CONFIG_DIR = "LDN_TRACKER_CONFIG_DIR"
FILE_NAME = "preferences.json"


def config_path() -> Path:
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override) / FILE_NAME
    from tracker.storage.locations import user_config_dir

    return user_config_dir() / FILE_NAME


@dataclass
class Preferences:
    language: str | None = None
    last_patient: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Preferences:
        path = path or config_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        language = data.get("language")
        patients = data.get("last_patient")
        return cls(
            language=language if language in ("en", "da") else None,
            last_patient={str(k): v for k, v in patients.items() if isinstance(v, int)}
            if isinstance(patients, dict) else {},
        )

    def save(self, path: Path | None = None) -> None:
        path = path or config_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"language": self.language,
                                       "last_patient": self.last_patient}, indent=2),
                           encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a read-only home must not break the diary
