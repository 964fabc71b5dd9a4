{#- a table, not a view: the keyed hash is computed once, by dbt (which holds the key), so readers
    of staging need no key. -#}
{{ config(materialized='table') }}

with

source as (

    select * from {{ feed_source('tcma', 'leads') }}

),

final as (

    select
        lead_id,
        execution_id as campaign_execution_id,
        campaign_id,
        partner_id as partner_external_id,
        company_id,
        converted_deal_id,
        {{ pii_hash('lead_email') }} as lead_email_hash,
        status as lead_status,
        created_at,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
