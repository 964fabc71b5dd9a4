-- Registration grain, for the registering partner's own page: status, protection end (the
-- extended end when an extension was approved) and the deal it became. Customer-level columns
-- (the registered company and domain) are null for a partner without a signed DPA
-- (is_customer_data_hidden): it is restricted from customer data until it signs.
with

registrations as (

    select * from {{ ref('fct_deal_registrations') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

final as (

    select
        registrations.registration_id,
        registrations.partner_id,
        case when partners.has_signed_dpa then registrations.registered_company_name end as registered_company_name,
        case when partners.has_signed_dpa then registrations.registered_domain end as registered_domain,
        registrations.registration_status,
        registrations.extension_status,
        opportunities.deal_stage_label,
        registrations.currency_code,
        registrations.estimated_amount,
        cast(
            {{ dbt.datediff('reporting.reporting_date', 'coalesce(registrations.extended_until_date, registrations.expires_date)', 'day') }}
            as integer
        ) as days_until_expiry,
        coalesce(registrations.is_approved, false) as is_approved,
        coalesce(registrations.is_won, false) as is_won,
        coalesce(
            registrations.is_approved
            and not coalesce(opportunities.is_closed, false)
            and coalesce(registrations.extended_until_date, registrations.expires_date) >= reporting.reporting_date,
            false
        ) as is_protected,
        coalesce(
            registrations.is_approved
            and not coalesce(opportunities.is_closed, false)
            and coalesce(registrations.extended_until_date, registrations.expires_date) >= reporting.reporting_date
            and {{ dbt.datediff('reporting.reporting_date', 'coalesce(registrations.extended_until_date, registrations.expires_date)', 'day') }}
                <= {{ var('partner_page_expiry_horizon_days') }},
            false
        ) as is_expiring_soon,
        not coalesce(partners.has_signed_dpa, false) as is_customer_data_hidden,
        registrations.submitted_date,
        coalesce(registrations.extended_until_date, registrations.expires_date) as protection_ends_date,
        registrations.close_date

    from registrations
    cross join reporting
    inner join partners
        on registrations.partner_id = partners.partner_id
    left join opportunities
        on registrations.opportunity_id = opportunities.opportunity_id

)

select * from final
