{{ stage_quarantined_records('lms') }}
