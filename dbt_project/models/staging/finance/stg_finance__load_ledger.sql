{{ stage_load_ledger('finance') }}
