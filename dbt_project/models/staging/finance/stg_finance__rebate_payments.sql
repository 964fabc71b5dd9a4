with

source as (

    select * from {{ source('finance', 'rebate_payments') }}

),

renamed as (

    select
        rebate_payment_id,
        partner_id as partner_external_id,
        fiscal_quarter,
        program,
        currency as currency_code,
        amount,
        paid_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source
    -- immutable events: a re-delivered event keeps its first load only
    qualify row_number() over (partition by rebate_payment_id order by _dlt_load_id) = 1

)

select * from renamed
