"""Personal data outside the restricted raw_* schemas: the key, the hash, the masking and the scan."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from pipelines import settings
from pipelines.pii import EMAIL_PATTERN, PHONE_PATTERN
from tests.dbt.fake_raw import build
from tests.pii_scan import scan_data_dir, scan_pages, scan_warehouse

MACROS = settings.PROJECT_ROOT / "dbt_project" / "macros"


# --- the scan can fail -------------------------------------------------------------------------


def _warehouse_with(path: Path, statements: list[str]) -> Path:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return path


CLEAN = [
    "create schema raw_crm",
    "create table raw_crm.contacts as select 'ann.lee@partner.com' as email, '+1-555-303-2373' as phone",
    "create schema raw_crm_staging",
    "create table raw_crm_staging.contacts as select * from raw_crm.contacts",
    "create schema marts",
    """create table marts.dim_partner_contacts as select
        'c1' as contact_id, sha256('k|ann.lee@partner.com') as email_hash, 42 as amount,
        '2026-09-28' as closed_on, '2025-01-06T21:02:07.000Z' as stamp, '200000499' as crm_id,
        '+100' as delta, 'P-000100' as partner_ref, 'EXE-0000446' as execution_id,
        '{"email":"<email>","phone":"<phone>"}' as payload""",
]


def test_the_scan_passes_hashes_ids_dates_and_amounts_and_ignores_the_raw_schemas(tmp_path) -> None:
    warehouse = _warehouse_with(tmp_path / "warehouse.duckdb", CLEAN)
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "index.html").write_text("<p>1,234,567.89 USD on 2026-09-28</p>")
    assert scan_warehouse(warehouse) == []
    assert scan_data_dir(tmp_path) == []


@pytest.mark.parametrize(
    "leak",
    [
        "create table marts.leak as select 'ann.lee@partner.com' as contact",
        'create table marts.leak as select \'{"x": "+44 20 7946 0958"}\'::json as payload',
        "create table marts.leak as select ['(555) 303-2373'] as phones",
        "create schema test_failures; create table test_failures.leak as select 'a.b@c.io' as email",
        "create schema staging; create view staging.leak as select email from raw_crm.contacts",
    ],
    ids=["email in a mart", "phone in json", "phone in a list", "test_failures", "staging view"],
)
def test_the_scan_finds_an_email_or_phone_in_clear_outside_the_raw_schemas(tmp_path, leak) -> None:
    warehouse = _warehouse_with(tmp_path / "w.duckdb", [*CLEAN, leak])
    findings = scan_warehouse(warehouse)
    assert len(findings) == 1, findings
    assert "leak" in findings[0].where
    assert "ann.lee" not in str(findings[0])  # a finding does not print the value in full


def test_the_scan_finds_an_email_in_a_page(tmp_path) -> None:
    (tmp_path / "dashboards").mkdir()
    page = tmp_path / "dashboards" / "partner_scorecards.html"
    page.write_text('<script>{"hovertext": ["ann.lee@partner.com"]}</script>')
    (finding,) = scan_pages(tmp_path)
    assert (finding.where, finding.kind) == (str(page), "email")


def test_the_masking_macro_uses_the_scan_patterns() -> None:
    text = (MACROS / "pii_redact.sql").read_text()

    def body(name: str) -> str:
        return re.search(rf"macro {name}\(\) -%}}\n(.*?)\n{{%- endmacro", text, re.S).group(1)

    assert body("pii_email_pattern") == EMAIL_PATTERN
    assert body("pii_phone_pattern") == PHONE_PATTERN


# --- the key -----------------------------------------------------------------------------------


def test_the_key_comes_from_the_environment_first(data_dir, monkeypatch) -> None:
    monkeypatch.setenv(settings.PII_KEY_ENV, "from-env")
    monkeypatch.setenv("PII_KEY", "from-dlt-secrets")
    assert settings.pii_key() == "from-env"
    monkeypatch.delenv(settings.PII_KEY_ENV)
    assert settings.pii_key() == "from-dlt-secrets"  # dlt.secrets: env PII_KEY or .dlt/secrets.toml
    assert not settings.secrets_file().exists()


def test_without_a_key_one_is_generated_once_into_the_data_dir_and_reused(
    data_dir, monkeypatch
) -> None:
    monkeypatch.delenv(settings.PII_KEY_ENV, raising=False)
    monkeypatch.delenv("PII_KEY", raising=False)
    first = settings.pii_key()
    path = settings.secrets_file()
    assert path.parent == data_dir
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64 and settings.pii_key() == first
    settings.export_pii_key()
    assert os.environ[settings.PII_KEY_ENV] == first


def test_the_secrets_files_are_gitignored() -> None:
    for path in ("data/secrets.toml", ".dlt/secrets.toml"):
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", path], cwd=settings.PROJECT_ROOT, check=False
        )
        assert ignored.returncode == 0, path


# --- the hash in dbt ---------------------------------------------------------------------------


def _build_contacts(tmp: Path, monkeypatch: pytest.MonkeyPatch, key: str | None) -> object:
    monkeypatch.setenv("PRM_WAREHOUSE", str(tmp / "w.duckdb"))
    if key is None:
        monkeypatch.delenv(settings.PII_KEY_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.PII_KEY_ENV, key)
    return dbtRunner().invoke(
        [
            "run",
            "--select",
            "stg_crm__contacts",
            "--project-dir",
            str(settings.PROJECT_ROOT),
            "--profiles-dir",
            str(settings.PROJECT_ROOT / "dbt_project"),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ]
    )


def _hashes(tmp: Path) -> list[tuple]:
    con = duckdb.connect(str(tmp / "w.duckdb"))  # as dbt opened it: dbtRunner keeps it open
    try:
        return con.execute(
            "select contact_id, email_hash, phone_hash from staging.stg_crm__contacts order by 1"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.xdist_group("dbt")
def test_staging_hashes_with_the_key_stably_and_fails_clearly_without_it(
    tmp_path, monkeypatch
) -> None:
    warehouse = build(tmp_path / "w.duckdb")
    con = duckdb.connect(str(warehouse))
    con.execute(
        "update raw_crm.contacts set email = case id when '1' then ' Ann.Lee@Partner.com '"
        " else 'ann.lee@partner.com' end, phone = null"
    )
    con.close()

    assert _build_contacts(tmp_path, monkeypatch, "key-one").success
    first = _hashes(tmp_path)
    assert _build_contacts(tmp_path, monkeypatch, "key-one").success
    assert _hashes(tmp_path) == first, "same key, same hash: joins on it survive a rerun"
    emails = {email for _, email, _ in first}
    assert len(emails) == 1, "trimmed and lower-cased before hashing"
    assert all(phone is None for _, _, phone in first), "no value, no hash"
    assert hashlib.sha256(b"ann.lee@partner.com").hexdigest() not in emails, "keyed, not bare"

    assert _build_contacts(tmp_path, monkeypatch, "key-two").success
    assert {email for _, email, _ in _hashes(tmp_path)}.isdisjoint(emails), "the key matters"

    missing = _build_contacts(tmp_path, monkeypatch, None)
    assert not missing.success
    (result,) = missing.result.results
    assert "PRM_PII_KEY is not set" in result.message
    # the key never reaches compiled SQL or dbt's logs
    for folder in (tmp_path / "target", tmp_path / "logs"):
        for path in folder.rglob("*"):
            if path.is_file():
                assert b"key-one" not in path.read_bytes(), path
