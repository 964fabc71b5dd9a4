"""Conflict check of every deal registration (docs/conflicts.md), by the matching engine in
orchestration/conflicts: each registration as of its submission, against customer accounts and
their hierarchy, the direct opportunities open then and other partners' earlier registrations.

The engine reads its thresholds and lists from the same seed files dbt loads (the refs below make
the dependency explicit, so a seed change rebuilds this model).
"""

from orchestration.conflicts.inputs import check_all, reference_frames


def model(dbt, session):
    """dbt-duckdb entry point: one row per registration with its decision, score and reason."""
    dbt.config(materialized="table")
    # dbt parses refs literally: one call per seed
    dbt.ref("conflict_matching_settings")
    dbt.ref("company_aliases")
    dbt.ref("legal_suffixes")
    dbt.ref("conflict_registration_statuses")
    dbt.ref("free_mail_domains")
    dbt.ref("name_word_rules")
    frames = reference_frames(
        dbt.ref("dim_accounts"), dbt.ref("fct_opportunities"), dbt.ref("fct_deal_registrations")
    )
    return check_all(*frames)
