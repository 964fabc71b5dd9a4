-- The channel forecast's history (docs/forecast_plv.md): one row per quarter and segment (region of
-- the credited partner x its tier at the start of the quarter) with the channel revenue won in the
-- quarter and the pipeline open at its first day. Channel revenue = won credit of fct_partner_attribution
-- (partner-sourced deals whole, partner-influenced deals split between the influencing partners), so
-- a dollar is never counted twice. The open pipeline at the quarter start is rebuilt from the stage
-- history: the stage a deal was in that day, weighted by the stage's default probability (the
-- stage-weighted baseline); amounts are the last recorded ones (the CRM keeps no amount history).
with

reporting as (

    select as_of_date from {{ ref('int_reporting_date') }}

),

credits as (

    select * from {{ ref('fct_partner_attribution') }}
    where credit_share > 0

),

partners as (

    select partner_id, coalesce(region, 'unknown') as region from {{ ref('dim_partners') }}

),

tiers as (

    select * from {{ ref('dim_partner_tier_history') }}

),

stage_changes as (

    select * from {{ ref('fct_opportunity_stage_changes') }}

),

stages as (

    select * from {{ ref('deal_stages') }}

),

quarters as (

    -- every quarter from the first credited deal to the one holding the reporting date, plus the
    -- forecast horizon after it
    select distinct dim_dates.quarter_start_date
    from {{ ref('dim_dates') }} as dim_dates
    cross join reporting
    where dim_dates.date_day >= (select min(least(created_date, close_date)) from credits)
        and dim_dates.date_day <= {{ dbt.dateadd('month', 3 * var('channel_forecast_horizon_quarters', 4), 'reporting.as_of_date') }}

),

partner_quarters as (

    select
        quarters.quarter_start_date,
        partners.partner_id,
        partners.region,
        coalesce(tiers.partner_tier, 'unknown') as partner_tier

    from quarters
    cross join partners
    left join tiers
        on partners.partner_id = tiers.partner_id
        and quarters.quarter_start_date >= tiers.valid_from_date
        and quarters.quarter_start_date < tiers.valid_to_date

),

won as (

    select
        cast({{ dbt.date_trunc('quarter', 'credits.close_date') }} as date) as quarter_start_date,
        credits.partner_id,
        sum(credits.won_credit_amount) as won_amount

    from credits
    cross join reporting
    where credits.is_won and credits.close_date <= reporting.as_of_date
    group by 1, 2

),

open_at_start as (

    -- the stage each credited deal was in on the first day of the quarter (open stages only)
    select
        quarters.quarter_start_date,
        credits.partner_id,
        sum(credits.pipeline_credit_amount) as open_amount,
        -- decimal x decimal: an exact sum, the same on every run whatever the thread order
        sum(credits.pipeline_credit_amount * cast(stages.default_probability as decimal(9, 4))) as weighted_amount

    from quarters
    cross join reporting
    inner join stage_changes
        on stage_changes.stage_entered_at <= cast(quarters.quarter_start_date as timestamp)
        and (stage_changes.stage_exited_at is null
            or stage_changes.stage_exited_at > cast(quarters.quarter_start_date as timestamp))
    inner join stages
        on stage_changes.deal_stage = stages.deal_stage
        and not stages.is_closed
    inner join credits
        on stage_changes.opportunity_id = credits.opportunity_id
    where quarters.quarter_start_date <= {{ dbt.dateadd('day', 1, 'reporting.as_of_date') }}
    group by 1, 2

),

final as (

    select
        partner_quarters.quarter_start_date,
        partner_quarters.region,
        partner_quarters.partner_tier,
        cast(sum(coalesce(won.won_amount, 0)) as double) as won_amount,
        cast(sum(coalesce(open_at_start.open_amount, 0)) as double) as open_pipeline_amount,
        cast(sum(coalesce(open_at_start.weighted_amount, 0)) as double) as weighted_pipeline_amount,
        max(reporting.as_of_date) as as_of_date,
        {{ dbt.dateadd('month', 3, 'partner_quarters.quarter_start_date') }} <= {{ dbt.dateadd('day', 1, 'max(reporting.as_of_date)') }} as is_complete,
        -- a quarter starting the day after the reporting date has started: its first-day pipeline is known
        partner_quarters.quarter_start_date <= {{ dbt.dateadd('day', 1, 'max(reporting.as_of_date)') }} as has_started

    from partner_quarters
    cross join reporting
    left join won
        on partner_quarters.quarter_start_date = won.quarter_start_date
        and partner_quarters.partner_id = won.partner_id
    left join open_at_start
        on partner_quarters.quarter_start_date = open_at_start.quarter_start_date
        and partner_quarters.partner_id = open_at_start.partner_id
    group by 1, 2, 3

)

select * from final
