"""The vendor's side of the clean room, from the warehouse, and the results written back to it.

The vendor list is every account of ``marts.dim_accounts`` with its status: ``customer`` (a won
opportunity), ``opportunity`` (an open one, not yet a customer) or ``prospect``. Partners' hashed
files are read from ``$PRM_DATA_DIR/account_mapping/``: ``<exchange>.json`` (written by the
partner with ``prm mapping prepare --side partner``) beside ``<exchange>.key`` (the exchange key,
the vendor's copy). Results land in the ``account_mapping`` schema, overlap only; the vendor's own
names are put back on its own references (the partner's rows stay hashes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.account_mapping.lists import ListRow
from orchestration.account_mapping.protocol import (
    PLAYS,
    HashedList,
    MappingSettings,
    MatchResult,
    match,
    prepare,
    read_key,
    row_ref,
)
from orchestration.conflicts.normalize import MatchingSeeds

SCHEMA = "account_mapping"
FOLDER = "account_mapping"

EXCHANGE_COLUMNS = {
    "exchange": "varchar",
    "partner": "varchar",
    "status": "varchar",
    "message": "varchar",
    "vendor_rows": "integer",
    "partner_rows": "integer",
    "overlap_count": "integer",
}
OVERLAP_COLUMNS = {
    "exchange": "varchar",
    "partner": "varchar",
    "account_id": "varchar",
    "account_name": "varchar",
    "category": "varchar",
    "matched_on": "varchar",
    "vendor_status": "varchar",
    "partner_status": "varchar",
    "partner_ref": "varchar",
}
MATRIX_COLUMNS = {
    "exchange": "varchar",
    "partner": "varchar",
    "partner_status": "varchar",
    "vendor_status": "varchar",
    "accounts": "integer",
}
COSELL_COLUMNS = {
    "exchange": "varchar",
    "partner": "varchar",
    "play": "varchar",
    "account_id": "varchar",
    "account_name": "varchar",
    "opportunity_id": "varchar",
    "deal_stage": "varchar",
    "amount": "decimal(18,2)",
}
TABLES = {
    "exchanges": EXCHANGE_COLUMNS,
    "overlaps": OVERLAP_COLUMNS,
    "population_matrix": MATRIX_COLUMNS,
    "cosell_opportunities": COSELL_COLUMNS,
}


@dataclass(frozen=True)
class VendorAccount:
    account_id: str
    row: ListRow


def vendor_accounts(con: duckdb.DuckDBPyConnection) -> list[VendorAccount]:
    """Every account with its status, in account id order (the row numbers of the vendor list)."""
    rows = con.execute(
        """
        with opportunities as (
            select account_id, bool_or(is_won) as has_won, bool_or(is_open) as has_open
            from marts.fct_opportunities
            where account_id is not null
            group by account_id
        )
        select accounts.account_id, coalesce(accounts.account_name, ''),
               coalesce(accounts.account_domain, ''), coalesce(accounts.country, ''),
               case when opportunities.has_won then 'customer'
                    when opportunities.has_open then 'opportunity'
                    else 'prospect' end
        from marts.dim_accounts as accounts
        left join opportunities on opportunities.account_id = accounts.account_id
        order by accounts.account_id
        """
    ).fetchall()
    return [
        VendorAccount(account_id, ListRow(i, name, domain, country, status))
        for i, (account_id, name, domain, country, status) in enumerate(rows, start=1)
    ]


def exchange_files(folder: Path) -> list[tuple[Path, Path]]:
    """(hashed partner file, key file) of every exchange in ``folder``, by name."""
    if not folder.is_dir():
        return []
    return [(p, p.with_suffix(".key")) for p in sorted(folder.glob("*.json"))]


def run_exchange(
    accounts: list[VendorAccount],
    partner: HashedList,
    key: bytes,
    seeds: MatchingSeeds,
    settings: MappingSettings,
) -> MatchResult:
    """The vendor's list hashed with the exchange key and matched against the partner's file."""
    vendor = prepare((a.row for a in accounts), key, "vendor", "vendor", partner.exchange, seeds)
    return match(vendor, partner, settings)


def result_frames(
    con: duckdb.DuckDBPyConnection,
    accounts: list[VendorAccount],
    key: bytes,
    result: MatchResult,
) -> dict[str, pd.DataFrame]:
    """The rows one exchange adds to each table: the vendor's names on its own references."""
    by_ref = {row_ref(key, "vendor", a.row): a for a in accounts}
    overlaps = [
        {
            "exchange": result.exchange,
            "partner": result.partner,
            "account_id": by_ref[o.vendor_ref].account_id,
            "account_name": by_ref[o.vendor_ref].row.name,
            "category": o.category,
            "matched_on": o.matched_on,
            "vendor_status": o.vendor_status,
            "partner_status": o.partner_status,
            "partner_ref": o.partner_ref,
        }
        for o in result.overlaps
    ]
    plays = {
        by_ref[o.vendor_ref].account_id: (PLAYS[o.category], by_ref[o.vendor_ref].row.name)
        for o in result.cosell
    }
    cosell = []
    if plays:
        con.register("play_accounts", pd.DataFrame({"account_id": sorted(plays)}))
        open_deals = con.execute(
            "select o.account_id, o.opportunity_id, o.deal_stage, o.amount "
            "from marts.fct_opportunities o join play_accounts using (account_id) "
            "where o.is_open order by o.account_id, o.opportunity_id"
        ).fetchall()
        con.unregister("play_accounts")
        with_deal = set()
        for account_id, opportunity_id, stage, amount in open_deals:
            with_deal.add(account_id)
            play, name = plays[account_id]
            cosell.append((play, account_id, name, opportunity_id, stage, amount))
        # a prospect has no open deal: the play is an introduction to the account
        cosell += [
            (play, account_id, name, None, None, None)
            for account_id, (play, name) in sorted(plays.items())
            if account_id not in with_deal
        ]
    frames = {
        "exchanges": pd.DataFrame(
            [
                {
                    "exchange": result.exchange,
                    "partner": result.partner,
                    "status": result.status,
                    "message": result.message,
                    "vendor_rows": result.vendor_rows,
                    "partner_rows": result.partner_rows,
                    "overlap_count": result.overlap_count,
                }
            ]
        ),
        "overlaps": pd.DataFrame(overlaps, columns=list(OVERLAP_COLUMNS)),
        "population_matrix": pd.DataFrame(
            [
                {
                    "exchange": result.exchange,
                    "partner": result.partner,
                    "partner_status": p,
                    "vendor_status": v,
                    "accounts": n,
                }
                for (p, v), n in sorted(result.matrix.items())
            ],
            columns=list(MATRIX_COLUMNS),
        ),
        "cosell_opportunities": pd.DataFrame(
            [
                dict(zip(list(COSELL_COLUMNS), (result.exchange, result.partner, *c), strict=True))
                for c in cosell
            ],
            columns=list(COSELL_COLUMNS),
        ),
    }
    return frames


