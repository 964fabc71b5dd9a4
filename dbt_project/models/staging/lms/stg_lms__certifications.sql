with

source as (

    select * from {{ feed_source('lms', 'certifications') }}

),

final as (

    select
        certification_id,
        contact_id,
        partner_id as partner_external_id,
        course_id,
        status as certification_status,
        certified_at,
        expires_at,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
