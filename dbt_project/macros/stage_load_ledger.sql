{#- The staging select of a feed's load ledger (same shape in every feed): one row per source (file
    or endpoint) per load, where its records went and how the file differed from the contract or
    mapping. The read's own time is left out on purpose: reports built on it describe the files, so a
    rerun that reads nothing new leaves them identical. -#}
{% macro stage_load_ledger(source_name) %}
with

source as (

    select * from {{ feed_source(source_name, 'load_ledger') }}

),

final as (

    select
        ledger_id,
        entity as entity_name,
        source as source_ref,
        rows_in,
        rows_loaded,
        rows_quarantined,
        rows_superseded,
        rows_already_loaded,
        values_nulled,
        encoding,
        unknown_columns,
        missing_columns,
        type_changes,
        file_status,
        file_reason,
        _dlt_load_id as load_id,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
{% endmacro %}
