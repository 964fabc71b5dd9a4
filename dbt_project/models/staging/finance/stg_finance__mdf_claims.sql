with

source as (

    select * from {{ source('finance', 'mdf_claims') }}

),

renamed as (

    select
        claim_id,
        request_id,
        partner_id as partner_external_id,
        currency as currency_code,
        proof_type,
        status as claim_status,
        claimed_amount,
        has_proof_of_performance,
        submitted_at,
        decided_at,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
