-- Under every attribution model, the credit weights of an opportunity's touches are between 0 and 1
-- and sum to 1 (within float tolerance).
select
    attribution_model,
    opportunity_id,
    sum(credit_weight) as total_weight,
    min(credit_weight) as min_weight,
    max(credit_weight) as max_weight

from {{ ref('fct_attribution_credits') }}
group by attribution_model, opportunity_id
having abs(sum(credit_weight) - 1) > 1e-9
    or min(credit_weight) < 0
    or max(credit_weight) > 1 + 1e-9
