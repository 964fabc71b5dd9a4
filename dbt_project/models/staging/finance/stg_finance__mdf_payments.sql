with

source as (

    select * from {{ feed_source('finance', 'mdf_payments') }}

),

deduplicated as (

    -- immutable events: dlt appends every delivery, so a re-delivered event can land twice;
    -- its latest load wins
    {{ latest_delivery('source', 'payment_id') }}

),

final as (

    select
        payment_id as mdf_payment_id,
        claim_id as mdf_claim_id,
        partner_id as partner_external_id,
        currency as currency_code,
        amount as payment_amount,
        paid_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from final
