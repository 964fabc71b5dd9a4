-- Partner grain: how fast a partner became productive (TTPP) and how well enablement turns into
-- selling (EES). TTPP counts days from enrolment to the partner's first qualified sourced deal and
-- to its first revenue (won, sourced or influenced); a first deal before enrolment counts as day 0.
-- EES = 100 x sum(weight x component) / sum(weight), components in 0-1, weights in
-- seeds/ees_weights.csv; a component a partner has no data for scores 0.
with

partners as (

    select * from {{ ref('dim_partners') }}

),

contacts as (

    select * from {{ ref('dim_partner_contacts') }}

),

enrolments as (

    select * from {{ ref('stg_lms__enrolments') }}

),

completions as (

    select * from {{ ref('fct_course_completions') }}

),

partner_attribution as (

    select * from {{ ref('fct_partner_attribution') }}
    where attribution_role in ('sourced', 'influenced')

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

partner_months as (

    select * from {{ ref('fct_partner_monthly_kpis') }}

),

weights as (

    select * from {{ ref('ees_weights') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

people as (

    select
        partner_id,
        count(*) as contact_count,
        count(case when is_currently_certified then 1 end) as currently_certified_people_count

    from contacts
    group by partner_id

),

learning as (

    select
        partners.partner_id,
        count(*) as course_enrolment_count,
        count(enrolments.completed_at) as course_completion_count

    from enrolments
    inner join partners
        on enrolments.partner_external_id = partners.partner_external_id
    group by partners.partner_id

),

scores as (

    select
        partner_id,
        avg(cast(score as decimal(18, 6))) as avg_assessment_score  -- exact, order-independent

    from completions
    group by partner_id

),

firsts as (

    select
        partner_attribution.partner_id,
        min(
            case
                when partner_attribution.attribution_role = 'sourced' and opportunities.is_qualified
                    then opportunities.qualified_date
            end
        ) as first_qualified_date,
        min(
            case
                when partner_attribution.is_won and partner_attribution.close_date <= reporting.reporting_date
                    then partner_attribution.close_date
            end
        ) as first_revenue_date

    from partner_attribution
    inner join opportunities
        on partner_attribution.opportunity_id = opportunities.opportunity_id
    cross join reporting
    group by partner_attribution.partner_id

),

trailing_outcomes as (

    select
        partner_id,
        sum(sourced_won_count) as t12m_sourced_won_count,
        sum(sourced_closed_count) as t12m_sourced_closed_count

    from partner_months
    where is_in_trailing_12_months
    group by partner_id

),

weight_pivot as (

    select
        {% for component in ['certification_coverage', 'course_completion_rate', 'assessment_score', 'win_rate', 'speed_to_revenue'] -%}
        coalesce(max(case when ees_component = '{{ component }}' then weight end), 0) as {{ component }}_weight,
        {% endfor -%}
        sum(weight) as total_weight

    from weights

),

components as (

    select
        partners.partner_id,
        partners.enrolled_date,
        firsts.first_qualified_date,
        firsts.first_revenue_date,
        coalesce(people.contact_count, 0) as contact_count,
        coalesce(people.currently_certified_people_count, 0) as currently_certified_people_count,
        coalesce(learning.course_enrolment_count, 0) as course_enrolment_count,
        coalesce(learning.course_completion_count, 0) as course_completion_count,
        scores.avg_assessment_score,
        -- greatest() skips nulls, so the null (not enrolled, or no such deal yet) is kept explicitly
        case
            when partners.enrolled_date is not null and firsts.first_qualified_date is not null
                then greatest({{ dbt.datediff('partners.enrolled_date', 'firsts.first_qualified_date', 'day') }}, 0)
        end as ttpp_days_to_first_qualified,
        -- greatest() skips nulls, so the null (not enrolled, or no such deal yet) is kept explicitly
        case
            when partners.enrolled_date is not null and firsts.first_revenue_date is not null
                then greatest({{ dbt.datediff('partners.enrolled_date', 'firsts.first_revenue_date', 'day') }}, 0)
        end as ttpp_days_to_first_revenue,
        {{ dbt.datediff('partners.enrolled_date', 'reporting.reporting_date', 'day') }} as days_since_enrolment,
        cast(people.currently_certified_people_count as double) / nullif(people.contact_count, 0) as certification_coverage,
        cast(learning.course_completion_count as double) / nullif(learning.course_enrolment_count, 0) as course_completion_rate,
        scores.avg_assessment_score / 100.0 as assessment_score,
        cast(trailing_outcomes.t12m_sourced_won_count as double) / nullif(trailing_outcomes.t12m_sourced_closed_count, 0) as win_rate

    from partners
    cross join reporting
    left join people
        on partners.partner_id = people.partner_id
    left join learning
        on partners.partner_id = learning.partner_id
    left join scores
        on partners.partner_id = scores.partner_id
    left join firsts
        on partners.partner_id = firsts.partner_id
    left join trailing_outcomes
        on partners.partner_id = trailing_outcomes.partner_id

),

scored as (

    select
        components.*,
        case
            when components.ttpp_days_to_first_revenue is not null
                then greatest(1 - cast(components.ttpp_days_to_first_revenue as double) / {{ var('ees_speed_horizon_days') }}, 0)
        end as speed_to_revenue

    from components

),

final as (

    select
        scored.partner_id,
        cast(scored.contact_count as integer) as contact_count,
        {{ if_feed('lms', 'cast(scored.currently_certified_people_count as integer)') }} as currently_certified_people_count,
        {{ if_feed('lms', 'cast(scored.course_enrolment_count as integer)') }} as course_enrolment_count,
        {{ if_feed('lms', 'cast(scored.course_completion_count as integer)') }} as course_completion_count,
        cast(scored.ttpp_days_to_first_qualified as integer) as ttpp_days_to_first_qualified,
        cast(scored.ttpp_days_to_first_revenue as integer) as ttpp_days_to_first_revenue,
        cast(scored.days_since_enrolment as integer) as days_since_enrolment,
        cast(scored.avg_assessment_score as double) as avg_assessment_score,
        {{ if_feed('lms', 'scored.certification_coverage') }} as certification_coverage,
        scored.course_completion_rate,
        scored.assessment_score,
        scored.win_rate,
        scored.speed_to_revenue,
        -- three of the five EES components are LMS figures: no LMS feed, no EES (not a low one)
        {% if not feed_enabled('lms') %}cast(null as double) as ees_score,{% else -%}
        100 * (
            weight_pivot.certification_coverage_weight * coalesce(scored.certification_coverage, 0)
            + weight_pivot.course_completion_rate_weight * coalesce(scored.course_completion_rate, 0)
            + weight_pivot.assessment_score_weight * coalesce(scored.assessment_score, 0)
            + weight_pivot.win_rate_weight * coalesce(scored.win_rate, 0)
            + weight_pivot.speed_to_revenue_weight * coalesce(scored.speed_to_revenue, 0)
        ) / nullif(weight_pivot.total_weight, 0) as ees_score,
        {%- endif %}
        scored.first_qualified_date is not null as has_qualified_deal,
        scored.first_revenue_date is not null as is_productive,
        scored.enrolled_date,
        scored.first_qualified_date,
        scored.first_revenue_date

    from scored
    cross join weight_pivot

)

select * from final
