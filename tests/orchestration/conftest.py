from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def defs():
    """The code location (the dbt manifest is prepared by tests/conftest.py)."""
    from orchestration.definitions import defs

    return defs
