"""Settings (placeholder: filled in by the store/CLI issue)."""
