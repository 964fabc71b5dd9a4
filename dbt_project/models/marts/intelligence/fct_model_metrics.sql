-- Metrics of the revenue-intelligence models, kept run after run so drift is visible: one row per
-- reporting date x model x metric x baseline (null = the model itself) x split. Incremental: a
-- rerun of the same reporting date replaces that date's rows. Add a model's metrics by adding its
-- int_model_metrics__<model> to the list below (same seven columns).
{{
    config(
        materialized='incremental',
        unique_key='as_of_date',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{%- set metric_models = [
    'int_model_metrics__health',
    'int_model_metrics__stall',
    'int_model_metrics__forecast',
    'int_model_metrics__plv',
] %}

with

metrics as (

    {% for name in metric_models %}
    select model_name, metric_name, metric_value, baseline_name, split_name, as_of_date, n_rows
    from {{ ref(name) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "cast(as_of_date as " ~ type_text() ~ ")", "'|'", "model_name", "'|'", "metric_name", "'|'",
            "coalesce(baseline_name, '')", "'|'", "split_name"
        ])) }} as model_metric_id,
        cast(model_name as {{ type_text() }}) as model_name,
        cast(metric_name as {{ type_text() }}) as metric_name,
        cast(baseline_name as {{ type_text() }}) as baseline_name,
        cast(split_name as {{ type_text() }}) as split_name,
        cast(metric_value as double) as metric_value,
        cast(n_rows as bigint) as n_rows,
        cast(as_of_date as date) as as_of_date

    from metrics

)

select * from final
