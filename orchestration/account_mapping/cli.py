"""``prm mapping``: the account-mapping clean room from the command line (docs/account_mapping.md).

Each side runs ``key`` (once, one of them, shared out of band), ``prepare`` (locally, on its own
list) and, after the match, ``reveal`` (its own names on its own references); the matcher runs
``match`` on the two hashed files and never holds the key.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from pipelines.settings import PROJECT_ROOT

mapping_app = typer.Typer(
    help="Account mapping clean room: shared accounts with a partner, nothing else.",
    no_args_is_help=True,
)
SETTINGS_SEED = PROJECT_ROOT / "seeds" / "account_mapping_settings.csv"
SideOption = Annotated[str, typer.Option(help="vendor | partner: whose list this is")]
KeyOption = Annotated[Path, typer.Option("--key", help="the exchange key file (prm mapping key)")]


def _key(path: Path) -> bytes:
    from orchestration.account_mapping.protocol import read_key

    if not path.exists():
        raise typer.BadParameter(f"no such key file: {path}", param_hint="--key")
    try:
        return read_key(path)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--key") from e


def _list(path: Path) -> list:
    from orchestration.account_mapping.lists import read_list

    if not path.exists():
        raise typer.BadParameter(f"no such list: {path}")
    try:
        return read_list(path)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from e


@mapping_app.command("key")
def key(
    out: Annotated[Path, typer.Option(help="where to write the new exchange key")],
) -> None:
    """Write a new random exchange key (one per vendor x partner exchange; share it with the other
    side, never with the matcher)."""
    from orchestration.account_mapping.protocol import fingerprint, new_key, parse_key

    if out.exists():
        raise typer.BadParameter(f"{out} exists: an exchange key is never overwritten")
    out.parent.mkdir(parents=True, exist_ok=True)
    text = new_key()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    typer.echo(f"key written to {out} (fingerprint {fingerprint(parse_key(text))})")


@mapping_app.command("prepare")
def prepare(
    accounts: Annotated[Path, typer.Argument(help="CSV: name, domain, optional country, status")],
    key_file: KeyOption,
    side: SideOption,
    party: Annotated[str, typer.Option(help="who this list belongs to (e.g. the partner id)")],
    exchange: Annotated[str, typer.Option(help="the exchange id both sides agreed on")],
    out: Annotated[Path, typer.Option(help="the hashed file to write (JSON, no clear names)")],
) -> None:
    """Hash your own list locally with the exchange key: the file holds no name or domain."""
    from orchestration.account_mapping.protocol import SIDES
    from orchestration.account_mapping.protocol import prepare as prepare_list
    from orchestration.conflicts.normalize import load_seeds

    if side not in SIDES:
        raise typer.BadParameter(f"one of {', '.join(SIDES)}", param_hint="--side")
    hashed = prepare_list(_list(accounts), _key(key_file), side, party, exchange, load_seeds())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(hashed.to_json() + "\n", encoding="utf-8")
    typer.echo(
        f"{len(hashed.rows)} rows hashed to {out}"
        + (
            f" ({hashed.skipped} without a usable name or domain left out)"
            if hashed.skipped
            else ""
        )
    )


@mapping_app.command("match")
def match(
    vendor: Annotated[Path, typer.Argument(help="the vendor's hashed file")],
    partner: Annotated[Path, typer.Argument(help="the partner's hashed file")],
    out: Annotated[Path, typer.Option(help="folder for the overlap-only outputs")],
    settings_file: Annotated[
        Path, typer.Option("--settings", help="thresholds, as seeds/account_mapping_settings.csv")
    ] = SETTINGS_SEED,
) -> None:
    """Match two hashed files (no key needed): overlap table, population matrix, co-sell plays;
    nothing at all below the thresholds."""
    from orchestration.account_mapping.protocol import HashedList, load_settings, write_results
    from orchestration.account_mapping.protocol import match as match_lists

    try:
        lists = [HashedList.from_json(p.read_text(encoding="utf-8")) for p in (vendor, partner)]
        result = match_lists(*lists, load_settings(settings_file))
    except (OSError, ValueError, KeyError) as e:
        raise typer.BadParameter(str(e)) from e
    paths = write_results(result, out)
    typer.echo(f"{result.status}: {result.message}")
    for path in paths:
        typer.echo(path)


@mapping_app.command("reveal")
def reveal(
    accounts: Annotated[Path, typer.Argument(help="your own list, as given to prepare")],
    key_file: KeyOption,
    side: SideOption,
    overlaps: Annotated[Path, typer.Option(help="the matcher's overlaps.csv")],
    out: Annotated[Path, typer.Option(help="CSV of your shared accounts")],
) -> None:
    """Put your own names back on your own references in the matcher's overlap table."""
    from orchestration.account_mapping.protocol import reveal as reveal_rows

    rows = reveal_rows(_list(accounts), _key(key_file), side, overlaps)
    other = "partner" if side == "vendor" else "vendor"
    columns = ["name", "domain", "country", "status", f"{other}_status", "category", "play",
               "matched_on"]  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    typer.echo(json.dumps({"shared_accounts": len(rows), "written": str(out)}))
