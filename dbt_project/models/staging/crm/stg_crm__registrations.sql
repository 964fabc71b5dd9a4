with

source as (

    select * from {{ source('crm', 'registrations') }}

),

final as (

    select
        id as registration_id,
        partner_id,
        deal_id,
        product_id,
        registered_company_name,
        registered_domain,
        registration_status,
        rejection_reason,
        extension_status,
        '{{ var("reporting_currency") }}' as currency_code,
        estimated_amount,
        archived as is_archived,
        expires_date,
        extended_until_date,
        submitted_at,
        decided_at,
        extension_requested_at,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
