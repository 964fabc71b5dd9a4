{#- One row per attribution model (seed attribution_models) and partner touch before close on a won
    opportunity: the touch's share of the opportunity's amount under that model.
      position   - role weights from the seed: the first touch, the key touch (W-shaped) and the last
                   touch get their role's weight, touches holding none of the model's roles share the
                   other-touch weight evenly. A touch holding several roles adds their weights; roles no
                   touch holds drop out and the weights are renormalised (U-shaped: 1 touch 100%,
                   2 touches 50/50; W-shaped: 3 touches with the key in the middle 1/3 each).
      linear     - equal shares.
      time_decay - 2^(-days_before_close / var attribution_time_decay_half_life_days), normalised.
      markov_touch_type - removal-effect share of the touch's type in the type-level Markov chain
                   (int_attribution_markov_removal_effects, level touch_type), normalised within the
                   opportunity.
      markov_partner - the partner-level Markov chain's global allocation brought down to the
                   opportunity (int_attribution_markov_partner_weights: the partner's raked share of
                   the opportunity), split evenly over the partner's touches on it.
    Weights of an opportunity sum to 1; when a model's raw weights of an opportunity are all 0 (only
    the Markov models could do that, with channels that never change conversion), its touches share
    equally.
    Amounts are split by the largest-remainder method: every touch gets its floored cents, the cents
    left over go one each to the largest fractional remainders (ties to the earlier touch), so credits
    of an opportunity sum to its amount exactly under every model. -#}
with

touch_paths as (

    select * from {{ ref('int_attribution_touch_paths') }}
    where is_won

),

attribution_models as (

    select * from {{ ref('attribution_models') }}

),

markov_removal_effects as (

    select * from {{ ref('int_attribution_markov_removal_effects') }}
    where markov_level = 'touch_type'

),

markov_partner_weights as (

    select * from {{ ref('int_attribution_markov_partner_weights') }}

),

touch_roles as (

    select
        attribution_models.attribution_model,
        attribution_models.weighting_method,
        attribution_models.first_touch_weight,
        attribution_models.key_touch_weight,
        attribution_models.last_touch_weight,
        attribution_models.other_touch_weight,
        touch_paths.opportunity_id,
        touch_paths.touch_id,
        touch_paths.partner_id,
        touch_paths.touch_type,
        touch_paths.currency_code,
        touch_paths.touch_position,
        touch_paths.touch_count,
        touch_paths.days_before_close,
        touch_paths.amount,
        touch_paths.touch_position = 1 as is_first_touch,
        touch_paths.touch_position = touch_paths.touch_count as is_last_touch,
        -- the key role exists only in models that weigh it (W-shaped); elsewhere the key touch is an
        -- ordinary other touch
        touch_paths.is_key_touch and coalesce(attribution_models.key_touch_weight, 0) > 0 as is_key_touch,
        touch_paths.close_date,
        touch_paths.touched_at

    from touch_paths
    cross join attribution_models

),

other_touches_counted as (

    select
        *,
        not (is_first_touch or is_last_touch or is_key_touch) as is_other_touch,
        sum(case when not (is_first_touch or is_last_touch or is_key_touch) then 1 else 0 end)
            over (partition by attribution_model, opportunity_id) as other_touch_count

    from touch_roles

),

raw_weights as (

    select
        other_touches_counted.*,
        cast(
            case other_touches_counted.weighting_method
                when 'position' then
                    case when is_first_touch then first_touch_weight else 0 end
                    + case when is_key_touch then key_touch_weight else 0 end
                    + case when is_last_touch then last_touch_weight else 0 end
                    + case when is_other_touch then other_touch_weight / other_touch_count else 0 end
                when 'linear' then 1
                when 'time_decay' then
                    power(
                        2,
                        -cast(days_before_close as double)
                        / cast({{ var('attribution_time_decay_half_life_days') }} as double)
                    )
                when 'markov_touch_type' then coalesce(markov_removal_effects.removal_effect_share, 0)
                when 'markov_partner' then
                    coalesce(markov_partner_weights.credit_weight / markov_partner_weights.partner_touch_count, 0)
            end
            as double
        ) as raw_weight

    from other_touches_counted
    left join markov_removal_effects
        on other_touches_counted.touch_type = markov_removal_effects.channel
    left join markov_partner_weights
        on other_touches_counted.opportunity_id = markov_partner_weights.opportunity_id
        and other_touches_counted.partner_id = markov_partner_weights.partner_id

),

normalised_weights as (

    select
        *,
        -- weights summed as decimals: a sum of doubles depends on the order DuckDB's threads add
        -- them in, and the marts must be bit-identical run to run
        case
            when sum(cast(raw_weight as decimal(38, 18))) over (partition by attribution_model, opportunity_id) > 0
                then cast(raw_weight as decimal(38, 18))
                    / sum(cast(raw_weight as decimal(38, 18))) over (partition by attribution_model, opportunity_id)
            else cast(1 as double) / touch_count
        end as credit_weight,
        cast(amount * 100 as bigint) as amount_cents

    from raw_weights

),

floored_cents as (

    select
        *,
        -- rounding to 6 decimals first keeps float noise (2999.9999999) from losing a whole cent
        floor(round(amount_cents * credit_weight, 6)) as floor_cents,
        round(amount_cents * credit_weight, 6) - floor(round(amount_cents * credit_weight, 6)) as remainder_cents

    from normalised_weights

),

remainders_ranked as (

    select
        *,
        amount_cents - sum(floor_cents) over (partition by attribution_model, opportunity_id) as leftover_cents,
        row_number() over (
            partition by attribution_model, opportunity_id
            order by remainder_cents desc, touch_position
        ) as remainder_rank

    from floored_cents

),

final as (

    select
        attribution_model || '-' || touch_id as attribution_credit_id,
        attribution_model,
        opportunity_id,
        touch_id,
        partner_id,
        touch_type,
        currency_code,
        cast(touch_position as integer) as touch_position,
        cast(touch_count as integer) as touch_count,
        cast(credit_weight as double) as credit_weight,
        cast(
            cast(floor_cents + case when remainder_rank <= leftover_cents then 1 else 0 end as decimal(18, 0))
            * cast(0.01 as decimal(3, 2))
            as decimal(18, 2)
        ) as credit_amount,
        close_date,
        touched_at

    from remainders_ranked

)

select * from final
