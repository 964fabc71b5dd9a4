with

source as (

    select * from {{ feed_source('finance', 'mdf_requests') }}

),

final as (

    select
        request_id as mdf_request_id,
        allocation_id as mdf_allocation_id,
        partner_id as partner_external_id,
        campaign_id,
        activity_type,
        status as request_status,
        currency as currency_code,
        requested_amount,
        approved_amount,
        estimated_pipeline as estimated_pipeline_amount,
        partner_coinvest_amount,
        submitted_at,
        decided_at,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
