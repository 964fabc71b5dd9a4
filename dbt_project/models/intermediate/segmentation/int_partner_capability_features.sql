-- Partner grain, as of the reporting date: the inputs of capability segmentation
-- (docs/segmentation.md; the columns are described in macros/partner_capability_features.sql).
with

{{ partner_capability_features(
    "select as_of_date as reporting_date from " ~ ref('int_reporting_date')
) }}
