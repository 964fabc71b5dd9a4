with recursive

companies as (

    select * from {{ ref('stg_crm__companies') }}
    where not coalesce(is_archived, false)

),

roots as (

    -- top of a hierarchy: no parent, or a parent the CRM feed does not (or no longer) hold
    select companies.*
    from companies
    left join companies as parents
        on companies.parent_company_id = parents.company_id
    where parents.company_id is null

),

hierarchy as (

    select
        company_id,
        company_id as ultimate_parent_company_id,
        company_name as ultimate_parent_company_name,
        1 as hierarchy_level,
        cast(company_name as varchar) as hierarchy_path

    from roots

    union all

    select
        children.company_id,
        hierarchy.ultimate_parent_company_id,
        hierarchy.ultimate_parent_company_name,
        hierarchy.hierarchy_level + 1,
        hierarchy.hierarchy_path || ' > ' || children.company_name

    from companies as children
    inner join hierarchy
        on children.parent_company_id = hierarchy.company_id
    where hierarchy.hierarchy_level < {{ var('account_hierarchy_max_depth') }}

),

final as (

    select
        companies.company_id as account_id,
        companies.parent_company_id as parent_account_id,
        -- a company caught in a parent cycle is its own top, flagged rather than dropped
        coalesce(hierarchy.ultimate_parent_company_id, companies.company_id) as ultimate_parent_account_id,
        companies.company_name as account_name,
        coalesce(hierarchy.ultimate_parent_company_name, companies.company_name) as ultimate_parent_account_name,
        coalesce(hierarchy.hierarchy_path, companies.company_name) as hierarchy_path,
        companies.company_domain as account_domain,
        companies.industry,
        companies.region,
        companies.country,
        cast(coalesce(hierarchy.hierarchy_level, 1) as integer) as hierarchy_level,
        companies.employee_count,
        companies.annual_revenue,
        coalesce(companies.currency_code, '{{ var("reporting_currency") }}') as currency_code,
        companies.parent_company_id is not null as is_subsidiary,
        hierarchy.company_id is null as has_broken_hierarchy,
        companies.record_created_at,
        companies.record_updated_at

    from companies
    left join hierarchy
        on companies.company_id = hierarchy.company_id

)

select * from final
