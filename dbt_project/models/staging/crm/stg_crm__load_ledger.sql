{{ stage_load_ledger('crm') }}
