"""Through-channel marketing automation (TCMA) exports: campaigns, assets, partner executions,
asset usage and leads as CSV, the engagement stream as Parquet.

Files land in ``$PRM_LANDING/tcma/<entity>/<entity>__<YYYY-MM-DD>.<ext>``; see
``pipelines.common.drops`` for how new files are found and ``pipelines.contracts`` for the columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt

from pipelines import settings
from pipelines.common.drops import drop_resource
from pipelines.contracts import entities
from pipelines.sources import feed_format

SYSTEM = "tcma"


@dlt.source(name=SYSTEM, max_table_nesting=0)
def tcma_source(landing: str | None = None) -> Any:
    """One resource per tcma entity, each loading the drops it has not loaded yet."""
    root = Path(landing) if landing else settings.landing_dir()
    fmt = feed_format(SYSTEM)
    return [drop_resource(e, root, fmt) for e in entities(SYSTEM)]
