"""Scale presets and the true parameters (effect sizes) of the simulated world."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

DEFAULT_AS_OF = date(2026, 9, 30)
HISTORY_YEARS = 3  # history starts on 1 January, three years before as_of's year
HORIZON_YEARS = 6  # the world is simulated this far past its start; advance() may not pass it
DAY = 86_400


@dataclass(frozen=True)
class Scale:
    """Sizes of one preset (counts simulated over the whole horizon)."""

    name: str
    partners: int
    companies: int
    deals: int
    executions_per_partner_year: float
    engagement_per_execution: float
    learning_events_per_enrolment: float


SCALES = {
    "tiny": Scale("tiny", 40, 300, 2_800, 1.0, 10, 4),
    "small": Scale("small", 280, 2_500, 38_000, 1.5, 40, 10),
    "medium": Scale("medium", 1_400, 12_000, 380_000, 1.5, 120, 16),
    "large": Scale("large", 7_000, 40_000, 1_900_000, 1.5, 260, 24),
}


@dataclass(frozen=True)
class Effects:
    """True effect sizes, written to world.json and documented in docs/world.md."""

    p_win_direct: float = 0.25
    p_win_partner_uncertified: float = 0.20  # p0
    certified_win_delta: float = 0.14  # partner deals win with p0 + delta if >= 1 active cert
    productivity_sigma: float = 1.6  # lognormal sigma of partner productivity
    deal_amount_sigma: float = 0.9
    stall_rate: float = 0.04
    registration_approval_rate: float = 0.8
    registration_validity_days: int = 90
    extension_request_rate: float = 0.35
    partner_revenue_share_low: float = 0.27
    partner_revenue_share_high: float = 0.38
    bad_record_rate: float = 0.002

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


EFFECTS = Effects()
