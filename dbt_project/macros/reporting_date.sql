{#- The day the warehouse reports as of ("today" for trailing windows, current certifications, open
    pipeline). var('as_of_date') pins it (YYYY-MM-DD, e.g. for reruns or tests); otherwise it is the
    last day the CRM feed is current to, so a replayed or simulated world reports as of its own clock
    and a rerun of the same data gives the same marts. -#}
{% macro reporting_date() -%}
    (select as_of_date from {{ ref('int_reporting_date') }})
{%- endmacro %}

{#- Whole days from one timestamp/date to another, fractional, for dwell and cycle times. -#}
{% macro days_between(start_expr, end_expr) -%}
    cast({{ dbt.datediff(start_expr, end_expr, 'second') }} as {{ dbt.type_numeric() }}) / 86400
{%- endmacro %}

{#- First day of the trailing window (var trailing_months, "T12M") ending with the reporting month,
    for a relation with the reporting date in `as_of_date` (int_reporting_date). -#}
{% macro trailing_window_start(as_of_date='as_of_date') -%}
    cast({{ dbt.dateadd('month', -1 * (var('trailing_months') - 1), dbt.date_trunc('month', as_of_date)) }} as date)
{%- endmacro %}
