"""Which feeds a warehouse has: the environment, then the sources file, then all four."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import settings
from pipelines.contracts import SYSTEMS


@pytest.fixture(autouse=True)
def _no_feed_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.FEEDS_ENV, raising=False)
    monkeypatch.delenv(settings.SOURCES_ENV, raising=False)


def test_feeds_follow_the_contract_order() -> None:
    assert settings.FEEDS == SYSTEMS


def test_without_configuration_every_feed_is_configured() -> None:
    assert settings.configured_feeds() == SYSTEMS


def test_the_sources_file_names_the_feeds(data_dir: Path) -> None:
    (data_dir / "sources.yml").write_text("feeds:\n  finance: {}\n  crm:\n    mode: export\n")
    assert settings.configured_feeds() == ("crm", "finance")


def test_the_environment_overrides_the_sources_file(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (data_dir / "sources.yml").write_text("feeds:\n  crm: {}\n  finance: {}\n")
    monkeypatch.setenv(settings.FEEDS_ENV, "CRM, lms")
    assert settings.configured_feeds() == ("crm", "lms")


@pytest.mark.parametrize(
    ("value", "message"),
    [("crm,erp", r"unknown feed\(s\) erp"), ("lms,finance", "the crm feed is required")],
)
def test_unusable_feeds_are_a_clear_error(
    value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.FEEDS_ENV, value)
    with pytest.raises(settings.FeedConfigError, match=message):
        settings.configured_feeds()
