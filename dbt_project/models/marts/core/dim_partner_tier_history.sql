with

versions as (

    select * from {{ ref('snap_crm__partners') }}

),

last_version_per_day as (

    -- a partner changed twice in one day: the day's last version is the tier held that day
    select
        partner_id,
        crm_tier as partner_tier,
        dbt_valid_from as observed_at,
        cast(dbt_valid_from as date) as observed_date

    from versions
    qualify row_number() over (
        partition by partner_id, cast(dbt_valid_from as date)
        order by dbt_valid_from desc
    ) = 1

),

tier_changes as (

    select
        *,
        lag(partner_tier) over (partition by partner_id order by observed_date) as previous_tier

    from last_version_per_day

),

tier_starts as (

    -- versions that only changed other fields do not start a new tier span
    select * from tier_changes
    where previous_tier is null or previous_tier <> partner_tier

),

spans as (

    select
        partner_id,
        partner_tier,
        previous_tier,
        observed_at,
        observed_date,
        row_number() over (partition by partner_id order by observed_date) as version_number,
        lead(observed_date) over (partition by partner_id order by observed_date) as next_observed_date

    from tier_starts

),

final as (

    select
        {{ dbt.hash(dbt.concat(["partner_id", "'|'", "cast(version_number as " ~ type_text() ~ ")"])) }} as partner_tier_history_id,
        partner_id,
        partner_tier,
        previous_tier,
        cast(version_number as integer) as version_number,
        version_number = 1 as is_assumed_before_first_observation,
        next_observed_date is null as is_current,
        case
            when version_number = 1 then cast('{{ var("tier_history_start_date") }}' as date)
            else observed_date
        end as valid_from_date,
        coalesce(next_observed_date, cast('9999-12-31' as date)) as valid_to_date,
        observed_at

    from spans

)

select * from final
