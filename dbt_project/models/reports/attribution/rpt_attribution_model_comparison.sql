{#- How each multi-touch model splits won revenue: per model, credit by partner and by touch type,
    with its share of the model's total. Every partner (touch type) that touched a won opportunity
    has a row under every model, also where that model gives it nothing, so models line up. -#}
with

credits as (

    select * from {{ ref('fct_attribution_credits') }}

),

attribution_models as (

    select * from {{ ref('attribution_models') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

credits_by_dimension as (

    select
        credits.attribution_model,
        'partner' as dimension,
        coalesce(partners.partner_name, credits.partner_id) as dimension_value,
        credits.opportunity_id,
        credits.credit_amount

    from credits
    left join partners
        on credits.partner_id = partners.partner_id

    union all

    select
        attribution_model,
        'touch_type' as dimension,
        touch_type as dimension_value,
        opportunity_id,
        credit_amount

    from credits

),

aggregated as (

    select
        attribution_model,
        dimension,
        dimension_value,
        cast(sum(credit_amount) as decimal(18, 2)) as credit_amount,
        -- opportunities this partner / touch type received credit on under the model
        count(distinct case when credit_amount > 0 then opportunity_id end) as opportunity_count

    from credits_by_dimension
    group by attribution_model, dimension, dimension_value

),

final as (

    select
        aggregated.attribution_model,
        attribution_models.model_label,
        cast(attribution_models.model_order as integer) as model_order,
        aggregated.dimension,
        aggregated.dimension_value,
        aggregated.credit_amount,
        cast(
            case
                when sum(aggregated.credit_amount) over (partition by aggregated.attribution_model, aggregated.dimension) > 0
                    then cast(aggregated.credit_amount as double)
                        / cast(sum(aggregated.credit_amount) over (partition by aggregated.attribution_model, aggregated.dimension) as double)
                else 0
            end
            as double
        ) as share_of_model_total,
        cast(aggregated.opportunity_count as integer) as opportunity_count

    from aggregated
    inner join attribution_models
        on aggregated.attribution_model = attribution_models.attribution_model

)

select * from final
