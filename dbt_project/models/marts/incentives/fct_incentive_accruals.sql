-- Partner x fiscal quarter (calendar quarters, as the finance feed labels them: '2026-Q3'): the
-- won revenue each incentive is accrued on, rebate and commission accrued (fct_incentive_accrual_lines,
-- tier as of each deal's close date) and the rebates finance paid for that quarter (all rebate
-- programs of stg_finance__rebate_payments, booked to the fiscal quarter they were paid for).
with

accrual_lines as (

    select * from {{ ref('fct_incentive_accrual_lines') }}

),

rebate_payments as (

    select * from {{ ref('stg_finance__rebate_payments') }}
    where currency_code = '{{ var("reporting_currency") }}'

),

partners as (

    select * from {{ ref('dim_partners') }}

),

accrued as (

    select
        partner_id,
        fiscal_quarter,
        fiscal_quarter_start_date,
        count(distinct case when attribution_role = 'sourced' then opportunity_id end) as sourced_won_count,
        count(distinct case when attribution_role = 'influenced' then opportunity_id end) as influenced_won_count,
        sum(case when attribution_role = 'sourced' then won_credit_amount else 0 end) as sourced_won_amount,
        sum(case when attribution_role = 'influenced' then won_credit_amount else 0 end) as influenced_won_amount,
        sum(rebate_accrued_amount) as rebate_accrued_amount,
        sum(commission_accrued_amount) as commission_accrued_amount

    from accrual_lines
    group by partner_id, fiscal_quarter, fiscal_quarter_start_date

),

paid as (

    select
        partners.partner_id,
        rebate_payments.fiscal_quarter,
        cast(
            {{ dbt.dateadd(
                'month',
                '3 * (cast(substring(rebate_payments.fiscal_quarter, 7, 1) as integer) - 1)',
                "cast(substring(rebate_payments.fiscal_quarter, 1, 4) || '-01-01' as date)"
            ) }} as date
        ) as fiscal_quarter_start_date,
        count(*) as rebate_payment_count,
        sum(rebate_payments.rebate_amount) as rebate_paid_amount

    from rebate_payments
    inner join partners
        on rebate_payments.partner_external_id = partners.partner_external_id
    group by 1, 2, 3

),

final as (

    select
        coalesce(accrued.partner_id, paid.partner_id) || '|'
            || coalesce(accrued.fiscal_quarter, paid.fiscal_quarter) as partner_quarter_id,
        coalesce(accrued.partner_id, paid.partner_id) as partner_id,
        coalesce(accrued.fiscal_quarter, paid.fiscal_quarter) as fiscal_quarter,
        '{{ var("reporting_currency") }}' as currency_code,
        cast(coalesce(accrued.sourced_won_count, 0) as integer) as sourced_won_count,
        cast(coalesce(accrued.influenced_won_count, 0) as integer) as influenced_won_count,
        cast(coalesce(paid.rebate_payment_count, 0) as integer) as rebate_payment_count,
        cast(coalesce(accrued.sourced_won_amount, 0) as decimal(18, 2)) as sourced_won_amount,
        cast(coalesce(accrued.influenced_won_amount, 0) as decimal(18, 2)) as influenced_won_amount,
        cast(coalesce(accrued.rebate_accrued_amount, 0) as decimal(18, 2)) as rebate_accrued_amount,
        cast(coalesce(accrued.commission_accrued_amount, 0) as decimal(18, 2)) as commission_accrued_amount,
        cast(
            coalesce(accrued.rebate_accrued_amount, 0) + coalesce(accrued.commission_accrued_amount, 0)
            as decimal(18, 2)
        ) as incentive_accrued_amount,
        cast(coalesce(paid.rebate_paid_amount, 0) as decimal(18, 2)) as rebate_paid_amount,
        cast(
            coalesce(accrued.rebate_accrued_amount, 0) + coalesce(accrued.commission_accrued_amount, 0)
            - coalesce(paid.rebate_paid_amount, 0)
            as decimal(18, 2)
        ) as accrued_minus_paid_amount,
        coalesce(accrued.fiscal_quarter_start_date, paid.fiscal_quarter_start_date) as fiscal_quarter_start_date

    from accrued
    full outer join paid
        on accrued.partner_id = paid.partner_id
        and accrued.fiscal_quarter = paid.fiscal_quarter

)

select * from final
