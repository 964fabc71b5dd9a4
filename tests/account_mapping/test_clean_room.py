"""The account-mapping clean room on real-shaped lists (tests/account_mapping/data/PROVENANCE.md):
it finds the known overlap, and nothing of either side's other rows comes out anywhere."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.account_mapping.lists import ListRow, read_list, row_keys
from orchestration.account_mapping.protocol import (
    CATEGORIES,
    HashedList,
    MappingSettings,
    match,
    pairs,
    parse_key,
    prepare,
    reveal,
    row_ref,
    write_results,
)
from orchestration.account_mapping.warehouse import TABLES, map_accounts
from orchestration.conflicts.normalize import load_seeds, registrable_domain

DATA = Path(__file__).with_name("data")
KEY = parse_key("5e" * 32)
OTHER_KEY = parse_key("a7" * 32)
SETTINGS = MappingSettings(min_overlap=5, min_list_rows=10)
HEX = re.compile(r"^[0-9a-f]+$")


@pytest.fixture(scope="module")
def seeds():
    return load_seeds()


@pytest.fixture(scope="module")
def lists() -> tuple[list[ListRow], list[ListRow]]:
    return read_list(DATA / "vendor_accounts.csv"), read_list(DATA / "partner_accounts.csv")


@pytest.fixture(scope="module")
def expected() -> list[dict[str, str]]:
    with (DATA / "expected_overlaps.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _hashed(lists, seeds, key=KEY, partner_key=None):
    vendor, partner = lists
    return (
        prepare(vendor, key, "vendor", "vendor", "X-1", seeds),
        prepare(partner, partner_key or key, "partner", "P-000042", "X-1", seeds),
    )


def _clear_values(row: ListRow, seeds) -> set[str]:
    """What of a row must not be readable: its name, domain, country and their keys (the values
    that are not plain hex, which a hash could contain by chance)."""
    keys = row_keys(row, seeds)
    values = {row.name.strip(), row.domain, registrable_domain(row.domain), keys.name, keys.domain}
    return {v.lower() for v in values if v and len(v) >= 2 and not HEX.match(v.lower())}


def _non_overlap(lists, expected, seeds) -> tuple[list[ListRow], list[ListRow]]:
    vendor, partner = lists
    found = [e for e in expected if e["category"] != "missed"]
    shared_v = {e["vendor_name"] for e in found}
    shared_p = {e["partner_name"] for e in found}
    return (
        [r for r in vendor if r.name not in shared_v],
        [r for r in partner if r.name.strip() not in {n.strip() for n in shared_p}],
    )


def _secret_strings(rows: list[ListRow], side: str, hashed: HashedList, seeds) -> set[str]:
    """Clear values, row references and name/domain hashes of ``rows`` (countries are shared by
    many rows, so their hashes are not secrets of one row)."""
    by_ref = {r.ref: r for r in hashed.rows}
    out: set[str] = set()
    for row in rows:
        out |= _clear_values(row, seeds)
        ref = row_ref(KEY, side, row)
        out.add(ref)
        hr = by_ref.get(ref)
        if hr:
            out |= {h for h in (hr.domain, hr.name) if h}
    return out


def _run_all(tmp: Path, lists, seeds) -> list[Path]:
    """Every output a run of the protocol writes: the matcher's files and both sides' reveals."""
    vendor_hashed, partner_hashed = _hashed(lists, seeds)
    result = match(vendor_hashed, partner_hashed, SETTINGS)
    paths = write_results(result, tmp / "match")
    for side, rows in zip(("vendor", "partner"), lists, strict=True):
        revealed = reveal(rows, KEY, side, tmp / "match" / "overlaps.csv")
        out = tmp / f"{side}_shared.csv"
        out.write_text(json.dumps(revealed), encoding="utf-8")
        paths.append(out)
    return paths


# -- matching ----------------------------------------------------------------------------------


def test_the_known_overlap_is_found_and_nothing_else(lists, expected, seeds) -> None:
    vendor, partner = lists
    vendor_hashed, partner_hashed = _hashed(lists, seeds)
    names_v = {row_ref(KEY, "vendor", r): r.name for r in vendor}
    names_p = {row_ref(KEY, "partner", r): r.name for r in partner}
    found = {
        (names_v[p.vendor_ref], names_p[p.partner_ref])
        for p in pairs(vendor_hashed, partner_hashed)
    }
    # the lists are read with their cells trimmed
    pair = {(e["vendor_name"].strip(), e["partner_name"].strip()): e["category"] for e in expected}
    truth = {p for p, category in pair.items() if category != "missed"}
    missed = {p for p, category in pair.items() if category == "missed"}
    assert found == truth
    assert len(truth) == 21 and len(missed) == 2


def test_the_overlap_table_has_the_three_categories_and_the_matrix_every_cell(
    lists, expected, seeds
) -> None:
    result = match(*_hashed(lists, seeds), SETTINGS)
    assert result.status == "matched" and result.overlap_count == 21
    counts = {c: sum(o.category == c for o in result.overlaps) for c in CATEGORIES.values()}
    want = {c: sum(e["category"] == c for e in expected) for c in CATEGORIES.values()}
    assert (
        counts
        == want
        == {
            "shared_customer": 11,
            "partner_customer_vendor_opportunity": 4,
            "partner_customer_vendor_prospect": 4,
        }
    )
    assert len(result.matrix) == 9 and sum(result.matrix.values()) == 21
    assert result.matrix[("prospect", "prospect")] == 1  # KDDI: counted, not listed
    assert result.matrix[("prospect", "customer")] == 1
    assert {o.play for o in result.cosell} == {"co_sell", "introduction"} and len(
        result.cosell
    ) == 8


def test_free_mail_domains_and_other_countries_do_not_match(seeds) -> None:
    def one(name, domain, country):
        return ListRow(1, name, domain, country, "customer")

    v = prepare([one("Tridea Works", "gmail.com", "")], KEY, "vendor", "v", "x", seeds)
    p = prepare([one("Tencastle", "someone@gmail.com", "")], KEY, "partner", "p", "x", seeds)
    assert pairs(v, p) == []
    v = prepare([one("Alcatel", "alcatel.de", "Germany")], KEY, "vendor", "v", "x", seeds)
    p = prepare([one("Alcatel", "alcatel.fr", "France")], KEY, "partner", "p", "x", seeds)
    assert pairs(v, p) == []
    p = prepare([one("ALCATEL", "", "")], KEY, "partner", "p", "x", seeds)
    assert len(pairs(v, p)) == 1  # no country on one side: the name decides


# -- what the outputs may contain ----------------------------------------------------------------


def test_the_hashed_files_hold_no_clear_name_domain_or_country(lists, seeds) -> None:
    for hashed, rows in zip(_hashed(lists, seeds), lists, strict=True):
        data = json.loads(hashed.to_json())
        values = [v for r in data["rows"] for k, v in r.items() if k != "status"]
        assert values and all(v == "" or HEX.match(v) for v in values)  # hashes only
        text = json.dumps({k: v for k, v in data.items() if k != "rows"}) + " ".join(values)
        for row in rows:
            for value in _clear_values(row, seeds) | {row.country.lower()} - {""}:
                assert value not in text.lower(), value
        assert [r.ref for r in hashed.rows] == sorted(r.ref for r in hashed.rows)


def test_no_output_holds_anything_of_a_non_overlapping_row(
    tmp_path, lists, expected, seeds
) -> None:
    vendor_hashed, partner_hashed = _hashed(lists, seeds)
    only_v, only_p = _non_overlap(lists, expected, seeds)
    assert len(only_v) == 19 and len(only_p) == 14
    secrets_ = _secret_strings(only_v, "vendor", vendor_hashed, seeds)
    secrets_ |= _secret_strings(only_p, "partner", partner_hashed, seeds)
    paths = _run_all(tmp_path, lists, seeds)
    assert len(paths) == 6
    for path in paths:
        text = path.read_text(encoding="utf-8").lower()
        leaked = sorted(s for s in secrets_ if s in text)
        assert leaked == [], f"{path.name}: {leaked[:5]}"
    # and each side's reveal shows only its own spelling of the shared accounts
    vendor_view = json.loads((tmp_path / "vendor_shared.csv").read_text(encoding="utf-8"))
    assert len(vendor_view) == 19 and {"partner_status", "category"} <= set(vendor_view[0])
    assert not {r["name"] for r in vendor_view} & {r.name for r in lists[1]} - {
        r.name for r in lists[0]
    }


def test_a_list_below_the_thresholds_gets_nothing(tmp_path, lists, expected, seeds) -> None:
    vendor, partner = lists
    only_p = _non_overlap(lists, expected, seeds)[1]
    shared = [r for r in partner if r not in only_p]
    # four shared accounts padded with the partner's own others: enough rows, too little overlap
    probe = shared[:4] + only_p
    result = match(
        prepare(vendor, KEY, "vendor", "v", "X-1", seeds),
        prepare(probe, KEY, "partner", "P-1", "X-1", seeds),
        SETTINGS,
    )
    assert result.status == "below_threshold"
    assert (result.overlap_count, result.overlaps, result.matrix) == (0, (), {})
    paths = write_results(result, tmp_path)
    for path in paths[:3]:
        assert len(path.read_text(encoding="utf-8").splitlines()) == 1, path.name  # header only
    summary = json.loads(paths[3].read_text(encoding="utf-8"))
    assert summary["overlap_count"] == 0 and set(summary["categories"].values()) == {0}
    # a short list of single accounts to probe: nothing, even when every one of them matches
    short = match(
        prepare(vendor, KEY, "vendor", "v", "X-1", seeds),
        prepare(shared[:9], KEY, "partner", "P-1", "X-1", seeds),
        SETTINGS,
    )
    assert short.status == "list_too_small" and short.overlaps == () and short.matrix == {}


def test_the_same_inputs_give_the_same_files(tmp_path, lists, seeds) -> None:
    first = [p.read_bytes() for p in _run_all(tmp_path / "a", lists, seeds)]
    second = [p.read_bytes() for p in _run_all(tmp_path / "b", lists, seeds)]
    assert first == second
    assert _hashed(lists, seeds)[0].to_json() == _hashed(lists, seeds)[0].to_json()
    shuffled = (list(reversed(lists[0])), lists[1])
    reordered = match(*_hashed(shuffled, seeds), SETTINGS)
    assert reordered.overlap_count == 21  # rows keep their line numbers, not their order


def test_a_wrong_key_matches_nothing(lists, seeds) -> None:
    vendor_hashed, partner_hashed = _hashed(lists, seeds, partner_key=OTHER_KEY)
    assert pairs(vendor_hashed, partner_hashed) == []
    result = match(vendor_hashed, partner_hashed, SETTINGS)
    assert result.status == "key_mismatch" and result.overlaps == ()
    # even a file claiming the right key's fingerprint matches nothing
    forged = replace(partner_hashed, key_fingerprint=vendor_hashed.key_fingerprint)
    assert match(vendor_hashed, forged, SETTINGS).status == "below_threshold"


# -- the warehouse's side and the CLI ------------------------------------------------------------


def _warehouse(lists) -> duckdb.DuckDBPyConnection:
    """marts.dim_accounts / fct_opportunities holding the vendor list (status from the deals)."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_accounts (account_id varchar, account_name varchar, "
        "account_domain varchar, country varchar)"
    )
    con.execute(
        "create table marts.fct_opportunities (opportunity_id varchar, account_id varchar, "
        "deal_stage varchar, amount decimal(18,2), is_won boolean, is_open boolean)"
    )
    for row in lists[0]:
        account = f"A{row.line:03d}"
        con.execute(
            "insert into marts.dim_accounts values (?, ?, ?, ?)",
            [account, row.name, row.domain, row.country],
        )
        if row.status != "prospect":
            won = row.status == "customer"
            con.execute(
                "insert into marts.fct_opportunities values (?, ?, ?, ?, ?, ?)",
                [
                    f"O{row.line:03d}",
                    account,
                    "closed_won" if won else "proposal",
                    1000,
                    won,
                    not won,
                ],
            )
    return con


