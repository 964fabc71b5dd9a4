{{ stage_quarantined_records('crm') }}
