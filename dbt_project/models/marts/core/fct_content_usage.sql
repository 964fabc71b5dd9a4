with

usage as (

    select * from {{ ref('stg_tcma__asset_usage') }}

),

assets as (

    select * from {{ ref('stg_tcma__assets') }}

),

partners as (

    select * from {{ ref('stg_crm__partners') }}

),

final as (

    select
        usage.asset_usage_id as content_usage_id,
        usage.asset_id,
        assets.campaign_id,
        partners.partner_id,
        usage.partner_external_id,
        usage.campaign_execution_id,
        usage.deal_id as opportunity_id,
        usage.usage_type,
        usage.deal_id is not null as is_attached_to_opportunity,
        cast(usage.used_at as date) as used_date,
        usage.used_at

    from usage
    left join assets
        on usage.asset_id = assets.asset_id
    left join partners
        on usage.partner_external_id = partners.partner_external_id

)

select * from final
