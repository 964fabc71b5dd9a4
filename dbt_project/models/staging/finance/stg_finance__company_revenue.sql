with

source as (

    select * from {{ source('finance', 'company_revenue') }}

),

renamed as (

    select
        revenue_id,
        region,
        currency as currency_code,
        total_revenue,
        period_month,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
