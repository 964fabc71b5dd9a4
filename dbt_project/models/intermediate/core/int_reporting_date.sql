with

deals as (

    select * from {{ ref('stg_crm__deals') }}

),

final as (

    select
        {% if var('as_of_date', none) -%}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {%- else -%}
        coalesce(max(cast(record_updated_at as date)), current_date) as as_of_date
        {%- endif %}

    from deals

)

select * from final
