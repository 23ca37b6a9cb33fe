"""Unit tests of the hashing package."""
