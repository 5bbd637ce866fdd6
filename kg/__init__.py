"""PolicyKG kg."""
