{{ stage_load_ledger('tcma') }}
