{{ stage_load_ledger('lms') }}
