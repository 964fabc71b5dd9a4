{#- The rows of `relation` with the latest dlt load per `primary_key`: an append-only (immutable
    event) feed can deliver the same event twice, and staging keeps its latest delivery. Ties within
    one load are broken by dlt's row id, so the choice is stable. Dispatched: `qualify` is not
    portable (Postgres has no qualify, but has distinct on). -#}
{% macro latest_delivery(relation, primary_key) -%}
    {{ return(adapter.dispatch('latest_delivery', 'prm_warehouse')(relation, primary_key)) }}
{%- endmacro %}

{% macro default__latest_delivery(relation, primary_key) -%}
    select *
    from {{ relation }}
    qualify row_number() over (
        partition by {{ primary_key }}
        order by cast(_dlt_load_id as {{ dbt.type_numeric() }}) desc, _dlt_id desc
    ) = 1
{%- endmacro %}

{% macro postgres__latest_delivery(relation, primary_key) -%}
    select distinct on ({{ primary_key }}) *
    from {{ relation }}
    order by {{ primary_key }}, cast(_dlt_load_id as {{ dbt.type_numeric() }}) desc, _dlt_id desc
{%- endmacro %}
