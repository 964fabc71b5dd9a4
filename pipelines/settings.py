"""Where things live. Every path derives from the project root or one environment variable.

``PRM_DATA_DIR``   root of everything generated (default ``<project>/data``)
``PRM_WAREHOUSE``  the DuckDB file dlt loads into and dbt builds in (default ``$PRM_DATA_DIR/warehouse.duckdb``)
``PRM_LANDING``    the landing folder of file drops (default ``$PRM_DATA_DIR/landing``)
``PRM_WORLD``      the simulated world's state and sandbox CRM database (default ``$PRM_DATA_DIR/world``)
``PRM_SOURCES``    the sources file: which feeds this warehouse has and how each is read (default
                   ``$PRM_DATA_DIR/sources.yml``; absent = the simulated world, all four feeds)
``PRM_FEEDS``      a comma-separated list of feeds that overrides the sources file's (``crm,finance``)
``PRM_PII_KEY``    the key of the keyed hash that stands in for e-mails and phone numbers outside the
                   raw_* schemas (default: ``pii_key`` of .dlt/secrets.toml, else one generated once
                   into ``$PRM_DATA_DIR/secrets.toml``)
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FEEDS = ("crm", "lms", "tcma", "finance")  # the same order as pipelines.contracts.SYSTEMS
FEEDS_ENV = "PRM_FEEDS"
SOURCES_ENV = "PRM_SOURCES"
PII_KEY_ENV = "PRM_PII_KEY"
PII_KEY_NAME = "pii_key"


def data_dir() -> Path:
    return Path(os.environ.get("PRM_DATA_DIR", PROJECT_ROOT / "data")).resolve()


def warehouse_path() -> Path:
    return Path(os.environ.get("PRM_WAREHOUSE", data_dir() / "warehouse.duckdb")).resolve()


def landing_dir() -> Path:
    return Path(os.environ.get("PRM_LANDING", data_dir() / "landing")).resolve()


def world_dir() -> Path:
    return Path(os.environ.get("PRM_WORLD", data_dir() / "world")).resolve()


def sources_file() -> Path:
    """The sources file: ``feeds:`` names each feed this warehouse loads, with how it is read."""
    return Path(os.environ.get(SOURCES_ENV, data_dir() / "sources.yml")).resolve()


class FeedConfigError(ValueError):
    """The configured feeds are not usable (unknown feed, or no CRM)."""


def configured_feeds() -> tuple[str, ...]:
    """The feeds this warehouse has, in contract order.

    ``$PRM_FEEDS`` (comma-separated) wins; else the keys of ``feeds:`` in the sources file; else,
    with neither, all four (the simulated world). The CRM is required: every mart hangs off it.
    Feeds not listed are absent: nothing loads them, and the models and pages that need them say so.
    """
    env = os.environ.get(FEEDS_ENV)
    if env is not None:
        names = [n.strip().lower() for n in env.split(",") if n.strip()]
        where = f"${FEEDS_ENV}"
    elif sources_file().is_file():
        import yaml

        doc = yaml.safe_load(sources_file().read_text()) or {}
        names = [str(n).lower() for n in (doc.get("feeds") or {})]
        where = str(sources_file())
    else:
        return FEEDS
    unknown = sorted(set(names) - set(FEEDS))
    if unknown:
        raise FeedConfigError(
            f"{where}: unknown feed(s) {', '.join(unknown)}; the feeds are {', '.join(FEEDS)}"
        )
    if "crm" not in names:
        raise FeedConfigError(f"{where}: the crm feed is required (every mart hangs off it)")
    return tuple(f for f in FEEDS if f in names)


def pipelines_dir() -> Path:
    """dlt's working folder (pipeline state and load packages), kept beside the warehouse."""
    return data_dir() / "dlt"


def docs_out_dir() -> Path:
    """Where ``prm docs`` writes the dbt documentation site (one self-contained index.html)."""
    return Path(os.environ.get("PRM_DOCS_OUT", data_dir() / "docs")).resolve()


def dashboards_out_dir() -> Path:
    return Path(os.environ.get("PRM_DASHBOARDS_OUT", data_dir() / "dashboards")).resolve()


def secrets_file() -> Path:
    """The generated secrets of this data folder (gitignored with the rest of ``data/``)."""
    return data_dir() / "secrets.toml"


def pii_key() -> str:
    """The key of the keyed hash of personal data (``macros/pii_hash.sql``).

    ``$PRM_PII_KEY``, else ``pii_key`` in .dlt/secrets.toml (dlt's secrets: env ``PII_KEY`` too), else
    the key of ``$PRM_DATA_DIR/secrets.toml``, generated there once (random, mode 0600) and reused
    after: hashes stay stable across runs, so joins on them keep working.
    """
    key = os.environ.get(PII_KEY_ENV)
    if key:
        return key
    import dlt

    key = dlt.secrets.get(PII_KEY_NAME)
    if key:
        return str(key)
    path = secrets_file()
    if not path.is_file():
        _write_new_key(path)
    key = tomllib.loads(path.read_text()).get(PII_KEY_NAME)
    if not key:
        raise RuntimeError(f"{path} has no {PII_KEY_NAME}: add one or remove the file")
    return str(key)


def _write_new_key(path: Path) -> None:
    """Write a random key to ``path`` unless another process got there first (atomic link)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(
            "# Generated once by pipelines.settings.pii_key(); keep it: a new key changes every hash.\n"
            f'{PII_KEY_NAME} = "{secrets.token_hex(32)}"\n'
        )
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def export_pii_key() -> None:
    """Put the PII key into the environment of this process and the dbt runs it starts."""
    os.environ[PII_KEY_ENV] = pii_key()
