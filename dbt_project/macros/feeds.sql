{#- Which feeds this warehouse has: the dbt var `feeds` (dbt_project.yml: all four; Dagster and `prm`
    pass the configured ones, pipelines.settings.configured_feeds). A feed that is not configured has
    no raw tables: its staging models compile to an empty relation with the raw table's columns and
    types (feed_source), so every model still builds, and the figures that need the feed are null,
    not zero (if_feed). marts.dim_feeds records the list for analysts and the pages. -#}

{% macro feed_enabled(system) -%}
    {{ return(system in var('feeds')) }}
{%- endmacro %}


{#- The raw table of a configured feed (`source(system, table)`), or, for a feed that is not
    configured, a relation with the same columns and types and no rows. The source is then never
    referenced, so nothing (dbt lineage, the Dagster graph) waits for a load that will not come. -#}
{% macro feed_source(system, table) -%}
    {%- if feed_enabled(system) -%}
        {{ return(source(system, table)) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return('(select 1 as no_feed where false)') }}
    {%- endif -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ system ~ '.' ~ table) -%}
    {%- if node is none or not node.columns -%}
        {{ exceptions.raise_compiler_error('feed_source: no columns documented for source ' ~ system ~ '.' ~ table) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- if not column.data_type -%}
            {{ exceptions.raise_compiler_error('feed_source: ' ~ system ~ '.' ~ table ~ '.' ~ column.name ~ ' has no data_type') }}
        {%- endif -%}
        {%- do columns.append('cast(null as ' ~ engine_data_type(column.data_type) ~ ') as ' ~ adapter.quote(column.name)) -%}
    {%- endfor -%}
    {{ return('(select ' ~ columns | join(', ') ~ ' where false)') }}
{%- endmacro %}


{#- `expression` where `system` is configured, else null of the same type: a figure that needs an
    absent feed is unknown, never a zero that looks like data. -#}
{% macro if_feed(system, expression) -%}
    case when {{ 'true' if feed_enabled(system) else 'false' }} then {{ expression }} end
{%- endmacro %}
