{#- One row per entity of a configured feed: rows staged, when it was last loaded, and how many
    records of it the contract rejected. Every staging model of every configured feed is read here,
    so the lineage runs from each raw table to the data-health page; a feed that is not configured
    has no rows here (rpt_feed_status says it is absent), never rows of zeros. -#}
{%- set feeds = {
    'crm': ['partners', 'contacts', 'companies', 'products', 'deals', 'deal_stage_changes',
            'registrations', 'touches'],
    'lms': ['courses', 'learning_path_steps', 'enrolments', 'certifications', 'points_ledger',
            'learning_events'],
    'tcma': ['campaigns', 'assets', 'campaign_executions', 'asset_usage', 'leads',
             'engagement_events'],
    'finance': ['mdf_budgets', 'mdf_allocations', 'mdf_requests', 'mdf_claims', 'mdf_payments',
                'rebate_payments', 'company_revenue'],
} -%}

with

staged as (

    {% for system, names in feeds.items() if feed_enabled(system) %}
    {% for name in names %}
    select
        '{{ system }}' as feed_name,
        '{{ name }}' as entity_name,
        count(*) as staged_row_count,
        max(loaded_at) as last_loaded_at
    from {{ ref('stg_' ~ system ~ '__' ~ name) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

quarantined as (

    {% for system in feeds if feed_enabled(system) %}
    select
        '{{ system }}' as feed_name,
        entity_name,
        count(*) as quarantined_row_count,
        max(quarantined_at) as last_quarantined_at
    from {{ ref('stg_' ~ system ~ '__quarantined_records') }}
    group by entity_name
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        staged.feed_name,
        staged.entity_name,
        staged.staged_row_count,
        coalesce(quarantined.quarantined_row_count, 0) as quarantined_row_count,
        coalesce(quarantined.quarantined_row_count, 0)
            / nullif(staged.staged_row_count + coalesce(quarantined.quarantined_row_count, 0), 0)
            as quarantine_rate,
        staged.last_loaded_at,
        quarantined.last_quarantined_at

    from staged
    left join quarantined
        on staged.feed_name = quarantined.feed_name
        and staged.entity_name = quarantined.entity_name

)

select * from final
