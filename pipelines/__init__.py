"""connect-impact: the data layer (contract, readers, privacy, validation, load, warehouse, marts)."""
