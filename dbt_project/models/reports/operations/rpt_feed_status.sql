{#- The feeds of this warehouse, page-shaped: every page reads it to say plainly which feed it is
    missing ("no LMS feed configured") instead of drawing zeros. -#}
with

feeds as (

    select * from {{ ref('dim_feeds') }}

),

final as (

    select
        feed_name,
        feed_label,
        feed_contents,
        feed_status,
        is_configured

    from feeds

)

select * from final
