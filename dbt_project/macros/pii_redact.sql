{#- A free-text column (a quarantined record's raw payload) with every e-mail address and phone
    number masked, for use outside the restricted raw_* schemas. The two patterns are those of
    pipelines/pii.py (EMAIL_PATTERN, PHONE_PATTERN; a test keeps them equal), which the warehouse
    PII scan also uses. -#}
{% macro pii_redact(column) -%}
    {{ return(adapter.dispatch('pii_redact', 'prm_warehouse')(column)) }}
{%- endmacro %}

{% macro default__pii_redact(column) -%}
    regexp_replace(
        regexp_replace({{ column }}, '{{ pii_email_pattern() }}', '<email>', 'g'),
        '{{ pii_phone_pattern() }}', '<phone>', 'g'
    )
{%- endmacro %}

{#- Spark: regexp_replace replaces every match (no flag); raw literals (r'...') keep the backslashes
    of the patterns, which Spark's ordinary string literals would unescape. -#}
{% macro spark__pii_redact(column) -%}
    regexp_replace(
        regexp_replace({{ column }}, r'{{ pii_email_pattern() }}', '<email>'),
        r'{{ pii_phone_pattern() }}', '<phone>'
    )
{%- endmacro %}

{% macro pii_email_pattern() -%}
[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}
{%- endmacro %}

{% macro pii_phone_pattern() -%}
\+[0-9][0-9 ().-]{6,}[0-9]|\(?[0-9]{3}\)?[ .-][0-9]{3}[ .-][0-9]{4}
{%- endmacro %}
