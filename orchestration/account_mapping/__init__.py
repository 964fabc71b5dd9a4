"""Account-mapping clean room: which accounts a vendor and a partner share, without either side
seeing the other's other accounts (docs/account_mapping.md).

``lists`` reads a side's CSV and turns each row into matching keys; ``protocol`` hashes them with
the exchange's secret key (HMAC-SHA256), matches two hashed files and writes the overlap-only
outputs; ``warehouse`` is the vendor side read from the marts and the Dagster asset's tables.
"""
