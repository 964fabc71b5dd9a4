-- Open partner pipeline by partner tier x region x health band (fct_opportunity_health): deals,
-- amount and mean health, for the Pipeline health page.
with

health as (

    select * from {{ ref('fct_opportunity_health') }}

),

banded as (

    select
        *,
        case
            when health_score < 20 then '01-19'
            when health_score < 40 then '20-39'
            when health_score < 60 then '40-59'
            when health_score < 80 then '60-79'
            else '80-99'
        end as health_band

    from health

),

final as (

    select
        partner_tier || '|' || coalesce(region, 'unknown') || '|' || health_band as pipeline_health_distribution_id,
        partner_tier,
        coalesce(region, 'unknown') as region,
        health_band,
        max(currency_code) as currency_code,
        cast(count(*) as integer) as open_deal_count,
        cast(sum(case when scored_by = 'model' then 1 else 0 end) as integer) as model_scored_deal_count,
        cast(sum(amount) as decimal(18, 2)) as open_pipeline_amount,
        avg(cast(health_score as double)) as mean_health_score,
        max(as_of_date) as as_of_date

    from banded
    group by partner_tier, coalesce(region, 'unknown'), health_band

)

select * from final
