with

partners as (

    select * from {{ ref('stg_crm__partners') }}
    where not coalesce(is_archived, false)

),

certifications as (

    select * from {{ ref('fct_certifications') }}

),

tiers as (

    select * from {{ ref('dim_partner_tier_history') }}
    where is_current

),

certification_summary as (

    select
        partner_id,
        count(distinct case when is_current then contact_id end) as certified_people_count,
        min(certified_date) as first_certified_date

    from certifications
    where partner_id is not null
    group by partner_id

),

final as (

    select
        partners.partner_id,
        partners.partner_external_id,
        partners.partner_name,
        partners.partner_type,
        partners.vertical,
        partners.region,
        partners.crm_tier as partner_tier,
        partners.partner_status,
        partners.contract_status,
        partners.dpa_status,
        partners.dpa_version,
        partners.website_domain,
        {{ if_feed('lms', 'cast(coalesce(certification_summary.certified_people_count, 0) as integer)') }} as certified_people_count,
        partners.partner_status = 'active' as is_active,
        -- fail closed: a CRM that does not record the DPA (a Salesforce partner account) shares no
        -- customer data until it does
        coalesce(partners.dpa_status = 'signed', false) as has_signed_dpa,
        {{ if_feed('lms', 'coalesce(certification_summary.certified_people_count, 0) > 0') }} as has_certified_people,
        partners.applied_date,
        partners.approved_date,
        partners.enrolled_date,
        partners.contract_signed_date,
        partners.dpa_signed_date,
        certification_summary.first_certified_date,
        case when not tiers.is_assumed_before_first_observation then tiers.valid_from_date end as tier_since_date,
        partners.record_updated_at

    from partners
    left join certification_summary
        on partners.partner_id = certification_summary.partner_id
    left join tiers
        on partners.partner_id = tiers.partner_id

)

select * from final
