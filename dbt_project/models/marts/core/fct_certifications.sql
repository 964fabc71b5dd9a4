with

certifications as (

    select * from {{ ref('stg_lms__certifications') }}

),

partners as (

    select * from {{ ref('stg_crm__partners') }}

),

final as (

    select
        certifications.certification_id,
        certifications.contact_id,
        partners.partner_id,
        certifications.partner_external_id,
        certifications.course_id,
        certifications.certification_status,
        certifications.certification_status = 'active'
            and cast(certifications.certified_at as date) <= {{ reporting_date() }}
            and (certifications.expires_at is null or cast(certifications.expires_at as date) > {{ reporting_date() }})
            as is_current,
        cast(certifications.certified_at as date) as certified_date,
        cast(certifications.expires_at as date) as expires_date,
        certifications.certified_at,
        certifications.expires_at

    from certifications
    left join partners
        on certifications.partner_external_id = partners.partner_external_id

)

select * from final
