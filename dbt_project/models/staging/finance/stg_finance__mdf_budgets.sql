with

source as (

    select * from {{ feed_source('finance', 'mdf_budgets') }}

),

final as (

    select
        budget_id as mdf_budget_id,
        fiscal_quarter,
        region,
        tier as partner_tier,
        currency as currency_code,
        amount as budget_amount,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
