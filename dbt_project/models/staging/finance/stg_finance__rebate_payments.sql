with

source as (

    select * from {{ feed_source('finance', 'rebate_payments') }}

),

deduplicated as (

    -- immutable events: dlt appends every delivery, so a re-delivered event can land twice;
    -- its latest load wins
    {{ latest_delivery('source', 'rebate_payment_id') }}

),

final as (

    select
        rebate_payment_id,
        partner_id as partner_external_id,
        fiscal_quarter,
        program as rebate_program,
        currency as currency_code,
        amount as rebate_amount,
        paid_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from final
