{#- Keyed hash of a personal-data column (contract columns marked pii: e-mail, phone), the only form
    in which they leave the restricted raw_* schemas. sha256 of the key and the trimmed, lower-cased
    value; null for a null or blank value. The key is $PRM_PII_KEY, set by dbt-duckdb's plugin
    pipelines.pii as the session variable prm_pii_key, so it never appears in compiled SQL or logs.
    Same key, same hash: joins on the hash work across runs. Without a key the model fails with a
    clear error, before and while it runs, rather than hashing without one. -#}
{% macro pii_hash(column) -%}
    {{ return(adapter.dispatch('pii_hash', 'prm_warehouse')(column)) }}
{%- endmacro %}

{% macro duckdb__pii_hash(column) -%}
    {%- if execute -%}
        {%- set has_key = run_query("select getvariable('prm_pii_key') is not null").columns[0].values()[0] -%}
        {%- if not has_key -%}
            {{ exceptions.raise_compiler_error(pii_key_missing_message()) }}
        {%- endif -%}
    {%- endif -%}
    case
        when nullif(lower(trim({{ column }})), '') is not null
            then sha256(concat(
                coalesce(getvariable('prm_pii_key'), error('{{ pii_key_missing_message() }}')),
                '|',
                lower(trim({{ column }}))
            ))
    end
{%- endmacro %}

{#- Spark (docs/spark.md): the key is the temporary function prm_pii_key() that
    orchestration.spark_engine registers in its session (it fails when no key is set); sha2(..., 256)
    is the same lower-case hex sha256 as DuckDB's, so the hashes are equal on both engines. -#}
{% macro spark__pii_hash(column) -%}
    case
        when nullif(lower(trim({{ column }})), '') is not null
            then sha2(concat(prm_pii_key(), '|', lower(trim({{ column }}))), 256)
    end
{%- endmacro %}

{% macro default__pii_hash(column) -%}
    {{ exceptions.raise_compiler_error(
        "pii_hash has no implementation for " ~ adapter.type() ~ ": add " ~ adapter.type()
        ~ "__pii_hash (a keyed hash whose key is not part of the SQL text)") }}
{%- endmacro %}

{% macro pii_key_missing_message() -%}
    PRM_PII_KEY is not set: personal data is hashed with a key (run through make/prm, which set it from pipelines.settings.pii_key, or export PRM_PII_KEY)
{%- endmacro %}
