with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

stages as (

    select * from {{ ref('deal_stages') }}

),

final as (

    select
        partners.partner_tier,
        partners.partner_type,
        opportunities.deal_stage,
        stages.deal_stage_label,
        stages.stage_order,
        opportunities.is_won,
        opportunities.is_open,
        opportunities.has_account,
        count(*) as deal_count,
        sum(opportunities.amount) as amount_usd

    from opportunities
    inner join partners
        on opportunities.partner_id = partners.partner_id
    inner join stages
        on opportunities.deal_stage = stages.deal_stage
    where opportunities.currency_code = '{{ var("reporting_currency") }}'
    group by all

)

select * from final
