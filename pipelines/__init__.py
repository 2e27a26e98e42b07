"""connect-impact: the data layer (contract, readers, privacy, checks, load, warehouse, marts)."""
