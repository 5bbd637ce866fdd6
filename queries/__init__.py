"""PolicyKG queries."""
