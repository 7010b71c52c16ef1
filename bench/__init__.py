"""Benchmarks: `bash bench/run` (see README)."""
