"""OS keyring access (placeholder: filled in by the store/CLI issue)."""
