"""A deterministic simulated PRM world: sandbox CRM (SQLite), LMS/TCMA/finance file drops and truth.

from pipelines.world import generate, advance, load_world_state
"""

from pipelines.world.core import WorldSummary, advance, generate, load_world_state
from pipelines.world.params import DEFAULT_AS_OF, SCALES

__all__ = ["DEFAULT_AS_OF", "SCALES", "WorldSummary", "advance", "generate", "load_world_state"]
