"""Fingerprinting one file (placeholder until the loader lands)."""

from __future__ import annotations

from pathlib import Path

from fingerprint_client.hashing._result import FileResult, HashOptions


def hash_one(path: Path, options: HashOptions) -> FileResult:
    """Fingerprint one file in this process."""
    raise NotImplementedError
