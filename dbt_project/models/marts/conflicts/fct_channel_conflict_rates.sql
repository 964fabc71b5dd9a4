{#- Conflict rates by quarter for the whole program, each partner and each region (grouping sets,
    one row per slice), with one rate per reason. Denominator: every registration of the slice. -#}

with

checks as (

    select * from {{ ref('fct_registration_conflict_checks') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

quartered as (

    select
        *,
        cast(date_trunc('quarter', submitted_date) as date) as quarter_start_date

    from checks

),

sliced as (

    select
        quarter_start_date,
        case
            when grouping(partner_id) = 0 then 'partner'
            when grouping(partner_region) = 0 then 'region'
            else 'all'
        end as slice_type,
        coalesce(
            case when grouping(partner_id) = 0 then partner_id end,
            case when grouping(partner_region) = 0 then coalesce(partner_region, 'unknown') end,
            'all'
        ) as slice_value,
        count(*) as registration_count,
        count(*) filter (where conflict_decision = 'clean') as clean_count,
        count(*) filter (where conflict_decision = 'direct_opportunity_conflict')
            as direct_opportunity_conflict_count,
        count(*) filter (where conflict_decision = 'earlier_registration_conflict')
            as earlier_registration_conflict_count,
        count(*) filter (where conflict_decision = 'needs_review') as needs_review_count

    from quartered
    group by grouping sets (
        (quarter_start_date),
        (quarter_start_date, partner_id),
        (quarter_start_date, partner_region)
    )

),

final as (

    select
        sliced.slice_type || '|' || sliced.slice_value || '|' || cast(quarter_start_date as {{ type_text() }})
            as conflict_rate_id,
        sliced.slice_type,
        sliced.slice_value,
        case
            when sliced.slice_type = 'partner' then coalesce(partners.partner_name, sliced.slice_value)
            else sliced.slice_value
        end as slice_label,
        cast(registration_count as integer) as registration_count,
        cast(clean_count as integer) as clean_count,
        cast(direct_opportunity_conflict_count as integer) as direct_opportunity_conflict_count,
        cast(earlier_registration_conflict_count as integer)
            as earlier_registration_conflict_count,
        cast(needs_review_count as integer) as needs_review_count,
        cast(
            (direct_opportunity_conflict_count + earlier_registration_conflict_count)
            / registration_count as double
        ) as conflict_rate,
        cast(direct_opportunity_conflict_count / registration_count as double)
            as direct_opportunity_conflict_rate,
        cast(earlier_registration_conflict_count / registration_count as double)
            as earlier_registration_conflict_rate,
        cast(needs_review_count / registration_count as double) as review_rate,
        quarter_start_date

    from sliced
    left join partners
        on sliced.slice_type = 'partner' and sliced.slice_value = partners.partner_id

)

select * from final
