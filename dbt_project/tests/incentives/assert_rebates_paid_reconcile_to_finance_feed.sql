-- Every rebate finance paid (reporting currency) lands in fct_incentive_accruals once, on its
-- partner and fiscal quarter: per partner and quarter the paid amounts are equal. Returns every
-- partner-quarter that differs. A payment to a partner dim_partners does not hold (its CRM record
-- quarantined, archived or never sent) cannot land on a partner: it is not a reconciliation error
-- and does not fail the build; the warn test on stg_finance__rebate_payments.partner_external_id
-- reports it among the run's warnings.
with

accruals as (

    select partner_id, fiscal_quarter, rebate_paid_amount
    from {{ ref('fct_incentive_accruals') }}
    where rebate_paid_amount != 0

),

finance as (

    select
        partners.partner_id,
        rebate_payments.partner_external_id,
        rebate_payments.fiscal_quarter,
        sum(rebate_payments.rebate_amount) as rebate_paid_amount

    from {{ ref('stg_finance__rebate_payments') }} as rebate_payments
    left join {{ ref('dim_partners') }} as partners
        on rebate_payments.partner_external_id = partners.partner_external_id
    where rebate_payments.currency_code = '{{ var("reporting_currency") }}'
    group by 1, 2, 3

)

select
    coalesce(accruals.partner_id, finance.partner_id) as partner_id,
    finance.partner_external_id,
    coalesce(accruals.fiscal_quarter, finance.fiscal_quarter) as fiscal_quarter,
    accruals.rebate_paid_amount as accrued_view_paid_amount,
    finance.rebate_paid_amount as finance_paid_amount

from accruals
full outer join finance
    on accruals.partner_id = finance.partner_id
    and accruals.fiscal_quarter = finance.fiscal_quarter
where (finance.partner_external_id is null or finance.partner_id is not null)
    and (
        accruals.rebate_paid_amount is null
        or finance.rebate_paid_amount is null
        or accruals.rebate_paid_amount != finance.rebate_paid_amount
    )
