-- Partner grain, as of the reporting date: what the partner earns now and what it takes to earn
-- more. Safe to show the partner itself (its own figures only, no other partner's, no internal
-- notes). Rates come from the program version in effect on the reporting date for the partner's
-- current tier ('all' product-line row; top_rebate_* the best product-line rate). Eligible =
-- active, contract signed, DPA signed and a rate above zero. Next-tier gaps use the latest tier
-- evaluation (fct_partner_tier_criteria) against the tier rules in effect (seeds/tier_rules.csv).
with

partners as (

    select * from {{ ref('dim_partners') }}

),

programs as (

    select * from {{ ref('incentive_programs') }}

),

tier_rules as (

    select * from {{ ref('tier_rules') }}

),

tier_criteria as (

    select * from {{ ref('fct_partner_tier_criteria') }}
    where is_latest_evaluation

),

accruals as (

    select * from {{ ref('fct_incentive_accruals') }}

),

flash_triggers as (

    select * from {{ ref('fct_flash_incentive_triggers') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

current_program as (

    select max(programs.program_version) as program_version
    from programs
    cross join reporting
    where programs.effective_from_date = (
        select max(effective_from_date) from programs
        where effective_from_date <= reporting.reporting_date
    )

),

current_rates as (

    select
        programs.partner_tier,
        programs.program_version,
        max(case when programs.product_line = 'all' then programs.rebate_rate end) as rebate_rate,
        max(case when programs.product_line = 'all' then programs.commission_rate end) as commission_rate,
        max(programs.rebate_rate) as top_rebate_rate

    from programs
    inner join current_program
        on programs.program_version = current_program.program_version
    group by 1, 2

),

top_rebate_lines as (

    select
        current_rates.partner_tier,
        min(programs.product_line) as top_rebate_product_line

    from current_rates
    inner join programs
        on current_rates.program_version = programs.program_version
        and current_rates.partner_tier = programs.partner_tier
        and current_rates.top_rebate_rate = programs.rebate_rate
    where programs.product_line != 'all'
        and current_rates.top_rebate_rate > current_rates.rebate_rate
    group by current_rates.partner_tier

),

current_rules as (

    select tier_rules.*
    from tier_rules
    cross join reporting
    where tier_rules.effective_from_date = (
        select max(effective_from_date) from tier_rules
        where effective_from_date <= reporting.reporting_date
    )

),

quarter_to_date as (

    select
        accruals.partner_id,
        sum(accruals.incentive_accrued_amount) as incentive_accrued_qtd_amount

    from accruals
    cross join reporting
    where accruals.fiscal_quarter_start_date = cast({{ dbt.date_trunc('quarter', 'reporting.reporting_date') }} as date)
    group by accruals.partner_id

),

flash as (

    select
        partner_id,
        count(*) as open_flash_incentive_count,
        sum(suggested_bonus_amount) as open_flash_bonus_amount

    from flash_triggers
    group by partner_id

),

final as (

    select
        partners.partner_id,
        partners.partner_external_id,
        partners.partner_name,
        partners.partner_tier,
        current_rates.program_version,
        next_rule.partner_tier as next_tier,
        top_rebate_lines.top_rebate_product_line,
        '{{ var("reporting_currency") }}' as currency_code,
        cast(coalesce(current_rates.rebate_rate, 0) as double) as rebate_rate,
        cast(coalesce(current_rates.commission_rate, 0) as double) as commission_rate,
        cast(coalesce(current_rates.top_rebate_rate, 0) as double) as top_rebate_rate,
        cast(coalesce(tier_criteria.t12m_sourced_revenue, 0) as decimal(18, 2)) as t12m_sourced_revenue,
        cast(tier_criteria.t12m_win_rate as double) as t12m_win_rate,
        cast(coalesce(tier_criteria.t12m_sourced_closed_count, 0) as integer) as t12m_sourced_closed_count,
        cast(
            case when next_rule.partner_tier is not null then greatest(next_rule.min_t12m_sourced_revenue - coalesce(tier_criteria.t12m_sourced_revenue, 0), 0) end
            as decimal(18, 2)
        ) as next_tier_revenue_gap_amount,
        cast(case when next_rule.partner_tier is not null then greatest(next_rule.min_win_rate - coalesce(tier_criteria.t12m_win_rate, 0), 0) end as double) as next_tier_win_rate_gap,
        cast(
            case when next_rule.partner_tier is not null then greatest(next_rule.min_closed_deals - coalesce(tier_criteria.t12m_sourced_closed_count, 0), 0) end
            as integer
        ) as next_tier_closed_deals_gap,
        cast(
            case when next_rule.partner_tier is not null then greatest(next_rule.min_certified_sales_people - coalesce(tier_criteria.certified_sales_people, 0), 0) end
            as integer
        ) as next_tier_certified_sales_people_gap,
        cast(
            case when next_rule.partner_tier is not null then greatest(next_rule.min_certified_technical_people - coalesce(tier_criteria.certified_technical_people, 0), 0) end
            as integer
        ) as next_tier_certified_technical_people_gap,
        cast(coalesce(quarter_to_date.incentive_accrued_qtd_amount, 0) as decimal(18, 2)) as incentive_accrued_qtd_amount,
        cast(coalesce(flash.open_flash_incentive_count, 0) as integer) as open_flash_incentive_count,
        cast(coalesce(flash.open_flash_bonus_amount, 0) as decimal(18, 2)) as open_flash_bonus_amount,
        coalesce(
            partners.is_active and partners.contract_status = 'signed' and partners.has_signed_dpa, false
        ) as is_in_good_standing,
        coalesce(
            partners.is_active and partners.contract_status = 'signed' and partners.has_signed_dpa
            and current_rates.rebate_rate > 0, false
        ) as is_rebate_eligible,
        coalesce(
            partners.is_active and partners.contract_status = 'signed' and partners.has_signed_dpa
            and current_rates.commission_rate > 0, false
        ) as is_commission_eligible,
        coalesce(next_rule.requires_signed_dpa and not partners.has_signed_dpa, false) as is_next_tier_blocked_by_dpa,
        reporting.reporting_date as as_of_date

    from partners
    cross join reporting
    left join current_rates
        on partners.partner_tier = current_rates.partner_tier
    left join top_rebate_lines
        on partners.partner_tier = top_rebate_lines.partner_tier
    left join current_rules as held_rule
        on partners.partner_tier = held_rule.partner_tier
    left join current_rules as next_rule
        on next_rule.tier_rank = held_rule.tier_rank + 1
    left join tier_criteria
        on partners.partner_id = tier_criteria.partner_id
    left join quarter_to_date
        on partners.partner_id = quarter_to_date.partner_id
    left join flash
        on partners.partner_id = flash.partner_id

)

select * from final
