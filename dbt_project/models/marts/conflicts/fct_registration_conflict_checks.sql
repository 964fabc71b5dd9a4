with

checks as (

    select * from {{ ref('int_registration_conflict_checks') }}

),

registrations as (

    select * from {{ ref('fct_deal_registrations') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

final as (

    select
        checks.registration_id,
        checks.partner_id,
        checks.matched_account_id,
        checks.family_account_id,
        checks.matched_record_id,
        checks.decision as conflict_decision,
        checks.match_method,
        checks.matched_account_name,
        checks.matched_record_type,
        checks.matched_record_owner,
        checks.reason as conflict_reason,
        partners.region as partner_region,
        partners.partner_type,
        registrations.registration_status,
        registrations.rejection_reason,
        cast(checks.score as decimal(5, 4)) as match_score,
        cast(checks.candidate_count as integer) as candidate_count,
        checks.decision in ('direct_opportunity_conflict', 'earlier_registration_conflict')
            as is_conflict,
        checks.decision = 'needs_review' as needs_review,
        registrations.submitted_date,
        cast(checks.matched_record_since as {{ type_timestamptz() }}) as matched_record_since_at,
        registrations.submitted_at

    from checks
    inner join registrations
        on checks.registration_id = registrations.registration_id
    left join partners
        on checks.partner_id = partners.partner_id

)

select * from final
