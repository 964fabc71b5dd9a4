{#- The calendar starts at var calendar_start_date, or earlier when the CRM holds older deals (a
    real export reaches back years): every month a deal was created in is a month the KPI marts
    can count it in, so no pipeline falls off the start of the calendar. -#}
{#- date_spine counts its days with a query at compile time: on a warehouse not built yet (dbt docs
    generate, compile) the deals view does not exist, and the calendar starts at the var. -#}
{%- set deals = ref('stg_crm__deals') -%}
{%- set deals_exist = execute
    and adapter.get_relation(database=deals.database, schema=deals.schema, identifier=deals.identifier) is not none -%}
{%- set first_deal_date -%}
    {%- if deals_exist -%}
    (select cast(min(coalesce(created_at, record_created_at)) as date) from {{ deals }})
    {%- else -%}
    cast(null as date)
    {%- endif -%}
{%- endset -%}
{%- set start_date -%}
    cast({{ dbt.date_trunc('month', "least(cast('" ~ var('calendar_start_date') ~ "' as date), coalesce(" ~ first_deal_date ~ ", cast('" ~ var('calendar_start_date') ~ "' as date)))") }} as date)
{%- endset -%}
with

days as (

    {{ dbt.date_spine(
        'day',
        start_date,
        "cast('" ~ var('calendar_end_date') ~ "' as date)",
    ) }}

),

reporting as (

    select * from {{ ref('int_reporting_date') }}

),

final as (

    select
        cast(days.date_day as date) as date_day,
        cast({{ dbt.date_trunc('month', 'days.date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('quarter', 'days.date_day') }} as date) as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'days.date_day') }} as date) as year_start_date,
        cast(extract(year from days.date_day) as {{ type_text() }})
            || '-Q' || cast(extract(quarter from days.date_day) as {{ type_text() }}) as year_quarter,
        cast(extract(year from days.date_day) as {{ type_text() }})
            || '-' || lpad(cast(extract(month from days.date_day) as {{ type_text() }}), 2, '0') as year_month,
        cast(extract(year from days.date_day) as integer) as year_number,
        cast(extract(quarter from days.date_day) as integer) as quarter_number,
        cast(extract(month from days.date_day) as integer) as month_number,
        cast(extract(isodow from days.date_day) as integer) as iso_day_of_week,
        extract(isodow from days.date_day) in (6, 7) as is_weekend,
        cast(days.date_day as date) = cast({{ dbt.last_day('days.date_day', 'month') }} as date) as is_month_end,
        cast(days.date_day as date) <= reporting.as_of_date as is_on_or_before_reporting_date,
        cast(days.date_day as date) = reporting.as_of_date as is_reporting_date

    from days
    cross join reporting

)

select * from final
