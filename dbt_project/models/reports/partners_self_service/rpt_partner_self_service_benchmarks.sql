-- Partner x metric x peer group: where an active partner stands against the other active partners
-- of its tier, and of its region, as a percentile (share of peers below it, ties counted half),
-- never another partner's figure. A benchmark whose peer group (active partners other than itself
-- with the metric measured) has fewer than var partner_benchmark_min_peers members is suppressed:
-- the percentile is null, since a small group would let a partner work out its peers' figures.
with

partners as (

    select * from {{ ref('dim_partners') }}
    where is_active

),

active_sellers as (

    select * from {{ ref('dim_partner_active_sellers') }}

),

productivity as (

    select * from {{ ref('dim_partner_productivity') }}

),

tier_criteria as (

    select * from {{ ref('fct_partner_tier_criteria') }}
    where is_latest_evaluation

),

metric_values as (

    select partners.partner_id, 't12m_revenue' as metric_name, 1 as metric_order,
        cast(active_sellers.t12m_revenue as double) as metric_value
    from partners
    left join active_sellers on partners.partner_id = active_sellers.partner_id

    union all

    select partners.partner_id, 'win_rate', 2, cast(tier_criteria.t12m_win_rate as double)
    from partners
    left join tier_criteria on partners.partner_id = tier_criteria.partner_id

    union all

    select partners.partner_id, 'closed_deals', 3, cast(coalesce(tier_criteria.t12m_sourced_closed_count, 0) as double)
    from partners
    left join tier_criteria on partners.partner_id = tier_criteria.partner_id

    union all

    select partners.partner_id, 'certified_people', 4, cast(partners.certified_people_count as double)
    from partners

    union all

    select partners.partner_id, 'ees_score', 5, cast(productivity.ees_score as double)
    from partners
    left join productivity on partners.partner_id = productivity.partner_id

),

grouped as (

    select
        metric_values.*,
        peer_groups.peer_group,
        case peer_groups.peer_group when 'tier' then partners.partner_tier else partners.region end as peer_group_value

    from metric_values
    inner join partners
        on metric_values.partner_id = partners.partner_id
    cross join (select 'tier' as peer_group union all select 'region') as peer_groups
    where metric_values.metric_value is not null

),

ranked as (

    select
        grouped.*,
        count(*) over (partition by metric_name, peer_group, peer_group_value) - 1 as peer_count,
        rank() over (partition by metric_name, peer_group, peer_group_value order by metric_value) - 1 as peers_below,
        count(*) over (partition by metric_name, peer_group, peer_group_value, metric_value) - 1 as peers_tied

    from grouped

),

final as (

    select
        partner_id || ':' || metric_name || ':' || peer_group as partner_benchmark_id,
        partner_id,
        metric_name,
        peer_group,
        peer_group_value,
        cast(metric_order as integer) as metric_order,
        cast(peer_count as integer) as peer_count,
        metric_value,
        case
            when peer_count >= {{ var('partner_benchmark_min_peers') }}
                then round(100.0 * (peers_below + 0.5 * peers_tied) / peer_count, 1)
        end as percentile,
        peer_count < {{ var('partner_benchmark_min_peers') }} as is_suppressed

    from ranked

)

select * from final
