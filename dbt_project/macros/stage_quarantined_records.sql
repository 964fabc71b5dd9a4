{#- The staging select of a feed's quarantine table (same shape in every feed). -#}
{% macro stage_quarantined_records(source_name) %}
with

source as (

    select * from {{ source(source_name, 'quarantined_records') }}

),

renamed as (

    select
        quarantine_id,
        entity as entity_name,
        source as source_ref,
        record_ref,
        reason,
        payload,
        quarantined_at,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
{% endmacro %}
