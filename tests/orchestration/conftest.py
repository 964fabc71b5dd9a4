from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def defs():
    """The code location, after parsing the dbt project (as `prm run` and `make ui` do)."""
    from orchestration.cli import prepare_dbt

    prepare_dbt()
    from orchestration.definitions import defs

    return defs
