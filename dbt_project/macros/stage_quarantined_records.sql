{#- The staging select of a feed's quarantine table (same shape in every feed). The raw payload, which
    may hold personal data, stays in raw_<system>.quarantined_records; staging masks it. -#}
{% macro stage_quarantined_records(source_name) %}
with

source as (

    select * from {{ feed_source(source_name, 'quarantined_records') }}

),

final as (

    select
        quarantine_id,
        entity as entity_name,
        source as source_ref,
        record_ref,
        reason,
        {{ pii_redact('payload') }} as payload,
        quarantined_at,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
{% endmacro %}
