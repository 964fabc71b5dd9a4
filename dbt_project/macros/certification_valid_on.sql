{#- True when the certification (table alias `certifications`, a row of fct_certifications) counts
    on the day `date_expr`: earned by then and not yet ended — it stops counting on the earlier of
    its expiry day and its revocation day (fct_certifications.valid_until_date). A revoked
    certification counted on the days before its revocation: point-in-time history (tier
    evaluations, win-model features) does not change when a certification is revoked later. -#}
{% macro certification_valid_on(date_expr, alias='certifications') -%}
    (
        {{ alias }}.certified_date <= {{ date_expr }}
        and ({{ alias }}.valid_until_date is null or {{ alias }}.valid_until_date > {{ date_expr }})
    )
{%- endmacro %}
