with

source as (

    select * from {{ feed_source('finance', 'mdf_allocations') }}

),

final as (

    select
        allocation_id as mdf_allocation_id,
        budget_id as mdf_budget_id,
        partner_id as partner_external_id,
        currency as currency_code,
        amount as allocated_amount,
        allocated_date,
        expires_date,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
