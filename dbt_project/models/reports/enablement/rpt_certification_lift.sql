-- Certification course x partner group (certified, comparable uncertified) x period (before,
-- after): the bars of the certification-to-sales page, from fct_certification_sales_lift.
with

lift as (

    select * from {{ ref('fct_certification_sales_lift') }}

),

final as (

    {%- for group, prefix in [('certified', ''), ('comparable', 'control_')] %}
    {%- for period, period_order in [('before', 1), ('after', 2)] %}
    select
        course_id,
        course_title,
        target_role,
        product_line,
        '{{ group }}' as partner_group,
        '{{ period }}' as period,
        {{ period_order }} as period_order,
        partner_count,
        {{ prefix }}{{ period }}_win_rate as win_rate,
        {% if prefix == '' %}{{ period }}_avg_deal_size{% else %}cast(null as double){% endif %} as avg_deal_size,
        {{ prefix }}{{ period }}_revenue_per_partner as revenue_per_partner,
        win_rate_lift,
        revenue_per_partner_lift

    from lift
    {% if not loop.last or group == 'certified' %}union all{% endif %}
    {%- endfor %}
    {%- endfor %}

)

select * from final
