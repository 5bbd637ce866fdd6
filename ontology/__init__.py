"""PolicyKG ontology."""
