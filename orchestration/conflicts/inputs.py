"""What the matching engine reads from the warehouse, in one place for both callers: the dbt Python
model that decides every registration (``int_registration_conflict_checks``) and the live job the
new-registration sensor starts. Each takes the same three relations (``marts.dim_accounts``,
``marts.fct_opportunities``, ``marts.fct_deal_registrations``) and projects them here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from orchestration.conflicts.matcher import MatchIndex
from orchestration.conflicts.normalize import MatchingSeeds, load_seeds

ACCOUNT_COLUMNS = "account_id, account_name, account_domain, parent_account_id"
OPPORTUNITY_COLUMNS = """
    opportunity_id, account_id, owner_name, opportunity_name, deal_source, created_at,
    case when is_closed then cast(close_date as timestamptz) end as closed_at
"""
# When a registration stops holding its account for first come, first served: rejected on its
# decision, expired and approved at the end of protection (extension included), closed when its deal
# closed. Pending (submitted) registrations hold it until decided.
REGISTRATION_COLUMNS = """
    registration_id, partner_id, registered_company_name, registered_domain, submitted_at,
    registration_status,
    case registration_status
        when 'submitted' then null
        when 'rejected' then decided_at
        when 'closed' then cast(coalesce(close_date, extended_until_date, expires_date) as timestamptz)
        else cast(coalesce(extended_until_date, expires_date) as timestamptz)
    end as ended_at
"""


def reference_frames(
    accounts: Any, opportunities: Any, registrations: Any
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The engine's three inputs from DuckDB relations over the three marts."""
    return (
        accounts.project(ACCOUNT_COLUMNS).df(),
        opportunities.project(OPPORTUNITY_COLUMNS).df(),
        registrations.project(REGISTRATION_COLUMNS).order("submitted_at, registration_id").df(),
    )


def check_all(
    accounts: pd.DataFrame,
    opportunities: pd.DataFrame,
    registrations: pd.DataFrame,
    seeds: MatchingSeeds | None = None,
) -> pa.Table:
    """Every registration decided as of its own submission: against the accounts, the direct
    opportunities open at that moment and the registrations submitted before it."""
    index = MatchIndex.build(accounts, opportunities, seeds=seeds or load_seeds())
    return index.decide_batch(registrations)