def write_tables(con: duckdb.DuckDBPyConnection, frames: list[dict[str, pd.DataFrame]]) -> None:
    """Replace the ``account_mapping`` tables with the given exchanges' rows (typed, empty when
    there are none), sorted so a rerun writes the same tables."""
    con.execute(f"create schema if not exists {SCHEMA}")
    for table, columns in TABLES.items():
        parts = [f[table] for f in frames if len(f[table])]
        frame = (
            pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(columns))
        )
        frame = frame.sort_values(list(columns)[:4], kind="stable", na_position="last")
        select = ", ".join(f"cast({c} as {t}) as {c}" for c, t in columns.items())
        con.register("frame", frame.astype(object).where(frame.notna(), None))
        con.execute(f"create or replace table {SCHEMA}.{table} as select {select} from frame")
        con.unregister("frame")


def map_accounts(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    seeds: MatchingSeeds,
    settings: MappingSettings,
) -> list[MatchResult]:
    """Every exchange in ``folder`` against the warehouse's accounts, written to the schema."""
    files = exchange_files(folder)
    accounts = vendor_accounts(con) if files else []
    results, frames = [], []
    for hashed, key_file in files:
        if not key_file.exists():
            raise FileNotFoundError(f"{hashed.name}: no exchange key {key_file.name} beside it")
        partner = HashedList.from_json(hashed.read_text(encoding="utf-8"))
        if partner.side != "partner":
            raise ValueError(f"{hashed.name}: not a partner's hashed file (side {partner.side})")
        key = read_key(key_file)
        result = run_exchange(accounts, partner, key, seeds, settings)
        results.append(result)
        frames.append(result_frames(con, accounts, key, result))
    write_tables(con, frames)
    return results
