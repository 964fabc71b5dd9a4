-- MDF request grain, for the requesting partner's own page: what it asked for, what was approved,
-- claimed and paid, and where each request stands. Empty without the finance feed.
with

requests as (

    select * from {{ ref('fct_mdf_requests') }}

),

final as (

    select
        mdf_request_id,
        partner_id,
        fiscal_quarter,
        activity_type,
        request_status,
        claim_status,
        currency_code,
        requested_amount,
        approved_amount,
        claimed_amount,
        paid_amount,
        coalesce(is_paid, false) as is_paid,
        submitted_date,
        paid_date

    from requests

)

select * from final