def test_the_asset_writes_overlap_only_tables_from_the_warehouse(
    tmp_path, lists, expected, seeds
) -> None:
    con = _warehouse(lists)
    assert map_accounts(con, tmp_path / "absent", seeds, SETTINGS) == []
    for table in TABLES:
        assert con.execute(f"select count(*) from account_mapping.{table}").fetchone()[0] == 0

    folder = tmp_path / "account_mapping"
    folder.mkdir()
    partner_hashed = prepare(lists[1], KEY, "partner", "P-000042", "X-1", seeds)
    (folder / "P-000042.json").write_text(partner_hashed.to_json(), encoding="utf-8")
    (folder / "P-000042.key").write_text(KEY.hex(), encoding="utf-8")
    [result] = map_accounts(con, folder, seeds, SETTINGS)
    assert result.status == "matched" and result.overlap_count == 21
    counts = dict(
        con.execute("select category, count(*) from account_mapping.overlaps group by 1").fetchall()
    )
    assert counts == {
        "shared_customer": 11,
        "partner_customer_vendor_opportunity": 4,
        "partner_customer_vendor_prospect": 4,
    }
    cosell = con.execute(
        "select play, count(*), count(opportunity_id) from account_mapping.cosell_opportunities "
        "group by 1 order by 1"
    ).fetchall()
    assert cosell == [("co_sell", 4, 4), ("introduction", 4, 0)]
    assert (
        con.execute("select sum(accounts) from account_mapping.population_matrix").fetchone()[0]
        == 21
    )

    vendor_hashed = prepare(lists[0], KEY, "vendor", "vendor", "X-1", seeds)
    only_v, only_p = _non_overlap(lists, expected, seeds)
    secrets_ = _secret_strings(only_v, "vendor", vendor_hashed, seeds)
    secrets_ |= _secret_strings(only_p, "partner", partner_hashed, seeds)
    secrets_ |= {f"a{r.line:03d}" for r in only_v}  # the vendor's own account ids too
    for table in TABLES:
        text = str(con.execute(f"select * from account_mapping.{table}").fetchall()).lower()
        leaked = sorted(s for s in secrets_ if s in text)
        assert leaked == [], f"{table}: {leaked[:5]}"


