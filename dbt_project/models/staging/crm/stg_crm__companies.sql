with

source as (

    select * from {{ source('crm', 'companies') }}

),

final as (

    select
        id as company_id,
        parent_company_id,
        name as company_name,
        domain as company_domain,
        industry,
        region,
        country,
        '{{ var("reporting_currency") }}' as currency_code,
        numberofemployees as employee_count,
        annualrevenue as annual_revenue,
        archived as is_archived,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
