{#- When dlt loaded a row: its load id is the unix epoch seconds of the load, as text
    ('1795338301.468728'). Dispatched, so another adapter can supply its own conversion. -#}
{% macro dlt_loaded_at(load_id_column='_dlt_load_id') -%}
    {{ return(adapter.dispatch('dlt_loaded_at', 'prm_warehouse')(load_id_column)) }}
{%- endmacro %}

{% macro default__dlt_loaded_at(load_id_column) -%}
    to_timestamp(cast({{ load_id_column }} as {{ dbt.type_numeric() }}))
{%- endmacro %}

{% macro spark__dlt_loaded_at(load_id_column) -%}
    timestamp_seconds(cast({{ load_id_column }} as {{ dbt.type_numeric() }}))
{%- endmacro %}
