with

source as (

    select * from {{ feed_source('finance', 'mdf_claims') }}

),

final as (

    select
        claim_id as mdf_claim_id,
        request_id as mdf_request_id,
        partner_id as partner_external_id,
        proof_type,
        status as claim_status,
        currency as currency_code,
        claimed_amount,
        has_proof_of_performance,
        submitted_at,
        decided_at,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
