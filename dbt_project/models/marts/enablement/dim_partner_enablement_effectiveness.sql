-- Partner grain: the Enablement Effectiveness Score extended with outcomes, as the domain defines
-- it ("a weighted index of course completions, certification rates, content usage and
-- post-enablement performance deltas"). Components (0-1): the EES of dim_partner_productivity / 100;
-- content usage = closed sourced deals with an asset attached before close / closed sourced deals;
-- win-rate delta = (1 + win-rate change over the partner's first certification) / 2; revenue
-- delta = revenue after / (before + after) over the same equal windows (0.5 = no change; both
-- need the first certification's windows complete, int_enablement_lift_windows).
-- EES composite = 100 x sum(weight x component) / sum(weight), seeds/ees_enablement_weights.csv;
-- a component without data scores 0, as in the base EES; rounded to 2 decimals.
with

productivity as (

    select * from {{ ref('dim_partner_productivity') }}

),

lift_windows as (

    select * from {{ ref('int_enablement_lift_windows') }}
    where event_type = 'certification'

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where is_closed
        and is_partner_sourced

),

attachments as (

    select * from {{ ref('int_opportunity_content_attachments') }}
    where not is_attached_after_close

),

weights as (

    select * from {{ ref('ees_enablement_weights') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

first_certifications as (

    select
        lift_windows.*,
        row_number() over (
            partition by lift_windows.partner_id
            order by lift_windows.event_date, lift_windows.course_id
        ) as certification_rank

    from lift_windows

),

content as (

    select
        opportunities.sourced_partner_id as partner_id,
        count(*) as closed_sourced_count,
        count(attached.opportunity_id) as closed_sourced_with_content_count

    from opportunities
    cross join reporting
    left join (select distinct opportunity_id from attachments) as attached
        on opportunities.opportunity_id = attached.opportunity_id
    where opportunities.close_date <= reporting.reporting_date
    group by opportunities.sourced_partner_id

),

weight_pivot as (

    select
        {% for component in ['base_ees', 'content_usage', 'win_rate_delta', 'revenue_delta'] -%}
        coalesce(max(case when ees_component = '{{ component }}' then weight end), 0) as {{ component }}_weight,
        {% endfor -%}
        sum(weight) as total_weight

    from weights

),

components as (

    select
        productivity.partner_id,
        first_certifications.course_id as first_certification_course_id,
        first_certifications.event_date as first_certified_date,
        productivity.ees_score,
        coalesce(content.closed_sourced_count, 0) as closed_sourced_count,
        coalesce(content.closed_sourced_with_content_count, 0) as closed_sourced_with_content_count,
        case when first_certifications.has_complete_windows then
            cast(first_certifications.before_won_count as double) / nullif(first_certifications.before_closed_count, 0)
        end as before_win_rate,
        case when first_certifications.has_complete_windows then
            cast(first_certifications.after_won_count as double) / nullif(first_certifications.after_closed_count, 0)
        end as after_win_rate,
        case when first_certifications.has_complete_windows then first_certifications.before_revenue_amount end
            as before_revenue_amount,
        case when first_certifications.has_complete_windows then first_certifications.after_revenue_amount end
            as after_revenue_amount,
        coalesce(first_certifications.has_complete_windows, false) as has_measurable_certification_delta

    from productivity
    left join first_certifications
        on productivity.partner_id = first_certifications.partner_id
        and first_certifications.certification_rank = 1
    left join content
        on productivity.partner_id = content.partner_id

),

scored as (

    select
        components.*,
        ees_score / 100.0 as base_ees_component,
        cast(closed_sourced_with_content_count as double) / nullif(closed_sourced_count, 0) as content_usage_component,
        (1 + (after_win_rate - before_win_rate)) / 2 as win_rate_delta_component,
        cast(after_revenue_amount as double) / nullif(before_revenue_amount + after_revenue_amount, 0)
            as revenue_delta_component

    from components

),

final as (

    select
        scored.partner_id,
        scored.first_certification_course_id,
        cast(scored.closed_sourced_count as integer) as closed_sourced_count,
        cast(scored.closed_sourced_with_content_count as integer) as closed_sourced_with_content_count,
        cast(scored.ees_score as double) as ees_score,
        cast(scored.before_win_rate as double) as before_win_rate,
        cast(scored.after_win_rate as double) as after_win_rate,
        cast(scored.after_win_rate - scored.before_win_rate as double) as win_rate_change,
        cast(scored.before_revenue_amount as decimal(18, 2)) as before_revenue_amount,
        cast(scored.after_revenue_amount as decimal(18, 2)) as after_revenue_amount,
        cast(scored.base_ees_component as double) as base_ees_component,
        cast(scored.content_usage_component as double) as content_usage_component,
        cast(scored.win_rate_delta_component as double) as win_rate_delta_component,
        cast(scored.revenue_delta_component as double) as revenue_delta_component,
        cast(round(100 * (
            weight_pivot.base_ees_weight * coalesce(scored.base_ees_component, 0)
            + weight_pivot.content_usage_weight * coalesce(scored.content_usage_component, 0)
            + weight_pivot.win_rate_delta_weight * coalesce(scored.win_rate_delta_component, 0)
            + weight_pivot.revenue_delta_weight * coalesce(scored.revenue_delta_component, 0)
        ) / nullif(weight_pivot.total_weight, 0), 2) as double) as ees_composite_score,
        scored.has_measurable_certification_delta,
        scored.first_certified_date

    from scored
    cross join weight_pivot

)

select * from final
