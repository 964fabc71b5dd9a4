{#- dbt-spark's snapshot materialization (dbt-spark 1.11, materializations/snapshot.sql), changed in
    one place: a parquet snapshot is allowed (docs/spark.md). dbt-spark wants delta, iceberg or hudi
    for MERGE; a local PySpark has no Delta jars, so on a parquet table spark__snapshot_merge_sql
    below computes the merged history into a new table and overwrites the snapshot with it (history
    is kept; the whole table is rewritten each run, fine at this size, use delta on a cluster). -#}

{% macro spark__snapshot_merge_sql(target, source, insert_cols) -%}
    {%- if target.is_delta or target.is_iceberg or target.is_hudi -%}
        {{ return(dbt.spark__snapshot_merge_sql(target, source, insert_cols)) }}
    {%- endif -%}
    {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
    {%- set merged = api.Relation.create(schema=target.schema, identifier=target.identifier ~ '__dbt_merged', type='table') -%}
    {%- set target_columns = adapter.get_columns_in_relation(target) -%}
    {%- set current_clause -%}
        {%- if config.get("dbt_valid_to_current") -%}
            (dest.{{ columns.dbt_valid_to }} = {{ config.get('dbt_valid_to_current') }} or dest.{{ columns.dbt_valid_to }} is null)
        {%- else -%}
            dest.{{ columns.dbt_valid_to }} is null
        {%- endif -%}
    {%- endset -%}
    {% do adapter.drop_relation(merged) %}
    {% call statement('snapshot_merge_parquet') %}
        create table {{ merged }} using parquet as
        select
            {%- for column in target_columns %}
            {%- if column.name | lower == columns.dbt_valid_to | lower %}
            case
                when {{ current_clause }} and src.dbt_change_type in ('update', 'delete')
                    then src.{{ columns.dbt_valid_to }}
                else dest.{{ columns.dbt_valid_to }}
            end as {{ adapter.quote(column.name) }}
            {%- else %}
            dest.{{ adapter.quote(column.name) }}
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ target }} as dest
        left join (
            select * from {{ source }} where dbt_change_type in ('update', 'delete')
        ) as src
            on src.{{ columns.dbt_scd_id }} = dest.{{ columns.dbt_scd_id }}
        union all
        select {% for column in target_columns %}{{ adapter.quote(column.name) }}{{ ', ' if not loop.last }}{% endfor %}
        from {{ source }}
        where dbt_change_type = 'insert'
    {% endcall %}
    insert overwrite table {{ target }}
    select * from {{ merged }}
{%- endmacro %}

{% materialization snapshot, adapter='spark' %}

  {%- set target_table = model.get('alias', model.get('name')) -%}

  {%- set strategy_name = config.get('strategy') -%}
  {%- set unique_key = config.get('unique_key') %}
  {%- set file_format = config.get('file_format') or 'parquet' -%}
  {%- set grant_config = config.get('grants') -%}

  {% set target_relation_exists, target_relation = get_or_create_relation(
          database=none,
          schema=model.schema,
          identifier=target_table,
          type='table') -%}

  {%- if file_format not in ['delta', 'iceberg', 'hudi', 'parquet'] -%}
    {% set invalid_format_msg -%}
      Invalid file format: {{ file_format }}
      Snapshot functionality requires file_format 'delta', 'iceberg', 'hudi' or (prm_warehouse: rewritten in full) 'parquet'
    {%- endset %}
    {% do exceptions.raise_compiler_error(invalid_format_msg) %}
  {% endif %}

  {% if not adapter.check_schema_exists(model.database, model.schema) %}
    {% do create_schema(model.schema) %}
  {% endif %}

  {%- if not target_relation.is_table -%}
    {% do exceptions.relation_wrong_type(target_relation, 'table') %}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set strategy_macro = strategy_dispatch(strategy_name) %}
  {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

  {% if not target_relation_exists %}

      {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
      {% set final_sql = create_table_as(False, target_relation, build_sql) %}

  {% else %}

      {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}

      {{ adapter.valid_snapshot_target(target_relation, columns) }}

      {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}

      -- this may no-op if the database does not require column expansion
      {% do adapter.expand_target_column_types(from_relation=staging_table,
                                               to_relation=target_relation) %}

      {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
                                   | rejectattr('name', 'equalto', 'dbt_change_type')
                                   | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                   | rejectattr('name', 'equalto', 'dbt_unique_key')
                                   | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                   | list %}

      {% do create_columns(target_relation, missing_columns) %}

      {% set source_columns = adapter.get_columns_in_relation(staging_table)
                                   | rejectattr('name', 'equalto', 'dbt_change_type')
                                   | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                   | rejectattr('name', 'equalto', 'dbt_unique_key')
                                   | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                   | list %}

      {% set quoted_source_columns = [] %}
      {% for column in source_columns %}
        {% do quoted_source_columns.append(adapter.quote(column.name)) %}
      {% endfor %}

      {% set final_sql = snapshot_merge_sql(
            target = target_relation,
            source = staging_table,
            insert_cols = quoted_source_columns
         )
      %}

  {% endif %}

  {% call statement('main') %}
      {{ final_sql }}
  {% endcall %}

  {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  {{ adapter.commit() }}

  {% if staging_table is defined %}
      {% do post_snapshot(staging_table) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}
