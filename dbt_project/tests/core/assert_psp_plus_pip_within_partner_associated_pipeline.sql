-- PSP + PIP never exceeds the pipeline of partner-associated opportunities, per creation month.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

credits as (

    select * from {{ ref('fct_partner_attribution') }}

),

associated as (

    select
        {{ dbt.date_trunc('month', 'created_date') }} as period_month,
        sum(amount) as associated_pipeline

    from opportunities
    where is_partner_associated
    group by 1

),

attributed as (

    select
        {{ dbt.date_trunc('month', 'created_date') }} as period_month,
        sum(case when attribution_role = 'sourced' then pipeline_credit_amount else 0 end) as psp,
        sum(case when attribution_role = 'influenced' then pipeline_credit_amount else 0 end) as pip

    from credits
    group by 1

)

select
    attributed.period_month,
    attributed.psp,
    attributed.pip,
    associated.associated_pipeline

from attributed
left join associated
    on attributed.period_month = associated.period_month
where attributed.psp + attributed.pip > coalesce(associated.associated_pipeline, 0)
