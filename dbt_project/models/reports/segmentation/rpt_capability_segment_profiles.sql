-- Segment grain, for channel managers: each capability segment's name, size, profile and
-- onboarding focus, and the average of its features over its clustered members.
with

segments as (

    select * from {{ ref('dim_partner_capability_segments') }}

),

final as (

    select
        segment_id,
        min(segment_name) as segment_name,
        min(segment_description) as segment_description,
        min(onboarding_focus) as onboarding_focus,
        cast(count(case when assignment_basis = 'capability' then 1 end) as integer) as clustered_partner_count,
        cast(count(case when assignment_basis = 'application' then 1 end) as integer) as application_partner_count,
        min(chosen_k) as chosen_k,
        min(silhouette_score) as silhouette_score,
        avg(case when assignment_basis = 'capability' then won_deal_count end) as avg_won_deal_count,
        avg(case when assignment_basis = 'capability' then won_vertical_count end) as avg_won_vertical_count,
        avg(case when assignment_basis = 'capability' then services_attach_rate end) as avg_services_attach_rate,
        avg(case when assignment_basis = 'capability' then co_sell_touch_share end) as avg_co_sell_touch_share,
        avg(case when assignment_basis = 'capability' then technical_certification_share end) as avg_technical_certification_share,
        avg(case when assignment_basis = 'capability' then certified_product_line_count end) as avg_certified_product_line_count

    from segments
    group by segment_id

)

select * from final
