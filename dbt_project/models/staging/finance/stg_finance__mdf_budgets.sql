with

source as (

    select * from {{ source('finance', 'mdf_budgets') }}

),

renamed as (

    select
        budget_id,
        fiscal_quarter,
        region,
        tier,
        currency as currency_code,
        amount,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
