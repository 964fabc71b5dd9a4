with

source as (

    select * from {{ feed_source('lms', 'enrolments') }}

),

final as (

    select
        enrolment_id,
        contact_id,
        partner_id as partner_external_id,
        course_id,
        status as enrolment_status,
        progress_pct,
        score,
        enrolled_at,
        completed_at,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
