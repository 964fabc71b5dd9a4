-- Tier spans of each partner tile the calendar: the first starts at var tier_history_start_date, each
-- ends where the next starts, the last is open (9999-12-31), none is empty. So an as-of join on any
-- date finds exactly one tier: never a missed date, never a doubled one.
with

spans as (

    select
        *,
        lead(valid_from_date) over (partition by partner_id order by valid_from_date) as next_valid_from_date,
        row_number() over (partition by partner_id order by valid_from_date) as span_number

    from {{ ref('dim_partner_tier_history') }}

)

select
    partner_id,
    partner_tier,
    valid_from_date,
    valid_to_date,
    next_valid_from_date

from spans
where valid_from_date >= valid_to_date
    or (span_number = 1 and valid_from_date <> cast('{{ var("tier_history_start_date") }}' as date))
    or (next_valid_from_date is not null and next_valid_from_date <> valid_to_date)
    or (next_valid_from_date is null and valid_to_date <> cast('9999-12-31' as date))
