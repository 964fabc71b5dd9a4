"""The shipped CRM export mappings against hand-written vendor-shaped exports
(tests/fixtures/exports/, see its README), and the Salesforce export end to end through the Dagster
CRM ingest asset, configured by a sources file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
from dagster_dlt import DagsterDltResource
from typer.testing import CliRunner

from orchestration.assets.ingest import feed_assets
from orchestration.cli import app
from pipelines import settings
from pipelines.check import FileCheck, check_crm_export
from pipelines.contracts import entities
from pipelines.crm.mapping import MappingError, load_mapping, shipped_mappings
from tests.warehouse import query

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "exports"
US = {"date_format": "%m/%d/%Y", "timestamp_format": "%m/%d/%Y %I:%M %p"}
# the accounts come from a German user's Excel export; the opportunities through the Web API
GERMAN = {
    "decimal": ",",
    "date_format": "%d.%m.%Y",
    "timestamp_format": "%d.%m.%Y %H:%M",
    "entities": {"deals": {"decimal": "."}},
}


def _checks(mapping: str, config: dict | None = None) -> dict[str, FileCheck]:
    return {c.entity: c for c in check_crm_export(FIXTURES / mapping, mapping, config or {})}


def _summary(check: FileCheck) -> tuple[int, int, int, int]:
    return check.rows_in, check.rows_loaded, check.rows_quarantined, check.values_nulled


def test_every_shipped_mapping_loads_and_names_only_contract_columns() -> None:
    assert shipped_mappings() == ["dynamics365", "generic", "hubspot", "salesforce"]
    for name in shipped_mappings():
        mapping = load_mapping(name)
        assert mapping.entities, name
        for em in mapping.entities.values():
            assert set(em.columns) <= set(em.entity.column_names), (name, em.entity.name)


def test_a_mapping_that_leaves_a_required_column_unmapped_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.yml"
    path.write_text("entities:\n  deals:\n    columns:\n      id: [Id]\n")
    with pytest.raises(MappingError, match="deals: required column 'dealname' has no header"):
        load_mapping(path)


def test_salesforce_report_exports_with_declared_us_dates() -> None:
    checks = _checks("salesforce", US)
    assert _summary(checks["deals"]) == (8, 7, 1, 0)
    assert checks["deals"].quarantine_reasons == {"unknown dealstage value Stalled": 1}
    # the typo and the industry the contract has no vertical for: nulled, the account loads
    assert _summary(checks["companies"]) == (7, 7, 0, 2)
    assert set(checks["companies"].nulled_reasons) == {
        "unknown industry value Helthcare",
        "unknown industry value Agriculture",
    }
    assert checks["companies"].unknown == ("Region__c",)
    assert _summary(checks["partners"]) == (3, 3, 0, 0)
    assert _summary(checks["touches"]) == (5, 4, 1, 0)
    assert _summary(checks["deal_stage_changes"]) == (5, 5, 0, 0)
    assert checks["products"].note and "no file matches" in checks["products"].note


def test_salesforce_us_dates_without_a_declaration_are_refused_with_the_fix() -> None:
    deals = _checks("salesforce")["deals"]
    assert deals.rows_loaded == 0 and deals.rows_quarantined == 8
    reason = next(r for r in deals.quarantine_reasons if r.startswith("wrong type created_at"))
    assert "declare date_format: '%m/%d/%Y' (US)" in reason


def test_dynamics_logical_names_and_a_german_excel_export_in_cp1252() -> None:
    checks = _checks("dynamics365", GERMAN)
    assert _summary(checks["deals"]) == (4, 4, 0, 0)
    assert checks["companies"].encoding == "cp1252"
    assert _summary(checks["companies"]) == (3, 3, 0, 1)  # Eating and Drinking Places: no vertical
    undeclared = _checks("dynamics365")["companies"]
    assert undeclared.rows_loaded == 0  # 1.250.000,00 and 30.03.2026 are not guessed
    assert any("declare decimal:" in r for r in undeclared.quarantine_reasons)


def test_hubspot_export_reports_the_extra_column() -> None:
    checks = _checks("hubspot")
    assert _summary(checks["deals"]) == (3, 3, 0, 0)
    assert checks["deals"].unknown == ("Deal Type",)
    assert _summary(checks["companies"]) == (2, 2, 0, 0)


def test_generic_template_reads_an_excel_csv_with_a_bom() -> None:
    checks = _checks("generic")
    assert checks["deals"].encoding == "utf-8-sig"
    assert _summary(checks["deals"]) == (3, 3, 0, 0)  # the prospect without date or account loads
    assert "hubspot_owner_name" in checks["deals"].missing


@pytest.mark.slow
def test_a_salesforce_export_loads_through_the_crm_ingest_asset(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = data_dir / "sources.yml"
    sources.write_text(
        "feeds:\n  crm:\n    mode: export\n    mapping: salesforce\n"
        f"    folder: {FIXTURES / 'salesforce'}\n"
        "    date_format: '%m/%d/%Y'\n    timestamp_format: '%m/%d/%Y %I:%M %p'\n"
    )
    monkeypatch.setenv("PRM_SOURCES", str(sources))
    result = dg.materialize(
        [feed_assets("crm")], resources={"dlt": DagsterDltResource()}, raise_on_error=False
    )
    assert result.success
    deals = dict(query("select id, company_id from raw_crm.deals"))
    assert len(deals) == 7 and deals["0065g00000KqLmQAAV"] is None  # the prospect is pipeline
    assert query(
        "select closedate, createdate::varchar, amount from raw_crm.deals "
        "where id = '0065g00000KqLmNAAV'"
    ) == [
        (__import__("datetime").date(2026, 3, 12), "2026-01-15 00:00:00+00", Decimal("125000.00"))
    ]
    assert query(
        "select name, industry from raw_crm.companies where id = '0015g00000AbC2dAAF'"
    ) == [("Contoso Health", None)]
    assert query(
        "select column_name, value, reason from raw_crm.value_issues where value = 'Helthcare'"
    ) == [("industry", "Helthcare", "unknown industry value Helthcare")]
    # every record of every file accounted for, every nulled value counted
    ledger = query(
        "select sum(rows_in), sum(rows_loaded), sum(rows_quarantined), sum(rows_superseded),"
        " sum(rows_already_loaded), sum(values_nulled) from raw_crm.load_ledger"
    )
    assert ledger == [(28, 26, 2, 0, 0, 2)]
    assert query("select count(*) from raw_crm.value_issues") == [(2,)]
    assert query("select count(*) from raw_crm.registrations") == [(0,)]  # not in Salesforce
    # Product2 is mapped but was not exported: the table exists, empty, so the models can build
    assert query("select count(*) from raw_crm.products") == [(0,)]
    tables = {
        t
        for (t,) in query(
            "select table_name from information_schema.tables where table_schema = 'raw_crm'"
        )
    }
    assert {e.name for e in entities("crm")} <= tables
    assert query("select unknown_columns from raw_crm.load_ledger where entity = 'companies'") == [
        ("Region__c",)
    ]


def test_prm_sources_check_prints_per_file_and_writes_nothing(
    data_dir: Path, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yml"
    sources.write_text(
        f"feeds:\n  crm:\n    mode: export\n    mapping: salesforce\n"
        f"    folder: {FIXTURES / 'salesforce'}\n    date_format: '%m/%d/%Y'\n"
        "    timestamp_format: '%m/%d/%Y %I:%M %p'\n"
    )
    result = CliRunner().invoke(app, ["sources", "check", str(sources)])
    assert result.exit_code == 0, result.output
    assert "crm.companies  accounts/accounts_2026-03-31.csv  (utf-8)" in result.output
    assert "nulled, 1x: unknown industry value Helthcare" in result.output
    assert "quarantined, 1x: unknown dealstage value Stalled" in result.output
    assert "unknown columns (not loaded): Region__c" in result.output
    # five files; Product2 was not exported, so the products line is a note, not a file
    assert "crm.products  no file matches products/*.csv" in result.output
    assert "5 file(s), 28 rows: 26 would load, 2 be quarantined, 2 values nulled" in result.output
    assert not settings.warehouse_path().exists()


def test_a_crm_read_from_exports_is_not_written_back_and_says_so(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No API to write to: the write-back assets succeed with a reason instead of failing on a
    missing CRM (a Salesforce team's first `prm run`); an API configured beside it is written."""
    import dagster as dg

    from orchestration.assets.automation import crm_partner_writeback, crm_registration_writeback
    from orchestration.assets.conflicts import crm_conflict_writeback
    from pipelines.crm import writeback_skip_reason

    monkeypatch.delenv("SOURCES__CRM__BASE_URL", raising=False)
    assert writeback_skip_reason() is None, "the API (or the sandbox) by default"
    (data_dir / "sources.yml").write_text(
        f"feeds:\n  crm: {{mode: export, mapping: salesforce, folder: {FIXTURES / 'salesforce'}}}\n"
    )
    reason = writeback_skip_reason()
    assert reason is not None and "CSV exports" in reason
    for asset in (crm_partner_writeback, crm_registration_writeback, crm_conflict_writeback):
        result = asset(dg.build_asset_context())
        assert result.metadata["skipped"] == reason, asset
    monkeypatch.setenv("SOURCES__CRM__BASE_URL", "https://api.example.com")
    assert writeback_skip_reason() is None
