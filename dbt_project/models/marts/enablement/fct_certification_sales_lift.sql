-- Certification course grain: do partners sell better once one of their people holds the
-- certification? Partners certified (first certification of that course at the partner) with
-- complete before/after windows of var enablement_lift_window_days, their win rate, average deal
-- size and revenue per partner before vs after, the same for the average comparable uncertified
-- partner (same partner type, enrolled before the before window, not certified in that course by
-- the end of the after window) and the lift: change - comparable change (int_enablement_lift_by_course).
{{ enablement_lift_mart('certification') }}
