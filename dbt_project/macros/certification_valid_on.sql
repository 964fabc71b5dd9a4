{#- True when the certification (table alias `certifications`, a row of fct_certifications) counts
    on the day `date_expr`: earned by then, not expired by then (it stops counting on its expiry
    day), and not revoked (the LMS does not say when a revocation happened, so it never counts). -#}
{% macro certification_valid_on(date_expr, alias='certifications') -%}
    (
        {{ alias }}.certified_date <= {{ date_expr }}
        and ({{ alias }}.expires_date is null or {{ alias }}.expires_date > {{ date_expr }})
        and {{ alias }}.certification_status != 'revoked'
    )
{%- endmacro %}
