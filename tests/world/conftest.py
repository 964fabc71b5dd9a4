"""Worlds shared by the world tests (generated once per session into temp folders)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipelines.world import generate


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("small")
    generate("small", seed=42, world_dir=root / "world", landing_dir=root / "landing")
    return root / "world", root / "landing"


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tiny")
    generate(
        "tiny",
        seed=42,
        as_of=date(2026, 9, 30),
        world_dir=root / "world",
        landing_dir=root / "landing",
    )
    return root / "world", root / "landing"
