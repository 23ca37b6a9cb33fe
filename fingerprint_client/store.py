"""Local SQLite store (placeholder: filled in by the store/CLI issue)."""
