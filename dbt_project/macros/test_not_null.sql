{#- dbt's not_null, except that a failing row of a restricted raw_* table is stored (store_failures,
    schema test_failures, which is not restricted) as its null column only, never whole: raw rows
    hold personal data in clear. Elsewhere the whole row is kept for context, as dbt does. -#}
{% macro default__test_not_null(model, column_name) %}

{% set restricted = 'raw_' in (model | string) %}
{% set column_list = '*' if should_store_failures() and not restricted else column_name %}

select {{ column_list }}
from {{ model }}
where {{ column_name }} is null

{% endmacro %}
