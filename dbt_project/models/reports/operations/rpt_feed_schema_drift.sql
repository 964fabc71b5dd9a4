{#- One row per source file whose latest reading differed from its contract or mapping: quarantined
    whole (undecodable, truncated, unparseable, a required column missing), columns the contract does
    not know, optional columns missing, or values that no longer parse as the contract type. The
    data-health page lists them with what to do; the Dagster check `schema_drift` says the same of the
    last load.

    A file's reading is its latest ledger row that read something (records loaded, rejected or
    superseded) or quarantined it: a rerun that finds nothing new keeps the reading, and no read time
    is reported, so the report describes the files and a rerun leaves it identical. -#}
with

ledger as (

    {% for system in var('feeds') %}
    select '{{ system }}' as feed_name, *
    from {{ ref('stg_' ~ system ~ '__load_ledger') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

readings as (

    select *
    from ledger
    where file_status = 'quarantined'
        or rows_loaded + rows_quarantined + rows_superseded > 0
    qualify row_number() over (
        partition by feed_name, entity_name, source_ref order by load_id desc
    ) = 1

),

final as (

    select
        feed_name,
        entity_name,
        source_ref,
        case
            when file_status = 'quarantined' then 'file quarantined'
            when type_changes is not null then 'type change'
            when unknown_columns is not null then 'unknown columns'
            else 'missing optional columns'
        end as drift_kind,
        case when file_status = 'quarantined' then 'error' else 'warning' end as drift_severity,
        encoding,
        unknown_columns,
        missing_columns,
        type_changes,
        file_reason,
        rows_in,
        rows_loaded,
        rows_quarantined,
        values_nulled

    from readings
    where file_status = 'quarantined'
        or unknown_columns is not null
        or missing_columns is not null
        or type_changes is not null

)

select * from final
