"""The simulated world: determinism, incremental consistency, contract conformance, distributions."""

from __future__ import annotations

import filecmp
import time
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pipelines.contracts import entities, entity
from pipelines.world import advance, generate, load_world_state
from pipelines.world.bad import _target, kinds_for
from pipelines.world.params import EFFECTS
from pipelines.world.sim import VARIANT_KINDS

from .helpers import all_drops, crm_rows, crm_table, crm_validated, truth_bad

CRM_NAMES = [e.name for e in entities("crm")]


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_tiny_is_fast_and_deterministic(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    a = generate("tiny", seed=3, world_dir=tmp_path / "a" / "w", landing_dir=tmp_path / "a" / "l")
    assert time.perf_counter() - t0 < 5
    generate("tiny", seed=3, world_dir=tmp_path / "b" / "w", landing_dir=tmp_path / "b" / "l")
    for sub in ("w", "l"):
        files = _tree(tmp_path / "a" / sub)
        assert files == _tree(tmp_path / "b" / sub)
        for f in files:
            if f.endswith(".sqlite"):
                continue
            assert filecmp.cmp(tmp_path / "a" / sub / f, tmp_path / "b" / sub / f, shallow=False), f
    assert crm_rows(tmp_path / "a" / "w") == crm_rows(tmp_path / "b" / "w")
    assert "deals" in str(a)


def _latest_good(world: Path, landing: Path) -> dict[str, set]:
    """Latest version per key of every landed good row, per entity (keys listed as bad left out)."""
    bad = truth_bad(world)
    bad_keys = {
        (s, e, k)
        for s, e, k in zip(
            *(bad.column(c).to_pylist() for c in ("system", "entity", "key")), strict=True
        )
    }
    out: dict[str, pa.Table] = {}
    for ent, _, res in all_drops(landing):
        out[ent.name] = pa.concat_tables([out[ent.name], res.rows]) if ent.name in out else res.rows
    result = {}
    for name, t in out.items():
        ent = next(e for e in entities() if e.name == name and e.file_format)
        t = t.drop_columns(["_source"])
        cur = "updated_at" if "updated_at" in t.column_names else None
        con = duckdb.connect()
        con.register("t", t)
        q = (
            f"SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY {ent.primary_key} ORDER BY {cur or ent.primary_key} DESC) = 1"
            if cur
            else "SELECT DISTINCT * FROM t"
        )
        rows = con.execute(q).fetchall()
        con.close()
        pk = t.column_names.index(ent.primary_key)
        result[name] = {r for r in rows if (ent.system, name, r[pk]) not in bad_keys}
    return result


def test_generate_then_advance_equals_generate_later(tmp_path: Path) -> None:
    d, n = date(2026, 9, 30), 20
    generate(
        "tiny", seed=5, as_of=d, world_dir=tmp_path / "a" / "w", landing_dir=tmp_path / "a" / "l"
    )
    advance(n, world_dir=tmp_path / "a" / "w", landing_dir=tmp_path / "a" / "l")
    generate(
        "tiny",
        seed=5,
        as_of=date(2026, 10, 20),
        world_dir=tmp_path / "b" / "w",
        landing_dir=tmp_path / "b" / "l",
    )
    assert load_world_state(tmp_path / "a" / "w")["as_of"] == "2026-10-20"
    assert crm_rows(tmp_path / "a" / "w") == crm_rows(tmp_path / "b" / "w")
    a = _latest_good(tmp_path / "a" / "w", tmp_path / "a" / "l")
    b = _latest_good(tmp_path / "b" / "w", tmp_path / "b" / "l")
    assert a.keys() == b.keys()
    for name in a:
        # keys listed as bad in either world are compared nowhere
        assert {r[0] for r in a[name]} ^ {r[0] for r in b[name]} <= _bad_keys(tmp_path, name), name
        common = {r[0] for r in a[name]} & {r[0] for r in b[name]}
        assert {r for r in a[name] if r[0] in common} == {r for r in b[name] if r[0] in common}, (
            name
        )


def _bad_keys(tmp_path: Path, name: str) -> set:
    keys = set()
    for w in ("a", "b"):
        t = truth_bad(tmp_path / w / "w")
        keys |= {
            k
            for e, k in zip(
                t.column("entity").to_pylist(), t.column("key").to_pylist(), strict=True
            )
            if e == name
        }
    return keys


def _rejects(system: str, name: str, kind: str) -> bool:
    """Whether a bad record of this kind rejects the record (a required value, or a broken line)
    or only nulls an optional value (the record loads; the value is logged)."""
    target = _target(entity(system, name), kind, crm=system == "crm")
    return target is None or entity(system, name).column(target[0]).required


def test_drops_conform_except_listed_bad_records(small_world) -> None:
    world, landing = small_world
    bad = truth_bad(world).filter(pc.field("rejected")).to_pylist()
    for ent, path, res in all_drops(landing):
        rel = path.relative_to(landing).as_posix()
        mine = [b for b in bad if b["file"] == rel]
        expected = {b["record_ref"] for b in mine if _rejects(ent.system, ent.name, b["kind"])}
        nulled = {b["record_ref"] for b in mine} - expected
        got = {r["record_ref"] for r in res.rejected.to_pylist()}
        assert got == expected, rel
        assert set(res.issues.column("record_ref").to_pylist()) == nulled, rel
        n = res.rows.num_rows + res.rejected.num_rows
        assert len(expected) <= 0.004 * n, rel


def test_crm_conforms_except_listed_bad_records(small_world) -> None:
    world, _ = small_world
    bad = truth_bad(world).filter(pc.field("system") == "crm").to_pylist()
    for name in CRM_NAMES:
        res = crm_validated(world, name)
        mine = [b for b in bad if b["entity"] == name]
        expected = {b["key"] for b in mine if _rejects("crm", name, b["kind"])}
        assert set(res.rejected.column("record_ref").to_pylist()) == expected, name
        assert (
            set(res.issues.column("record_ref").to_pylist()) == {b["key"] for b in mine} - expected
        )
        assert len(expected) <= 0.004 * (res.rows.num_rows + res.rejected.num_rows)


def test_every_bad_kind_in_every_feed(small_world) -> None:
    world, _ = small_world
    t = truth_bad(world)
    for system in ("crm", "lms", "tcma", "finance"):
        present = {
            k
            for s, k in zip(
                t.column("system").to_pylist(), t.column("kind").to_pylist(), strict=True
            )
            if s == system
        }
        applicable = {k for e in entities(system) for k in kinds_for(e, crm=system == "crm")}
        assert present == applicable, system


def test_small_preset_sizes(small_world) -> None:
    world, _ = small_world
    assert 150 <= crm_table(world, "partners").num_rows <= 260
    assert 15_000 <= crm_table(world, "deals").num_rows <= 26_000


def _concentration(world: Path) -> float:
    con = duckdb.connect()
    con.register("d", crm_table(world, "deals"))
    con.register("p", crm_table(world, "partners"))
    return con.execute("""
        with rev as (
            select p.id, coalesce(sum(try_cast(d.amount as double)) filter (where d.dealstage = 'closedwon'), 0) as r
            from p left join d on d.partner_id = p.id where p.enrolled_date is not null group by p.id
        ), ranked as (select r, row_number() over (order by r desc) as rk, count(*) over () as n from rev)
        select sum(r) filter (where rk <= round(n * 0.2)) / sum(r) from ranked
    """).fetchone()[0]


def test_revenue_concentration(small_world, tmp_path: Path) -> None:
    assert 0.75 <= _concentration(small_world[0]) <= 0.85
    generate("small", seed=7, world_dir=tmp_path / "w", landing_dir=tmp_path / "l")
    assert 0.75 <= _concentration(tmp_path / "w") <= 0.85


def test_certified_partners_win_more(small_world) -> None:
    world, landing = small_world
    con = duckdb.connect()
    con.register("d", crm_table(world, "deals"))
    con.register("p", crm_table(world, "partners"))
    certs = pa.concat_tables(
        [r.rows for e, _, r in all_drops(landing) if e.name == "certifications"]
    )
    con.register("c", certs)
    rates = dict(
        con.execute("""
        with deals as (
            select d.id, d.dealstage = 'closedwon' as won, exists (
                select 1 from c where c.partner_id = p.external_id and c.certified_at <= d.createdate::timestamptz
                  and d.createdate::timestamptz < case when c.status = 'revoked' then c.updated_at else c.expires_at end
            ) as certified
            from d join p on p.id = d.partner_id where d.dealstage in ('closedwon', 'closedlost')
        )
        select certified, avg(won::int) from deals group by all
    """).fetchall()
    )
    assert rates[False] == pytest.approx(EFFECTS.p_win_partner_uncertified, abs=0.03)
    assert rates[True] - rates[False] == pytest.approx(EFFECTS.certified_win_delta, abs=0.04)


def test_every_name_variant_kind(small_world) -> None:
    import pyarrow.parquet as pq

    m = pq.read_table(small_world[0] / "truth" / "registration_matching.parquet")
    assert set(m.column("variant_kind").to_pylist()) == set(VARIANT_KINDS)


def test_referential_consistency(small_world) -> None:
    world, _ = small_world
    con = duckdb.connect()
    for name in CRM_NAMES:
        con.register(name, crm_table(world, name))
    assert (
        con.execute(
            "select count(*) from deals where company_id not in (select id from companies)"
        ).fetchone()[0]
        == 0
    )
    assert (
        con.execute(
            "select count(*) from deals where partner_id is not null and partner_id not in (select id from partners)"
        ).fetchone()[0]
        == 0
    )
    assert (
        con.execute("""select count(*) from registrations r join deals d on d.id = r.deal_id
                      where d.registration_id is distinct from r.id""").fetchone()[0]
        == 0
    )
    assert (
        con.execute("""select count(*) from (select deal_id, dealstage, entered_at,
                          lag(entered_at) over (partition by deal_id order by entered_at, id) as prev from deal_stage_changes)
                      where try_cast(entered_at as timestamptz) < try_cast(prev as timestamptz)""").fetchone()[
            0
        ]
        == 0
    )
    assert (
        con.execute("""select count(*) from deal_stage_changes s join deals d on d.id = s.deal_id
                      where try_cast(s.entered_at as timestamptz) < try_cast(d.createdate as timestamptz)""").fetchone()[
            0
        ]
        == 0
    )
    assert entity("crm", "deals").primary_key == "id"


def test_typed_bad_values_for_parquet() -> None:
    import numpy as np

    from pipelines.world.bad import apply_values
    from pipelines.world.views import dec

    ent = entity("finance", "mdf_requests")
    t = pa.table(
        {"request_id": pa.array(["R1", "R2"]), "requested_amount": dec(np.array([10.0, 20.0]))}
    )
    out = apply_values(ent, t, np.array([1]), np.array(["negative_money"], dtype=object))
    assert out.column("requested_amount").to_pylist()[1] < 0
