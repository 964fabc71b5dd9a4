"""Personal data (contact e-mails and phone numbers) outside the restricted ``raw_*`` schemas.

The raw datasets hold the feeds as delivered, personal data included; they are the restricted area.
From staging on, a contract column marked ``pii`` is replaced by a keyed hash
(``macros/pii_hash.sql``: sha256 of the key and the trimmed, lower-cased value), and quarantined
payloads are staged with e-mails and phone numbers masked (``macros/pii_redact.sql``).

The key never appears in SQL text: dbt-duckdb loads :class:`Plugin` (``dbt_project/profiles.yml``),
which sets it as the DuckDB variable ``prm_pii_key`` on every connection, bound as a parameter.
Inlining it (dbt's ``env_var`` in the macro) would write it into compiled SQL, dbt's debug log, the
partial-parse cache and the stored view definitions.
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from pipelines.settings import PII_KEY_ENV

PII_KEY_VARIABLE = "prm_pii_key"

# What counts as an e-mail address or a phone number in clear: RE2 syntax, so DuckDB's regexp
# functions and Python's re read them alike. macros/pii_redact.sql carries the same two patterns (a
# test keeps them equal). The phone pattern wants a leading + or the 3-3-4 grouping, so dates, ids
# and amounts do not match.
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
PHONE_PATTERN = r"\+[0-9][0-9 ().-]{6,}[0-9]|\(?[0-9]{3}\)?[ .-][0-9]{3}[ .-][0-9]{4}"


def set_key(con: DuckDBPyConnection) -> None:
    """Set ``$PRM_PII_KEY`` as the session variable the hash reads (nothing when unset: the hash
    then fails with a clear error instead of hashing without a key)."""
    key = os.environ.get(PII_KEY_ENV)
    if key:
        con.execute(f"SET VARIABLE {PII_KEY_VARIABLE} = ?", [key])


class Plugin(BasePlugin):
    """dbt-duckdb plugin: every connection and cursor dbt opens gets the PII key variable."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        set_key(conn)

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        set_key(cursor)  # a cursor is a new DuckDB session: variables do not carry over
