with

source as (

    select * from {{ source('finance', 'mdf_allocations') }}

),

renamed as (

    select
        allocation_id,
        budget_id,
        partner_id as partner_external_id,
        currency as currency_code,
        amount,
        allocated_date,
        expires_date,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
