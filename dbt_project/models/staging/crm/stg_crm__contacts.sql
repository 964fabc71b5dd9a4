{#- a table, not a view: the keyed hash is computed once, by dbt (which holds the key), so readers
    of staging need no key. -#}
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('crm', 'contacts') }}

),

final as (

    select
        id as contact_id,
        partner_id,
        firstname as first_name,
        lastname as last_name,
        {{ pii_hash('email') }} as email_hash,
        {{ pii_hash('phone') }} as phone_hash,
        job_role,
        jobtitle as job_title,
        archived as is_archived,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
