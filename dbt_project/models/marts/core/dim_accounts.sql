{%- set depth = var('account_hierarchy_max_depth') | int -%}
with

companies as (

    select * from {{ ref('stg_crm__companies') }}
    where not coalesce(is_archived, false)

),

ancestors as (

    -- walk up the parent chain a fixed number of levels (var account_hierarchy_max_depth) with plain
    -- joins: portable SQL, and a parent cycle cannot loop forever. level_<n> is the n-th ancestor.
    select
        level_0.company_id,
        {%- for n in range(depth + 1) %}
        level_{{ n }}.company_id as ancestor_{{ n }}_id,
        level_{{ n }}.company_name as ancestor_{{ n }}_name,
        {%- endfor %}
        level_{{ depth }}.parent_company_id as beyond_max_depth_id

    from companies as level_0
    {%- for n in range(1, depth + 1) %}
    left join companies as level_{{ n }}
        on level_{{ n - 1 }}.parent_company_id = level_{{ n }}.company_id
    {%- endfor %}

),

hierarchy as (

    select
        company_id,
        -- the chain continues past the last level: a cycle (or an absurdly deep tree)
        beyond_max_depth_id is not null as has_broken_hierarchy,
        coalesce(
            {%- for n in range(depth, -1, -1) %}
            ancestor_{{ n }}_id{{ "," if not loop.last }}
            {%- endfor %}
        ) as ultimate_parent_company_id,
        coalesce(
            {%- for n in range(depth, -1, -1) %}
            ancestor_{{ n }}_name{{ "," if not loop.last }}
            {%- endfor %}
        ) as ultimate_parent_company_name,
        {%- for n in range(1, depth + 1) %}
        case when ancestor_{{ n }}_id is not null then 1 else 0 end +
        {%- endfor %}
        1 as hierarchy_level,
        concat_ws(' > '
            {%- for n in range(depth, -1, -1) %}, ancestor_{{ n }}_name{%- endfor %}
        ) as hierarchy_path

    from ancestors

),

final as (

    select
        companies.company_id as account_id,
        companies.parent_company_id as parent_account_id,
        -- a company caught in a parent cycle is its own top, flagged rather than dropped
        case
            when hierarchy.has_broken_hierarchy then companies.company_id
            else hierarchy.ultimate_parent_company_id
        end as ultimate_parent_account_id,
        companies.company_name as account_name,
        case
            when hierarchy.has_broken_hierarchy then companies.company_name
            else hierarchy.ultimate_parent_company_name
        end as ultimate_parent_account_name,
        case
            when hierarchy.has_broken_hierarchy then companies.company_name
            else hierarchy.hierarchy_path
        end as hierarchy_path,
        companies.company_domain as account_domain,
        companies.industry,
        companies.region,
        companies.country,
        cast(case when hierarchy.has_broken_hierarchy then 1 else hierarchy.hierarchy_level end as integer) as hierarchy_level,
        companies.employee_count,
        companies.annual_revenue,
        coalesce(companies.currency_code, '{{ var("reporting_currency") }}') as currency_code,
        companies.parent_company_id is not null as is_subsidiary,
        hierarchy.has_broken_hierarchy,
        companies.record_created_at,
        companies.record_updated_at

    from companies
    inner join hierarchy
        on companies.company_id = hierarchy.company_id

)

select * from final
