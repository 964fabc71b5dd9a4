with

registrations as (

    select * from {{ ref('stg_crm__registrations') }}
    where not coalesce(is_archived, false)

),

opportunities as (

    select * from {{ ref('int_opportunities_sourced') }}

),

final as (

    select
        registrations.registration_id,
        registrations.partner_id,
        registrations.deal_id as opportunity_id,
        registrations.product_id,
        registrations.registered_company_name,
        registrations.registered_domain,
        registrations.registration_status,
        registrations.rejection_reason,
        registrations.extension_status,
        coalesce(registrations.currency_code, '{{ var("reporting_currency") }}') as currency_code,
        registrations.estimated_amount,
        case
            when registrations.decided_at is not null
                then {{ days_between('registrations.submitted_at', 'registrations.decided_at') }}
        end as days_to_decision,
        case
            when opportunities.is_closed
                then {{ days_between('registrations.submitted_at', 'cast(opportunities.close_date as timestamp)') }}
        end as days_registration_to_close,
        registrations.registration_status in ('approved', 'expired', 'closed') as is_approved,
        registrations.registration_status = 'rejected' as is_rejected,
        registrations.extension_requested_at is not null as has_extension_request,
        coalesce(opportunities.is_won, false) as is_won,
        cast(registrations.submitted_at as date) as submitted_date,
        registrations.expires_date,
        registrations.extended_until_date,
        opportunities.close_date,
        registrations.submitted_at,
        registrations.decided_at,
        registrations.extension_requested_at

    from registrations
    left join opportunities
        on registrations.deal_id = opportunities.opportunity_id

)

select * from final
