-- Won partner credit x incentive program: what each won deal accrues to each credited partner.
-- The partner's tier is the one it held on the deal's close date (dim_partner_tier_history), the
-- program version the one in effect on that date (seeds/incentive_programs.csv: the latest
-- effective_from_date on or before it), and the rate the product line's own row of that version
-- and tier, else its 'all' row. Rebate = sourced won amount x rebate_rate; commission = influence
-- credit of a won deal no partner sourced x commission_rate; both rounded to the cent.
with

partner_attribution as (

    select * from {{ ref('fct_partner_attribution') }}
    where is_won
        and attribution_role in ('sourced', 'influenced')
        and currency_code = '{{ var("reporting_currency") }}'

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

tier_history as (

    select * from {{ ref('dim_partner_tier_history') }}

),

programs as (

    select * from {{ ref('incentive_programs') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

program_versions as (

    select
        program_version,
        effective_from_date,
        coalesce(
            lead(effective_from_date) over (order by effective_from_date),
            cast('9999-12-31' as date)
        ) as effective_to_date

    from (select distinct program_version, effective_from_date from programs) as versions

),

won_credits as (

    select
        partner_attribution.partner_attribution_id,
        partner_attribution.opportunity_id,
        partner_attribution.partner_id,
        partner_attribution.attribution_role,
        partner_attribution.currency_code,
        products.product_line,
        partner_attribution.won_credit_amount,
        partner_attribution.close_date

    from partner_attribution
    cross join reporting
    inner join opportunities
        on partner_attribution.opportunity_id = opportunities.opportunity_id
    left join products
        on opportunities.product_id = products.product_id
    where partner_attribution.close_date <= reporting.reporting_date

),

rated as (

    select
        won_credits.*,
        tier_history.partner_tier as partner_tier_at_close,
        program_versions.program_version,
        coalesce(line_rates.rebate_rate, default_rates.rebate_rate, 0) as rebate_rate,
        coalesce(line_rates.commission_rate, default_rates.commission_rate, 0) as commission_rate

    from won_credits
    left join tier_history
        on won_credits.partner_id = tier_history.partner_id
        and won_credits.close_date >= tier_history.valid_from_date
        and won_credits.close_date < tier_history.valid_to_date
    left join program_versions
        on won_credits.close_date >= program_versions.effective_from_date
        and won_credits.close_date < program_versions.effective_to_date
    left join programs as line_rates
        on program_versions.program_version = line_rates.program_version
        and tier_history.partner_tier = line_rates.partner_tier
        and won_credits.product_line = line_rates.product_line
    left join programs as default_rates
        on program_versions.program_version = default_rates.program_version
        and tier_history.partner_tier = default_rates.partner_tier
        and default_rates.product_line = 'all'

),

final as (

    select
        partner_attribution_id,
        opportunity_id,
        partner_id,
        attribution_role,
        partner_tier_at_close,
        product_line,
        program_version,
        cast(extract(year from close_date) as {{ type_text() }}) || '-Q'
            || cast(extract(quarter from close_date) as {{ type_text() }}) as fiscal_quarter,
        currency_code,
        -- a won deal whose amount the CRM could not give (nulled at load, raw_crm.value_issues) keeps its
        -- line, unknown: it accrues nothing until the amount is known, and says so
        cast(won_credit_amount as decimal(18, 2)) as won_credit_amount,
        won_credit_amount is not null as is_amount_known,
        cast(rebate_rate as double) as rebate_rate,
        cast(commission_rate as double) as commission_rate,
        cast(
            case when attribution_role = 'sourced' then round(won_credit_amount * rebate_rate, 2) else 0 end
            as decimal(18, 2)
        ) as rebate_accrued_amount,
        cast(
            case when attribution_role = 'influenced' then round(won_credit_amount * commission_rate, 2) else 0 end
            as decimal(18, 2)
        ) as commission_accrued_amount,
        close_date,
        cast({{ dbt.date_trunc('quarter', 'close_date') }} as date) as fiscal_quarter_start_date

    from rated

)

select * from final
