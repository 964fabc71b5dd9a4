"""The sources file: how each configured feed is read (``$PRM_SOURCES``, default
``$PRM_DATA_DIR/sources.yml``).

``feeds:`` names the feeds a warehouse has (``pipelines.settings.configured_feeds``); under each
feed key, how its files are read::

    feeds:
      crm:
        mode: export             # api (default: HubSpot API or the sandbox) | export (CSV files)
        mapping: salesforce      # a shipped mapping (pipelines/crm/mappings/<name>.yml) or a path
        folder: /data/exports    # where the export files are (default $PRM_LANDING/crm_export)
        encoding: cp1252         # declared formats (pipelines.common.formats), else detected
        decimal: ","
        date_format: "%d.%m.%Y"
        entities:                # per-object formats, for one object exported another way
          deals: {decimal: "."}
      finance:
        decimal: ","             # the file drops of a feed can declare formats too

An absent file, or an absent feed entry, means the defaults. Unknown keys are an error, so a typo
does not silently fall back to a default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines import settings
from pipelines.common.formats import FORMAT_KEYS, FeedFormat

FEED_KEYS = {"crm": (*FORMAT_KEYS, "mode", "mapping", "folder", "entities")}
MODES = ("api", "export")


class SourcesFileError(ValueError):
    """The sources file says something that cannot be used."""


def load_sources(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """``feed -> its entry`` from the sources file (empty when there is no file)."""
    import yaml

    path = path or settings.sources_file()
    if not path.is_file():
        return {}
    doc = yaml.safe_load(path.read_text()) or {}
    feeds = doc.get("feeds") or {}
    if not isinstance(feeds, dict):
        raise SourcesFileError(f"{path}: feeds: must be a mapping of feed name to its settings")
    out: dict[str, dict[str, Any]] = {}
    for feed, entry in feeds.items():
        entry = entry or {}
        if not isinstance(entry, dict):
            raise SourcesFileError(f"{path}: feeds.{feed} must be a mapping")
        allowed = FEED_KEYS.get(str(feed), FORMAT_KEYS)
        unknown = sorted(set(entry) - set(allowed))
        if unknown:
            raise SourcesFileError(
                f"{path}: feeds.{feed}: unknown key(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(allowed)}"
            )
        if entry.get("mode", "api") not in MODES:
            raise SourcesFileError(f"{path}: feeds.{feed}.mode must be one of {', '.join(MODES)}")
        out[str(feed)] = entry
    return out


def feed_config(system: str, path: Path | None = None) -> dict[str, Any]:
    """The sources-file entry of one feed (``{}`` when it has none)."""
    return load_sources(path).get(system, {})


def feed_format(system: str, path: Path | None = None) -> FeedFormat:
    """The declared formats of one feed's files."""
    try:
        return FeedFormat.from_config(feed_config(system, path), where=f"feeds.{system}")
    except ValueError as e:
        raise SourcesFileError(f"{path or settings.sources_file()}: {e}") from e


def crm_mode(path: Path | None = None) -> str:
    """``api`` (HubSpot API or the sandbox) or ``export`` (CSV exports through a mapping)."""
    return str(feed_config("crm", path).get("mode", "api"))
