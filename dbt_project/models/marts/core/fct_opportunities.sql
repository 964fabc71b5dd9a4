with

deals as (

    select * from {{ ref('stg_crm__deals') }}

),

stages as (

    select * from {{ ref('deal_stages') }}

),

final as (

    select
        deals.deal_id as opportunity_id,
        deals.company_id,
        deals.partner_id,
        deals.product_id,
        deals.registration_id,
        deals.lead_id,
        deals.deal_name as opportunity_name,
        deals.deal_source,
        deals.deal_stage,
        coalesce(deals.currency_code, '{{ var("reporting_currency") }}') as currency_code,
        deals.amount,
        deals.partner_id is not null as is_partner_opportunity,
        stages.is_closed,
        stages.is_won,
        not stages.is_closed as is_open,
        deals.close_date,
        deals.created_at

    from deals
    inner join stages
        on deals.deal_stage = stages.deal_stage
    where not coalesce(deals.is_archived, false)

)

select * from final
