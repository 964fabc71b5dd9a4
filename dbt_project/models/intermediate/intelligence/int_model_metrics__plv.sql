-- Partner lifetime value metrics for marts.fct_model_metrics, typed (docs/forecast_plv.md).
with

holdout as (

    select * from {{ ref('int_partner_lifetime_value_holdout') }}

),

final as (

    select
        cast(model_name as {{ type_text() }}) as model_name,
        cast(metric_name as {{ type_text() }}) as metric_name,
        cast(metric_value as double) as metric_value,
        cast(baseline_name as {{ type_text() }}) as baseline_name,
        cast(split_name as {{ type_text() }}) as split_name,
        cast(as_of_date as date) as as_of_date,
        cast(n_rows as bigint) as n_rows

    from holdout

)

select * from final
