{#- The four feeds a PRM warehouse can have and whether this one has each (the dbt var `feeds`,
    which `prm` and Dagster set from PRM_FEEDS or the sources file). The pages read it to say
    "no LMS feed configured" instead of drawing zeros. -#}
{%- set known = [
    ('crm', 'CRM', 'partners, accounts, deals, registrations and partner touches'),
    ('lms', 'LMS', 'courses, enrolments, certifications and learning points'),
    ('tcma', 'TCMA', 'campaigns, content assets, asset usage and leads'),
    ('finance', 'finance', 'MDF budgets, allocations, requests, claims and payments, rebates and company revenue'),
] -%}

with

feeds as (

    {% for name, label, brings in known %}
    select
        '{{ name }}' as feed_name,
        '{{ label }}' as feed_label,
        'raw_{{ name }}' as raw_schema_name,
        '{{ brings }}' as feed_contents,
        {{ 'true' if feed_enabled(name) else 'false' }} as is_configured
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        feed_name,
        feed_label,
        raw_schema_name,
        feed_contents,
        case
            when is_configured then feed_label || ' feed configured'
            else 'no ' || feed_label || ' feed configured'
        end as feed_status,
        is_configured

    from feeds

)

select * from final
