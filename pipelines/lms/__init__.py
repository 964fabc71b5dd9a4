"""Learning management system (LMS) exports: courses, learning paths, enrolments, certifications,
points and the learner activity stream, dropped as JSON-lines files.

Files land in ``$PRM_LANDING/lms/<entity>/<entity>__<YYYY-MM-DD>.<ext>``; see
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

SYSTEM = "lms"


@dlt.source(name=SYSTEM, max_table_nesting=0)
def lms_source(landing: str | None = None) -> Any:
    """One resource per lms entity, each loading the drops it has not loaded yet."""
    root = Path(landing) if landing else settings.landing_dir()
    fmt = feed_format(SYSTEM)
    return [drop_resource(e, root, fmt) for e in entities(SYSTEM)]
