"""Which database login is which patient's: the table row-level security reads on PostgreSQL.

A patient's login (``ldn-tracker admin patient``) sees only the rows of the patient it is mapped
to here. Only the tables' owner reads or writes this table; the policies reach it through a
``SECURITY DEFINER`` function (migration 0003). On SQLite it stays empty: whoever can open the
file can read all of it (SPEC §10).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base

LOGIN_NAME_LENGTH = 63  # PostgreSQL's longest identifier (NAMEDATALEN - 1)


class PatientLogin(Base):
    __tablename__ = "patient_login"

    login: Mapped[str] = mapped_column(String(LOGIN_NAME_LENGTH), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"),
                                            index=True)
