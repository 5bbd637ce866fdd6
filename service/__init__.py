"""PolicyKG service."""
