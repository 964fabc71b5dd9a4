from __future__ import annotations

import pytest

from tests.crm.conftest import crm_db  # noqa: F401 (the CRM fixtures, for the sensor tests)


@pytest.fixture(scope="session")
def defs():
    """The code location (the dbt manifest is prepared by tests/conftest.py)."""
    from orchestration.definitions import defs

    return defs
