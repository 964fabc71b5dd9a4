-- Points event grain: the LMS gamification ledger (points for completed courses, certifications,
-- login streaks; badges) with running balances per person and per partner, in the order the
-- events happened (ties by event id). Balances at the last event equal the sum of the ledger.
with

points_ledger as (

    select * from {{ ref('stg_lms__points_ledger') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

final as (

    select
        points_ledger.points_event_id,
        points_ledger.contact_id,
        partners.partner_id,
        points_ledger.partner_external_id,
        points_ledger.event_type,
        points_ledger.badge_name,
        cast(points_ledger.points as integer) as points,
        cast(sum(points_ledger.points) over (
            partition by points_ledger.contact_id
            order by points_ledger.occurred_at, points_ledger.points_event_id
            rows between unbounded preceding and current row
        ) as integer) as contact_points_balance,
        cast(sum(points_ledger.points) over (
            partition by points_ledger.partner_external_id
            order by points_ledger.occurred_at, points_ledger.points_event_id
            rows between unbounded preceding and current row
        ) as integer) as partner_points_balance,
        cast(count(points_ledger.badge_name) over (
            partition by points_ledger.contact_id
            order by points_ledger.occurred_at, points_ledger.points_event_id
            rows between unbounded preceding and current row
        ) as integer) as contact_badge_count,
        cast(count(points_ledger.badge_name) over (
            partition by points_ledger.partner_external_id
            order by points_ledger.occurred_at, points_ledger.points_event_id
            rows between unbounded preceding and current row
        ) as integer) as partner_badge_count,
        points_ledger.badge_name is not null as is_badge_award,
        cast(points_ledger.occurred_at as date) as occurred_date,
        points_ledger.occurred_at

    from points_ledger
    left join partners
        on points_ledger.partner_external_id = partners.partner_external_id

)

select * from final
