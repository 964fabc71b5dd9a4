-- Segment grain, for channel managers: each capability segment's name, size, profile and
-- onboarding focus, and the average of its features over its clustered members, rounded to 6
-- decimals: a float average's last bits follow the order DuckDB adds the rows in, and a rerun must
-- give the same report.
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
        round(avg(case when assignment_basis = 'capability' then won_deal_count end), 6) as avg_won_deal_count,
        round(avg(case when assignment_basis = 'capability' then won_vertical_count end), 6) as avg_won_vertical_count,
        round(avg(case when assignment_basis = 'capability' then services_attach_rate end), 6) as avg_services_attach_rate,
        round(avg(case when assignment_basis = 'capability' then co_sell_touch_share end), 6) as avg_co_sell_touch_share,
        round(avg(case when assignment_basis = 'capability' then technical_certification_share end), 6) as avg_technical_certification_share,
        round(avg(case when assignment_basis = 'capability' then certified_product_line_count end), 6) as avg_certified_product_line_count

    from segments
    group by segment_id

)

select * from final
