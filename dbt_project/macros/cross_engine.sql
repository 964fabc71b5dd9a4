{#- Constructs whose spelling differs between DuckDB (default__, the embedded engine: unchanged SQL)
    and Spark (spark__, docs/spark.md). dbt's own cross-database macros (dbt.dateadd, dbt.datediff,
    dbt.hash, dbt.concat ...) are used where they exist; these are the rest. -#}

{#- The text type: DuckDB's varchar; Spark's varchar needs a length, its unbounded text is string. -#}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text', 'prm_warehouse')()) }}
{%- endmacro %}

{% macro default__type_text() -%}varchar{%- endmacro %}

{% macro spark__type_text() -%}string{%- endmacro %}


{#- An instant: DuckDB's timestamp with time zone; Spark's timestamp is an instant (shown in the
    session time zone, UTC). -#}
{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz', 'prm_warehouse')()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}timestamptz{%- endmacro %}

{% macro spark__type_timestamptz() -%}timestamp{%- endmacro %}


{#- A declared column type (contracts, source columns: data_type in the .yml files, written in
    DuckDB's names) in the engine's own name. -#}
{% macro engine_data_type(data_type) -%}
    {{ return(adapter.dispatch('engine_data_type', 'prm_warehouse')(data_type)) }}
{%- endmacro %}

{% macro default__engine_data_type(data_type) -%}{{ data_type }}{%- endmacro %}

{% macro spark__engine_data_type(data_type) -%}
    {%- set normalized = data_type | lower | trim -%}
    {%- if normalized in ('varchar', 'text') -%}string
    {%- elif normalized in ('timestamp with time zone', 'timestamptz') -%}timestamp
    {%- else -%}{{ data_type }}
    {%- endif -%}
{%- endmacro %}


{#- Spark: the contract check casts null to each declared type; declared types are DuckDB's names. -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set copy = column.copy() if column is mapping else column -%}
        {%- if copy is mapping and copy.get('data_type') -%}
            {%- do copy.update({'data_type': engine_data_type(copy['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}


{#- The continuous (interpolated) quantile q of expression: DuckDB's quantile_cont, Spark's percentile. -#}
{% macro quantile_cont(expression, q) -%}
    {{ return(adapter.dispatch('quantile_cont', 'prm_warehouse')(expression, q)) }}
{%- endmacro %}

{% macro default__quantile_cont(expression, q) -%}quantile_cont({{ expression }}, {{ q }}){%- endmacro %}

{% macro spark__quantile_cont(expression, q) -%}percentile({{ expression }}, {{ q }}){%- endmacro %}


{#- Spark seeds: the column_types of seeds/*.yml are DuckDB's names; translate them before dbt-spark
    creates and fills the table. -#}
{% macro engine_seed_column_types(model) -%}
    {%- set column_types = model['config'].get('column_types') or {} -%}
    {%- for name, data_type in column_types.items() -%}
        {%- do column_types.update({name: engine_data_type(data_type)}) -%}
    {%- endfor -%}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {%- do engine_seed_column_types(model) -%}
    {{ return(dbt.spark__create_csv_table(model, agate_table)) }}
{%- endmacro %}

{#- dbt-spark's session connection puts bindings into the SQL unescaped (a quote in a seed value
    breaks the statement, a null becomes the text 'None'), so the values are written as escaped
    literals here instead. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- do engine_seed_column_types(model) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is number -%}{{ value }}
    {%- else -%}'{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
