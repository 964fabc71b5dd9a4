with

source as (

    select * from {{ source('crm', 'partners') }}

),

renamed as (

    select
        id as partner_id,
        external_id as partner_external_id,
        partner_name,
        partner_type,
        vertical,
        region,
        tier as crm_tier,
        status as partner_status,
        website_domain,
        contract_status,
        dpa_status,
        dpa_version,
        archived as is_archived,
        applied_date,
        approved_date,
        enrolled_date,
        contract_signed_date,
        dpa_signed_date,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
