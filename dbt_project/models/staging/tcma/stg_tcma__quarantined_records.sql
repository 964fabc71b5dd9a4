{{ stage_quarantined_records('tcma') }}
