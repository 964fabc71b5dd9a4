{#- The capability features of every partner as they stood on one day (inclusive): the body of
    int_partner_capability_features (the reporting date) and of
    int_partner_capability_features__cosell_holdout (the day before co-sell's held-out deals), so
    a held-out evaluation segments partners only on what was known then. `as_of_sql` is a select
    of one row with the column `reporting_date`. It returns CTEs and the final select: the caller
    writes `with` (and may put its own CTEs before). -#}
{% macro partner_capability_features(as_of_sql) -%}
{%- set as_of = '(select reporting_date from reporting)' -%}
-- Partner grain: what a partner can do and how it engages, not how much it sells - the inputs of
-- capability segmentation (docs/segmentation.md). Over all history up to the as-of day:
-- verticals won (industries of the accounts of its won deals, and the share in its own vertical),
-- products certified (product lines with a current certification), technical vs sales
-- certifications, services attach (share of won deals on the services line or with a service
-- touch) and engagement pattern (co-sell and referral share of its touches, registrations and
-- course completions per active month). LMS figures are null without the LMS feed.

partners as (

    select * from {{ ref('dim_partners') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

touches as (

    select * from {{ ref('fct_partner_touches') }}

),

registrations as (

    select * from {{ ref('fct_deal_registrations') }}

),

certifications as (

    select * from {{ ref('fct_certifications') }}

),

courses as (

    select * from {{ ref('dim_courses') }}

),

completions as (

    select * from {{ ref('fct_course_completions') }}

),

reporting as (

    {{ as_of_sql }}

),

service_touched as (

    select distinct opportunity_id, partner_id
    from touches
    where touch_type = 'service'

),

won as (

    select
        opportunities.sourced_partner_id as partner_id,
        opportunities.opportunity_id,
        accounts.industry,
        products.product_line,
        service_touched.opportunity_id is not null as has_service_touch

    from opportunities
    left join accounts
        on opportunities.account_id = accounts.account_id
    left join products
        on opportunities.product_id = products.product_id
    left join service_touched
        on opportunities.opportunity_id = service_touched.opportunity_id
        and opportunities.sourced_partner_id = service_touched.partner_id
    where opportunities.is_won
        and opportunities.sourced_partner_id is not null
        and opportunities.close_date <= {{ as_of }}

),

won_summary as (

    select
        won.partner_id,
        count(*) as won_deal_count,
        count(distinct won.industry) as won_vertical_count,
        count(case when won.industry = partners.vertical then 1 end) as own_vertical_won_count,
        count(case when won.product_line = 'services' or won.has_service_touch then 1 end) as services_attached_won_count

    from won
    inner join partners
        on won.partner_id = partners.partner_id
    group by won.partner_id

),

top_won_vertical as (

    select partner_id, industry as top_won_vertical
    from (
        select
            partner_id,
            industry,
            row_number() over (partition by partner_id order by count(*) desc, industry) as vertical_rank
        from won
        where industry is not null
        group by partner_id, industry
    ) as ranked
    where vertical_rank = 1

),

touch_summary as (

    select
        partner_id,
        count(*) as touch_count,
        count(case when touch_type = 'co_sell' then 1 end) as co_sell_touch_count,
        count(case when touch_type = 'referral' then 1 end) as referral_touch_count,
        count(distinct {{ dbt.date_trunc('month', 'touched_date') }}) as touch_month_count

    from touches
    where partner_id is not null
        and touched_date <= {{ as_of }}
    group by partner_id

),

registration_summary as (

    select
        partner_id,
        count(*) as registration_count,
        count(distinct {{ dbt.date_trunc('month', 'submitted_date') }}) as registration_month_count

    from registrations
    where submitted_date <= {{ as_of }}
    group by partner_id

),

certification_summary as (

    select
        certifications.partner_id,
        count(distinct courses.product_line) as certified_product_line_count,
        count(case when courses.target_role = 'technical' then 1 end) as technical_certification_count,
        count(case when courses.target_role = 'sales' then 1 end) as sales_certification_count,
        count(*) as current_certification_count

    from certifications
    inner join courses
        on certifications.course_id = courses.course_id
    where {{ certification_valid_on(as_of) }}
        and certifications.partner_id is not null
    group by certifications.partner_id

),

completion_summary as (

    select
        partner_id,
        count(*) as course_completion_count

    from completions
    where partner_id is not null
        and completed_date <= {{ as_of }}
    group by partner_id

),

final as (

    select
        partners.partner_id,
        reporting.reporting_date as as_of_date,
        partners.partner_type,
        partners.vertical,
        partners.region,
        top_won_vertical.top_won_vertical,
        cast(coalesce(won_summary.won_deal_count, 0) as integer) as won_deal_count,
        cast(coalesce(won_summary.won_vertical_count, 0) as integer) as won_vertical_count,
        cast(won_summary.own_vertical_won_count as double) / nullif(won_summary.won_deal_count, 0) as own_vertical_won_share,
        cast(won_summary.services_attached_won_count as double) / nullif(won_summary.won_deal_count, 0) as services_attach_rate,
        cast(coalesce(touch_summary.touch_count, 0) as integer) as touch_count,
        cast(touch_summary.co_sell_touch_count as double) / nullif(touch_summary.touch_count, 0) as co_sell_touch_share,
        cast(touch_summary.referral_touch_count as double) / nullif(touch_summary.touch_count, 0) as referral_touch_share,
        cast(coalesce(registration_summary.registration_count, 0) as integer) as registration_count,
        cast(coalesce(registration_summary.registration_month_count, 0) as integer) as registration_month_count,
        cast(coalesce(touch_summary.touch_month_count, 0) as integer) as touch_month_count,
        {{ if_feed('lms', 'cast(coalesce(certification_summary.certified_product_line_count, 0) as integer)') }} as certified_product_line_count,
        {{ if_feed('lms', 'cast(coalesce(certification_summary.technical_certification_count, 0) as integer)') }} as technical_certification_count,
        {{ if_feed('lms', 'cast(coalesce(certification_summary.sales_certification_count, 0) as integer)') }} as sales_certification_count,
        {{ if_feed('lms', 'cast(certification_summary.technical_certification_count as double) / nullif(certification_summary.current_certification_count, 0)') }} as technical_certification_share,
        {{ if_feed('lms', 'cast(coalesce(completion_summary.course_completion_count, 0) as integer)') }} as course_completion_count,
        cast({{ dbt.datediff('coalesce(partners.enrolled_date, partners.approved_date, partners.applied_date)', 'reporting.reporting_date', 'month') }} as integer) as months_in_programme,
        partners.is_active

    from partners
    cross join reporting
    left join won_summary
        on partners.partner_id = won_summary.partner_id
    left join top_won_vertical
        on partners.partner_id = top_won_vertical.partner_id
    left join touch_summary
        on partners.partner_id = touch_summary.partner_id
    left join registration_summary
        on partners.partner_id = registration_summary.partner_id
    left join certification_summary
        on partners.partner_id = certification_summary.partner_id
    left join completion_summary
        on partners.partner_id = completion_summary.partner_id
    -- partners that had applied by the day (no application date: always there)
    where partners.applied_date is null or partners.applied_date <= reporting.reporting_date

)

select * from final
{%- endmacro %}
