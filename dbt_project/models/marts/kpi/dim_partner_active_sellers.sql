-- Partner grain: trailing-12-month (T12M) revenue rank, the partner's place on the concentration
-- curve and revenue band (seeds/revenue_bands.csv), and the active-seller cohort flag.
-- Revenue = won sourced deals + won influenced credit, closed in the T12M window.
-- A partner sits in the first band whose cumulative-share ceiling is above the revenue share of
-- the partners ranked before it (so the partner that crosses 80 % is still in band A).
-- An active seller shows at least var active_seller_min_behaviours of four behaviours that
-- precede closed-won, within var active_seller_lookback_days of the reporting date: it registered
-- a deal, moved a sourced deal to qualified, touched an opportunity, and has certified people now.
with

partners as (

    select * from {{ ref('dim_partners') }}

),

partner_months as (

    select * from {{ ref('fct_partner_monthly_kpis') }}
    where is_in_trailing_12_months

),

registrations as (

    select * from {{ ref('fct_deal_registrations') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

touches as (

    select * from {{ ref('fct_partner_touches') }}

),

bands as (

    select * from {{ ref('revenue_bands') }}

),

reporting as (

    select
        as_of_date as reporting_date,
        cast({{ dbt.dateadd('day', -1 * var('active_seller_lookback_days'), 'as_of_date') }} as date) as lookback_start_date

    from {{ ref('int_reporting_date') }}

),

trailing_revenue as (

    select
        partners.partner_id,
        coalesce(sum(partner_months.partner_revenue_amount), 0) as t12m_revenue,
        coalesce(sum(partner_months.psp_amount), 0) as t12m_psp,
        coalesce(sum(partner_months.pip_amount), 0) as t12m_pip

    from partners
    left join partner_months
        on partners.partner_id = partner_months.partner_id
    group by partners.partner_id

),

ranked as (

    select
        partner_id,
        t12m_revenue,
        t12m_psp,
        t12m_pip,
        row_number() over (order by t12m_revenue desc, partner_id) as revenue_rank,
        100.0 * t12m_revenue / nullif(sum(t12m_revenue) over (), 0) as partner_share_pct,
        100.0 * sum(t12m_revenue) over (
            order by t12m_revenue desc, partner_id rows between unbounded preceding and current row
        ) / nullif(sum(t12m_revenue) over (), 0) as cumulative_revenue_share_pct

    from trailing_revenue

),

banded as (

    select
        ranked.partner_id,
        min(bands.band_order) as band_order

    from ranked
    inner join bands
        on (
            ranked.t12m_revenue > 0
            and ranked.cumulative_revenue_share_pct - ranked.partner_share_pct < bands.cumulative_share_upper_pct
        )
        or (ranked.t12m_revenue <= 0 and bands.cumulative_share_upper_pct is null)
    group by ranked.partner_id

),

behaviour_events as (

    -- every dated behaviour that precedes closed-won, one row per event
    select partner_id, 'registration' as behaviour, submitted_date as event_date
    from registrations

    union all

    select sourced_partner_id, 'qualified', qualified_date
    from opportunities
    where sourced_partner_id is not null

    union all

    select partner_id, 'touch', touched_date
    from touches

),

recent_behaviours as (

    select
        behaviour_events.partner_id,
        count(case when behaviour_events.behaviour = 'registration' then 1 end) as recent_registration_count,
        count(case when behaviour_events.behaviour = 'qualified' then 1 end) as recent_qualified_count,
        count(case when behaviour_events.behaviour = 'touch' then 1 end) as recent_touch_count

    from behaviour_events
    cross join reporting
    where behaviour_events.event_date > reporting.lookback_start_date
        and behaviour_events.event_date <= reporting.reporting_date
    group by behaviour_events.partner_id

),

behaviour_counts as (

    select
        partners.partner_id,
        coalesce(recent_behaviours.recent_registration_count, 0) as recent_registration_count,
        coalesce(recent_behaviours.recent_qualified_count, 0) as recent_qualified_count,
        coalesce(recent_behaviours.recent_touch_count, 0) as recent_touch_count,
        coalesce(partners.certified_people_count, 0) as certified_people_count

    from partners
    left join recent_behaviours
        on partners.partner_id = recent_behaviours.partner_id

),

behaviours as (

    select
        *,
        case when recent_registration_count > 0 then 1 else 0 end
        + case when recent_qualified_count > 0 then 1 else 0 end
        + case when recent_touch_count > 0 then 1 else 0 end
        + case when certified_people_count > 0 then 1 else 0 end as active_seller_behaviour_count

    from behaviour_counts

),

final as (

    select
        ranked.partner_id,
        bands.revenue_band,
        bands.band_label as revenue_band_label,
        cast(ranked.revenue_rank as integer) as revenue_rank,
        cast(bands.band_order as integer) as band_order,
        cast(behaviours.recent_registration_count as integer) as recent_registration_count,
        cast(behaviours.recent_qualified_count as integer) as recent_qualified_count,
        cast(behaviours.recent_touch_count as integer) as recent_touch_count,
        cast(behaviours.certified_people_count as integer) as certified_people_count,
        cast(behaviours.active_seller_behaviour_count as integer) as active_seller_behaviour_count,
        cast(ranked.t12m_revenue as decimal(18, 2)) as t12m_revenue,
        cast(ranked.t12m_psp as decimal(18, 2)) as t12m_psp,
        cast(ranked.t12m_pip as decimal(18, 2)) as t12m_pip,
        cast(coalesce(ranked.partner_share_pct, 0) as double) as partner_share_pct,
        cast(coalesce(ranked.cumulative_revenue_share_pct, 0) as double) as cumulative_revenue_share_pct,
        behaviours.active_seller_behaviour_count >= {{ var('active_seller_min_behaviours') }} as is_active_seller

    from ranked
    inner join banded
        on ranked.partner_id = banded.partner_id
    inner join bands
        on banded.band_order = bands.band_order
    inner join behaviours
        on ranked.partner_id = behaviours.partner_id

)

select * from final
