-- Open partner opportunity stalled in a late stage: a flash incentive to offer. A deal triggers
-- when its current stage is at or after the product line's min_stage_order and it has sat there
-- longer than stall_days (days_in_stage > stall_days, counted to the reporting date) under
-- seeds/flash_incentive_rules.csv. Suggested bonus = least(amount x bonus_rate, bonus_cap_amount),
-- for closing won within offer_days of the reporting date.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where is_open
        and partner_id is not null

),

stage_changes as (

    select * from {{ ref('fct_opportunity_stage_changes') }}
    where is_current_stage

),

products as (

    select * from {{ ref('dim_products') }}

),

rules as (

    select * from {{ ref('flash_incentive_rules') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

open_deals as (

    select
        opportunities.opportunity_id,
        opportunities.partner_id,
        opportunities.sourced_partner_id,
        opportunities.product_id,
        products.product_line,
        opportunities.partner_role,
        opportunities.deal_stage,
        opportunities.stage_order,
        opportunities.currency_code,
        opportunities.amount,
        stage_changes.stage_entered_date,
        reporting.reporting_date,
        {{ dbt.datediff('stage_changes.stage_entered_date', 'reporting.reporting_date', 'day') }} as days_in_stage

    from opportunities
    cross join reporting
    inner join stage_changes
        on opportunities.opportunity_id = stage_changes.opportunity_id
    inner join products
        on opportunities.product_id = products.product_id

),

triggered as (

    select
        open_deals.*,
        rules.stall_days,
        rules.bonus_rate,
        rules.bonus_cap_amount,
        rules.offer_days,
        round(open_deals.amount * rules.bonus_rate, 2) as uncapped_bonus_amount

    from open_deals
    inner join rules
        on open_deals.product_line = rules.product_line
    where open_deals.stage_order >= rules.min_stage_order
        and open_deals.days_in_stage > rules.stall_days

),

final as (

    select
        opportunity_id,
        partner_id,
        sourced_partner_id,
        product_id,
        product_line,
        partner_role,
        deal_stage,
        currency_code,
        cast(stage_order as integer) as stage_order,
        cast(days_in_stage as integer) as days_in_stage,
        cast(stall_days as integer) as stall_days_threshold,
        cast(days_in_stage - stall_days as integer) as days_over_threshold,
        cast(bonus_rate as double) as bonus_rate,
        cast(amount as decimal(18, 2)) as amount,
        cast(least(uncapped_bonus_amount, bonus_cap_amount) as decimal(18, 2)) as suggested_bonus_amount,
        uncapped_bonus_amount > bonus_cap_amount as is_bonus_capped,
        stage_entered_date,
        cast({{ dbt.dateadd('day', 'offer_days', 'reporting_date') }} as date) as offer_expires_date

    from triggered

)

select * from final
