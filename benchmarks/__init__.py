"""Benchmarks: each helper timed against its standard-library baseline in the same run."""
