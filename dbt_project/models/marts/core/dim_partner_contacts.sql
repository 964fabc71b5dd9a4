with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}
    where not coalesce(is_archived, false)

),

certifications as (

    select * from {{ ref('fct_certifications') }}

),

certification_summary as (

    select
        contact_id,
        count(*) as certification_count,
        count(case when is_current then 1 end) as current_certification_count,
        min(certified_date) as first_certified_date

    from certifications
    group by contact_id

),

final as (

    -- partner people without their names, e-mail or phone (personal data): names stay in staging,
    -- e-mail and phone in the restricted raw_crm (staging holds only their keyed hashes)
    select
        contacts.contact_id,
        contacts.partner_id,
        contacts.job_role,
        contacts.job_title,
        cast(coalesce(certification_summary.certification_count, 0) as integer) as certification_count,
        cast(coalesce(certification_summary.current_certification_count, 0) as integer) as current_certification_count,
        contacts.email_hash is not null as has_email,
        contacts.phone_hash is not null as has_phone,
        coalesce(certification_summary.current_certification_count, 0) > 0 as is_currently_certified,
        certification_summary.first_certified_date,
        contacts.record_created_at

    from contacts
    left join certification_summary
        on contacts.contact_id = certification_summary.contact_id

)

select * from final
