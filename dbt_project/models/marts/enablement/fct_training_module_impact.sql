-- Course grain (every course, certifications included): revenue impact of a training module.
-- Partners whose people completed the course (first completion at the partner) with complete
-- before/after windows, their win rate, deal size and revenue per partner before vs after, the
-- average comparable partner that had not completed it (same partner type, enrolled before the
-- before window) over the same windows, and the lift: change - comparable change.
{{ enablement_lift_mart('course_completion') }}
