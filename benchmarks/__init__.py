"""Benchmarks against the peers, run side by side in one process (``make bench``)."""
