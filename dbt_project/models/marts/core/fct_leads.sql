with

leads as (

    select * from {{ ref('stg_tcma__leads') }}

),

partners as (

    select * from {{ ref('stg_crm__partners') }}

),

final as (

    -- the lead's e-mail stays in staging (PII); the account and the deal it became are enough here
    select
        leads.lead_id,
        leads.campaign_execution_id,
        leads.campaign_id,
        partners.partner_id,
        leads.partner_external_id,
        leads.company_id as account_id,
        leads.converted_deal_id as opportunity_id,
        leads.lead_status,
        leads.converted_deal_id is not null as is_converted,
        cast(leads.created_at as date) as created_date,
        leads.created_at

    from leads
    left join partners
        on leads.partner_external_id = partners.partner_external_id

)

select * from final