def test_the_cli_runs_the_protocol_end_to_end(tmp_path) -> None:
    from orchestration.cli import app

    runner = CliRunner()

    def run(*args: str) -> str:
        done = runner.invoke(app, ["mapping", *map(str, args)])
        assert done.exit_code == 0, done.output
        return done.output

    key = tmp_path / "exchange.key"
    assert "fingerprint" in run("key", "--out", key)
    assert runner.invoke(app, ["mapping", "key", "--out", str(key)]).exit_code != 0  # kept
    for side, name in (("vendor", "vendor_accounts.csv"), ("partner", "partner_accounts.csv")):
        run("prepare", DATA / name, "--key", key, "--side", side, "--party", side,
            "--exchange", "X-1", "--out", tmp_path / f"{side}.json")  # fmt: skip
    out = run("match", tmp_path / "vendor.json", tmp_path / "partner.json", "--out", tmp_path / "m")
    assert out.startswith("matched: 21 shared accounts")
    run("reveal", DATA / "partner_accounts.csv", "--key", key, "--side", "partner",
        "--overlaps", tmp_path / "m" / "overlaps.csv", "--out", tmp_path / "mine.csv")  # fmt: skip
    with (tmp_path / "mine.csv").open(newline="", encoding="utf-8") as f:
        mine = list(csv.DictReader(f))
    assert len(mine) == 19 and "vendor_status" in mine[0]


def test_statuses_are_read_as_lists_write_them() -> None:
    from orchestration.account_mapping.lists import normalise_status

    assert [normalise_status(s) for s in ("", "Client", "Open_Opportunity", "open-opportunity", "LEAD")] == [
        "customer", "customer", "opportunity", "opportunity", "prospect",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="unknown status"):
        normalise_status("churned")
