{{ stage_quarantined_records('finance') }}
