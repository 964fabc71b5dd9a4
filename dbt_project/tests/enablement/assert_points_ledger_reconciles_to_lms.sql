-- The gamification ledger keeps every LMS points event once and its running balances end on the
-- LMS totals: per person, event count, points and the balance after the last event equal the
-- points ledger's count and sum; per partner, likewise. Returns every person or partner that differs.
with

ledger as (

    select * from {{ ref('fct_gamification_ledger') }}

),

lms as (

    select * from {{ ref('stg_lms__points_ledger') }}

),

ledger_contacts as (

    select
        contact_id,
        count(*) as event_count,
        sum(points) as points,
        max(contact_points_balance) filter (where is_last) as closing_balance

    from (
        select
            ledger.*,
            row_number() over (partition by contact_id order by occurred_at desc, points_event_id desc) = 1 as is_last
        from ledger
    ) as ordered
    group by contact_id

),

ledger_partners as (

    select
        partner_external_id,
        max(partner_points_balance) filter (where is_last) as closing_balance

    from (
        select
            ledger.*,
            row_number() over (partition by partner_external_id order by occurred_at desc, points_event_id desc) = 1 as is_last
        from ledger
    ) as ordered
    group by partner_external_id

),

lms_contacts as (

    select contact_id, count(*) as event_count, sum(points) as points
    from lms
    group by contact_id

),

lms_partners as (

    select partner_external_id, sum(points) as points
    from lms
    group by partner_external_id

)

select
    'contact' as level,
    coalesce(ledger_contacts.contact_id, lms_contacts.contact_id) as entity_id,
    ledger_contacts.closing_balance,
    lms_contacts.points as lms_points

from ledger_contacts
full outer join lms_contacts
    on ledger_contacts.contact_id = lms_contacts.contact_id
where ledger_contacts.event_count is distinct from lms_contacts.event_count
    or ledger_contacts.points is distinct from lms_contacts.points
    or ledger_contacts.closing_balance is distinct from lms_contacts.points

union all

select
    'partner' as level,
    coalesce(ledger_partners.partner_external_id, lms_partners.partner_external_id) as entity_id,
    ledger_partners.closing_balance,
    lms_partners.points as lms_points

from ledger_partners
full outer join lms_partners
    on ledger_partners.partner_external_id = lms_partners.partner_external_id
where ledger_partners.closing_balance is distinct from lms_partners.points
