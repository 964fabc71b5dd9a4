-- Just-in-time enablement (docs/enablement.md): every deal registration with the partner's
-- enablement on its submission day for the registered product's line. A certification gap: none
-- of its people holds a valid certification of the line that day (needs the LMS feed: null
-- without it). A win-rate gap: the partner's win rate on the line's deals it sourced and closed
-- before that day is below its own baseline (all its closed sourced deals before that day) by more
-- than var enablement_gap_win_rate_margin, judged only from var enablement_gap_min_closed_deals
-- closed deals of the line. A gap gets the seed enablement_recommendations row and a battle card.

with

registrations as (

    select * from {{ ref('fct_deal_registrations') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

certifications as (

    select * from {{ ref('fct_certifications') }}

),

courses as (

    select * from {{ ref('dim_courses') }}

),

recommendations as (

    select * from {{ ref('enablement_recommendations') }}

),

battle_cards as (

    select * from {{ ref('int_enablement_battle_cards') }}

),

registered as (

    select
        registrations.registration_id,
        registrations.partner_id,
        registrations.opportunity_id,
        registrations.product_id,
        products.product_line,
        registrations.registration_status,
        registrations.is_rejected,
        coalesce(opportunities.is_closed, false) as is_deal_closed,
        coalesce(opportunities.is_won, false) as is_deal_won,
        registrations.submitted_date

    from registrations
    left join products
        on registrations.product_id = products.product_id
    left join opportunities
        on registrations.opportunity_id = opportunities.opportunity_id

),

partner_deals as (

    select
        opportunities.sourced_partner_id as partner_id,
        products.product_line,
        opportunities.is_won,
        opportunities.close_date

    from opportunities
    left join products
        on opportunities.product_id = products.product_id
    where opportunities.is_closed
        and opportunities.sourced_partner_id is not null

),

history as (

    select
        registered.registration_id,
        count(partner_deals.partner_id) as baseline_closed_count,
        count(partner_deals.partner_id) filter (where partner_deals.is_won) as baseline_won_count,
        count(partner_deals.partner_id) filter (
            where partner_deals.product_line = registered.product_line
        ) as line_closed_count,
        count(partner_deals.partner_id) filter (
            where partner_deals.product_line = registered.product_line and partner_deals.is_won
        ) as line_won_count

    from registered
    left join partner_deals
        on registered.partner_id = partner_deals.partner_id
        and partner_deals.close_date < registered.submitted_date
    group by registered.registration_id

),

valid_certifications as (

    select
        registered.registration_id,
        count(distinct certifications.contact_id) as certified_people_count

    from registered
    inner join certifications
        on registered.partner_id = certifications.partner_id
        and {{ certification_valid_on('registered.submitted_date') }}
    inner join courses
        on certifications.course_id = courses.course_id
        and courses.is_certification
        and courses.product_line = registered.product_line
    group by registered.registration_id

),

measured as (

    select
        registered.*,
        {{ if_feed('lms', 'coalesce(valid_certifications.certified_people_count, 0)') }}
            as certified_people_count,
        history.line_closed_count,
        history.line_won_count,
        history.baseline_closed_count,
        history.baseline_won_count,
        cast(history.line_won_count as double) / nullif(history.line_closed_count, 0) as line_win_rate,
        cast(history.baseline_won_count as double) / nullif(history.baseline_closed_count, 0) as baseline_win_rate

    from registered
    inner join history
        on registered.registration_id = history.registration_id
    left join valid_certifications
        on registered.registration_id = valid_certifications.registration_id

),

gaps as (

    select
        *,
        case
            when product_line is not null then certified_people_count = 0
        end as has_certification_gap,
        case
            when line_closed_count >= {{ var('enablement_gap_min_closed_deals') }}
                then line_win_rate < baseline_win_rate - {{ var('enablement_gap_win_rate_margin') }}
        end as has_win_rate_gap

    from measured

),

classified as (

    select
        *,
        case
            when has_certification_gap and has_win_rate_gap then 'certification_and_win_rate'
            when has_certification_gap then 'certification'
            when has_win_rate_gap then 'win_rate'
        end as enablement_gap_kind,
        case
            when has_certification_gap then 'certification'
            when has_win_rate_gap then 'win_rate'
        end as recommendation_kind

    from gaps

),

final as (

    select
        classified.registration_id,
        classified.partner_id,
        classified.opportunity_id,
        classified.product_id,
        recommendations.course_id as recommended_course_id,
        battle_cards.asset_id as battle_card_asset_id,
        classified.product_line,
        classified.registration_status,
        classified.enablement_gap_kind,
        courses.course_title as recommended_course_title,
        battle_cards.asset_name as battle_card_asset_name,
        recommendations.recommendation,
        cast(classified.certified_people_count as integer) as certified_people_count,
        cast(classified.line_closed_count as integer) as line_closed_count,
        cast(classified.line_won_count as integer) as line_won_count,
        cast(classified.baseline_closed_count as integer) as baseline_closed_count,
        cast(classified.baseline_won_count as integer) as baseline_won_count,
        classified.line_win_rate,
        classified.baseline_win_rate,
        classified.has_certification_gap,
        classified.has_win_rate_gap,
        coalesce(classified.has_certification_gap, false)
            or coalesce(classified.has_win_rate_gap, false) as has_enablement_gap,
        classified.is_rejected,
        classified.is_deal_closed,
        classified.is_deal_won,
        classified.submitted_date

    from classified
    left join recommendations
        on classified.product_line = recommendations.product_line
        and classified.recommendation_kind = recommendations.enablement_gap_kind
    left join courses
        on recommendations.course_id = courses.course_id
    left join battle_cards
        on recommendations.product_line = battle_cards.product_line
        and recommendations.battle_card_asset_type = battle_cards.asset_type

)

select * from final
