with

certifications as (

    select * from {{ ref('stg_lms__certifications') }}

),

-- LMS exports carry no revocation timestamp: a revoked record's last change (updated_at) is the
-- day it was revoked. Without one it is taken as revoked from the day it was earned (fails closed)
revocations as (

    select
        certification_id,
        coalesce(cast(updated_at as date), cast(certified_at as date)) as revoked_date

    from certifications
    where certification_status = 'revoked'

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
        revocations.revoked_date,
        -- the day it stops counting: the earlier of expiry and revocation (null: open-ended)
        case
            when revocations.revoked_date is null then cast(certifications.expires_at as date)
            when certifications.expires_at is null then revocations.revoked_date
            else least(revocations.revoked_date, cast(certifications.expires_at as date))
        end as valid_until_date,
        certifications.certified_at,
        certifications.expires_at

    from certifications
    left join revocations
        on certifications.certification_id = revocations.certification_id
    left join partners
        on certifications.partner_external_id = partners.partner_external_id

)

select * from final
