"""Benchmarks: each runs a naive peer and ours in the same run and prints the ratio."""
