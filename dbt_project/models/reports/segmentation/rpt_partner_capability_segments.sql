-- Partner grain, for the partner's own page ("your segment"): its segment name, the profile of
-- the segment (an aggregate; withheld when the segment has fewer members than
-- var partner_benchmark_min_peers, so it cannot describe a handful of named peers) and its
-- onboarding track.
with

segments as (

    select * from {{ ref('dim_partner_capability_segments') }}

),

final as (

    select
        partner_id,
        segment_id,
        segment_name,
        case
            when segment_size > {{ var('partner_benchmark_min_peers') }} then segment_description
            else 'A small segment: its profile is not shown, to keep its members anonymous.'
        end as segment_description,
        assignment_basis,
        onboarding_track

    from segments

)

select * from final
