with

deals as (

    select * from {{ ref('stg_crm__deals') }}

),

final as (

    {% if var('as_of_date', none) -%}
    -- pinned: exactly one row, whatever the deals
    select cast('{{ var("as_of_date") }}' as date) as as_of_date
    {%- else -%}
    select coalesce(max(cast(record_updated_at as date)), current_date) as as_of_date
    from deals
    {%- endif %}

)

select * from final
