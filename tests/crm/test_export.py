"""CSV exports: written from a CRM database, loaded into the same raw_crm tables as the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlt
import pytest

from pipelines import settings
from pipelines.common.ledger import LEDGER_TABLE
from pipelines.contracts import entities
from pipelines.crm import crm_export_source, write_export
from pipelines.crm.export import export_mapping
from tests.crm.conftest import query

CRM = list(entities("crm"))


def load_exports(folder: Path, warehouse: Path) -> Any:
    p = dlt.pipeline(
        pipeline_name="prm_crm_export_test",
        destination=dlt.destinations.duckdb(str(warehouse)),
        dataset_name="raw_crm",
        pipelines_dir=str(settings.pipelines_dir()),
    )
    p.run(crm_export_source(str(folder)), loader_file_format="parquet")
    return p


def contents(warehouse: Path | None, table: str, columns: list[str]) -> list[tuple]:
    cols = ", ".join(columns)
    return query(f"select {cols} from raw_crm.{table} order by all", warehouse)


def test_mapping_covers_every_contract_column() -> None:
    mapping = export_mapping()
    for e in CRM:
        mapped = list(mapping[e.name].values())
        assert sorted(mapped) == sorted(e.column_names), e.name


@pytest.mark.slow
def test_export_loads_like_the_api(
    crm_db: Path, load_crm: Callable[..., Any], data_dir: Path
) -> None:
    load_crm()
    folder = data_dir / "landing" / "crm_export"
    files = write_export(crm_db, folder, "2026-01-02")
    assert files[0] == folder / "partners" / "partners__2026-01-02.csv"
    other = data_dir / "export.duckdb"
    load_exports(folder, other)
    for e in CRM:
        cols = list(e.column_names)
        assert contents(other, e.name, cols) == contents(None, e.name, cols), e.name
    quarantine = "entity, reason"
    assert contents(other, "quarantined_records", quarantine.split(", ")) == contents(
        None, "quarantined_records", quarantine.split(", ")
    )
    # the same snapshot again, under a new date, adds nothing (immutable events included)
    write_export(crm_db, folder, "2026-01-03")
    p = load_exports(folder, other)
    counts = p.last_trace.last_normalize_info.row_counts
    assert {
        t: n for t, n in counts.items() if not t.startswith("_dlt") and t != LEDGER_TABLE and n
    } == {}


def test_a_file_missing_a_required_column_is_quarantined_as_a_file_and_the_rest_loads(
    crm_db: Path, data_dir: Path
) -> None:
    folder = data_dir / "exports"
    write_export(crm_db, folder, "2026-01-02")
    path = folder / "deals" / "deals__2026-01-02.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    drop = header.index("Deal Stage")
    path.write_text(
        "\n".join(",".join(v for i, v in enumerate(line.split(",")) if i != drop) for line in lines)
    )
    warehouse = data_dir / "x.duckdb"
    load_exports(folder, warehouse)
    [(source, reason, position, size)] = query(
        "select source, reason, position, size_bytes from raw_crm.quarantined_files", warehouse
    )
    assert source == "crm_export/deals/deals__2026-01-02.csv" and position == "line 1"
    assert "dealstage: 'Deal Stage' or 'dealstage'" in reason and size == path.stat().st_size
    assert query("select count(*) from raw_crm.partners", warehouse)[0][0] > 0
    assert query(
        "select file_status, rows_in from raw_crm.load_ledger where entity = 'deals'", warehouse
    ) == [("quarantined", 0)]


def test_unmapped_headers_are_ignored_and_reported(crm_db: Path, data_dir: Path) -> None:
    folder = data_dir / "exports"
    write_export(crm_db, folder, "2026-01-02")
    path = folder / "products" / "products__2026-01-02.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",Owner Team", *(f"{x},blue" for x in lines[1:])]) + "\n")
    p = load_exports(folder, data_dir / "x.duckdb")
    assert query("select count(*) from raw_crm.products", data_dir / "x.duckdb") == [(6,)]
    state = p.state["sources"]["crm_export"]["resources"]["products"]
    ref = "crm_export/products/products__2026-01-02.csv"
    assert state["unmapped_headers"] == {ref: ["Owner Team"]}
