{#- One row per live opportunity with its stage meaning and the partner that sourced it, by the
    primary-credit rule (first that applies wins):
      1. deal_registration      - the partner whose registration the opportunity came from;
      2. partner_referral       - the partner on a deal the CRM marks as a partner referral;
      3. partner_campaign_lead  - the partner whose through-channel campaign produced the lead;
      4. partner_created        - any other non-direct deal carrying a partner.
    Direct deals are never partner-sourced, even with a partner on them (that partner influenced). -#}
with

deals as (

    select * from {{ ref('stg_crm__deals') }}
    where not coalesce(is_archived, false)

),

stages as (

    select * from {{ ref('deal_stages') }}

),

registrations as (

    select * from {{ ref('stg_crm__registrations') }}

),

leads as (

    select * from {{ ref('stg_tcma__leads') }}

),

partners as (

    select * from {{ ref('stg_crm__partners') }}

),

lead_partners as (

    select
        leads.lead_id,
        leads.campaign_id,
        leads.campaign_execution_id,
        partners.partner_id

    from leads
    inner join partners
        on leads.partner_external_id = partners.partner_external_id

),

final as (

    select
        deals.deal_id as opportunity_id,
        deals.company_id as account_id,
        deals.partner_id,
        deals.product_id,
        deals.registration_id,
        deals.lead_id,
        lead_partners.campaign_id,
        lead_partners.campaign_execution_id,
        deals.deal_name as opportunity_name,
        deals.deal_source,
        deals.deal_stage,
        stages.deal_stage_label,
        deals.owner_name,
        coalesce(deals.currency_code, '{{ var("reporting_currency") }}') as currency_code,
        case
            when registrations.partner_id is not null then registrations.partner_id
            when deals.deal_source = 'partner_referral' and deals.partner_id is not null then deals.partner_id
            when lead_partners.partner_id is not null then lead_partners.partner_id
            when deals.deal_source <> 'direct' and deals.partner_id is not null then deals.partner_id
        end as sourced_partner_id,
        case
            when registrations.partner_id is not null then 'deal_registration'
            when deals.deal_source = 'partner_referral' and deals.partner_id is not null then 'partner_referral'
            when lead_partners.partner_id is not null then 'partner_campaign_lead'
            when deals.deal_source <> 'direct' and deals.partner_id is not null then 'partner_created'
        end as sourcing_method,
        deals.amount,
        stages.stage_order,
        stages.is_closed,
        stages.is_won,
        deals.close_date,
        -- a deal without a create date (optional in the contract: real exports lack it) is still
        -- pipeline: it counts from when its CRM record was created, and says so
        deals.created_at is null as is_created_date_from_record,
        cast(coalesce(deals.created_at, deals.record_created_at) as date) as created_date,
        registrations.submitted_at as registration_submitted_at,
        coalesce(deals.created_at, deals.record_created_at) as created_at

    from deals
    inner join stages
        on deals.deal_stage = stages.deal_stage
    left join registrations
        on deals.registration_id = registrations.registration_id
    left join lead_partners
        on deals.lead_id = lead_partners.lead_id

)

select * from final
