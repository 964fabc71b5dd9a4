-- A strict funnel only narrows: in every cohort each step has at most as many partners as the
-- step before, and step 1 counts the whole cohort. Returns every step that breaks that.
select *
from {{ ref('rpt_onboarding_funnel') }}
where conversion_from_previous_step > 1
    or (step_number = 1 and partners_reached_count != cohort_partner_count)
