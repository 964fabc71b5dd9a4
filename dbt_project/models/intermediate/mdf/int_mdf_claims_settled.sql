-- One row per MDF claim with what finance paid against it: the payments feed summed per claim
-- (a claim is normally paid once; a split payment still sums correctly).
with

claims as (

    select * from {{ ref('stg_finance__mdf_claims') }}

),

payments as (

    select * from {{ ref('stg_finance__mdf_payments') }}

),

payments_per_claim as (

    select
        mdf_claim_id,
        count(*) as payment_count,
        sum(payment_amount) as paid_amount,
        min(paid_at) as first_paid_at,
        max(paid_at) as last_paid_at

    from payments
    group by mdf_claim_id

),

final as (

    select
        claims.mdf_claim_id,
        claims.mdf_request_id,
        claims.partner_external_id,
        claims.proof_type,
        claims.claim_status,
        claims.currency_code,
        claims.claimed_amount,
        coalesce(payments_per_claim.payment_count, 0) as payment_count,
        coalesce(payments_per_claim.paid_amount, 0) as paid_amount,
        coalesce(claims.has_proof_of_performance, false) as has_proof_of_performance,
        claims.submitted_at,
        claims.decided_at,
        payments_per_claim.first_paid_at,
        payments_per_claim.last_paid_at

    from claims
    left join payments_per_claim
        on claims.mdf_claim_id = payments_per_claim.mdf_claim_id

)

select * from final
