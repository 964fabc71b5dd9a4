-- Partner grain: the capability segment of each partner (int_partner_capability_clusters, a dbt
-- Python model: contracts need SQL, so this mart types and documents it) and the onboarding track
-- that goes with it - the learning track its application routes it to (fct_partner_learning_track,
-- seeds/learning_track_routing.csv: healthcare + MSP -> "Healthcare managed security") with the
-- segment's enablement focus.
with

clusters as (

    select * from {{ ref('int_partner_capability_clusters') }}

),

features as (

    select * from {{ ref('int_partner_capability_features') }}

),

learning_tracks as (

    select * from {{ ref('fct_partner_learning_track') }}

),

final as (

    select
        cast(clusters.partner_id as {{ type_text() }}) as partner_id,
        cast(clusters.segment_id as integer) as segment_id,
        cast(clusters.segment_name as {{ type_text() }}) as segment_name,
        cast(clusters.segment_description as {{ type_text() }}) as segment_description,
        cast(clusters.assignment_basis as {{ type_text() }}) as assignment_basis,
        cast(learning_tracks.assigned_learning_track as {{ type_text() }}) as learning_track,
        cast(clusters.onboarding_focus as {{ type_text() }}) as onboarding_focus,
        cast(
            coalesce(learning_tracks.assigned_learning_track, 'Core platform') || ' track, with '
            || clusters.onboarding_focus as {{ type_text() }}
        ) as onboarding_track,
        features.partner_type,
        features.vertical,
        features.top_won_vertical,
        cast(clusters.segment_size as integer) as segment_size,
        cast(clusters.chosen_k as integer) as chosen_k,
        cast(clusters.silhouette_score as double) as silhouette_score,
        features.won_deal_count,
        features.won_vertical_count,
        features.own_vertical_won_share,
        features.services_attach_rate,
        features.co_sell_touch_share,
        features.referral_touch_share,
        features.registration_count,
        features.certified_product_line_count,
        features.technical_certification_count,
        features.sales_certification_count,
        features.technical_certification_share,
        features.course_completion_count,
        clusters.assignment_basis = 'application' as is_assigned_from_application,
        features.is_active

    from clusters
    inner join features
        on clusters.partner_id = features.partner_id
    left join learning_tracks
        on clusters.partner_id = learning_tracks.partner_id

)

select * from final
