"""Keep the Danish catalogue complete and compiled.

    python scripts/i18n.py check     every marked string has a Danish translation, .mo is current
    python scripts/i18n.py compile   write ldn_tracker.mo from ldn_tracker.po
    python scripts/i18n.py missing   print .po stubs for the strings still untranslated

Strings are found with babel's extractor: calls of ``_``, ``N_`` and ``ngettext`` in tracker/.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "tracker/i18n/locale/da/LC_MESSAGES/ldn_tracker.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extracted() -> dict[str, str]:
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "tracker"),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def catalogue():
    with PO.open("rb") as fh:
        return read_po(fh, locale="da")


def compiled_bytes() -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalogue())
    return buf.getvalue()


def missing() -> dict[str, str]:
    cat = catalogue()
    out = {}
    for msgid, where in extracted().items():
        entry = cat.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            out[msgid] = where
    return out


def _key(value: object) -> object:
    """Plural entries carry tuples (or lists) of forms: make them comparable and hashable."""
    return tuple(value) if isinstance(value, list | tuple) else value


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "check"
    if cmd == "compile":
        MO.write_bytes(compiled_bytes())
        return 0
    if cmd == "missing":
        for msgid, where in missing().items():
            esc = msgid.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            print(f"#: {where}\nmsgid \"{esc}\"\nmsgstr \"\"\n")
        return 0
    problems = missing()
    for msgid, where in problems.items():
        print(f"untranslated ({where}): {msgid!r}", file=sys.stderr)
    with MO.open("rb") as fh:
        current = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    wanted = {_key(m.id): _key(m.string) for m in catalogue() if m.id and m.string}
    if current != wanted:
        print("ldn_tracker.mo is out of date: run `make i18n`", file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
