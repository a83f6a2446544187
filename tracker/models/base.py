"""The declarative base: typed ORM with named constraints (alembic batch mode needs names)."""

from __future__ import annotations

import uuid

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
UUID_LENGTH = 36  # the canonical text form: 8-4-4-4-12 lowercase hex digits


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_uuid() -> str:
    """A fresh random (version 4) UUID in its canonical lowercase text form."""
    return str(uuid.uuid4())


class Identified:
    """A row's stable identity (SPEC §11, docs/identity.md): a UUID given when the row is
    inserted, recorded in its audit row, and never changed, by a correction or otherwise.

    Unique per table (``uq_<table>_uuid``, migration 0004). The FHIR bundle's ``fullUrl`` is
    ``urn:uuid:<uuid>``, so a second export of the same rows names them the same.
    """

    uuid: Mapped[str] = mapped_column(String(UUID_LENGTH), unique=True, default=new_uuid,
                                      sort_order=1000)
