with

source as (

    select * from {{ feed_source('tcma', 'campaign_executions') }}

),

final as (

    select
        execution_id as campaign_execution_id,
        campaign_id,
        partner_id as partner_external_id,
        mdf_request_id,
        status as execution_status,
        '{{ var("reporting_currency") }}' as currency_code,
        spend as spend_amount,
        launched_at,
        completed_at,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
