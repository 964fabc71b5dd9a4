-- How often a registration has an enablement gap and, historically, how registrations with and
-- without one ended: per gap kind (certification, win_rate, any), over registrations that were
-- not rejected. Win rates are won / closed registered deals; a gap not computable (no LMS feed,
-- too few closed deals) counts in neither group.

with

gaps as (

    select * from {{ ref('fct_registration_enablement_gaps') }}
    where not is_rejected

),

by_kind as (

    select 'certification' as enablement_gap_kind, has_certification_gap as has_gap, is_deal_closed, is_deal_won
    from gaps
    union all
    select 'win_rate', has_win_rate_gap, is_deal_closed, is_deal_won
    from gaps
    union all
    select
        'any',
        case
            when has_certification_gap is not null or has_win_rate_gap is not null
                then has_enablement_gap
        end,
        is_deal_closed,
        is_deal_won
    from gaps

),

counted as (

    select
        enablement_gap_kind,
        count(*) as registration_count,
        count(has_gap) as gap_known_count,
        count(*) filter (where has_gap) as gap_count,
        count(*) filter (where has_gap and is_deal_closed) as closed_with_gap_count,
        count(*) filter (where has_gap and is_deal_won) as won_with_gap_count,
        count(*) filter (where not has_gap and is_deal_closed) as closed_without_gap_count,
        count(*) filter (where not has_gap and is_deal_won) as won_without_gap_count

    from by_kind
    group by enablement_gap_kind

),

final as (

    select
        enablement_gap_kind,
        cast(registration_count as integer) as registration_count,
        cast(gap_known_count as integer) as gap_known_count,
        cast(gap_count as integer) as gap_count,
        cast(closed_with_gap_count as integer) as closed_with_gap_count,
        cast(won_with_gap_count as integer) as won_with_gap_count,
        cast(closed_without_gap_count as integer) as closed_without_gap_count,
        cast(won_without_gap_count as integer) as won_without_gap_count,
        cast(gap_count as double) / nullif(gap_known_count, 0) as gap_share,
        cast(won_with_gap_count as double) / nullif(closed_with_gap_count, 0) as win_rate_with_gap,
        cast(won_without_gap_count as double) / nullif(closed_without_gap_count, 0) as win_rate_without_gap,
        cast(won_with_gap_count as double) / nullif(closed_with_gap_count, 0)
            - cast(won_without_gap_count as double) / nullif(closed_without_gap_count, 0) as win_rate_difference

    from counted

)

select * from final
