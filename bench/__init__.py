"""Benchmarks of CNOP: load through the edge, direct gRPC, the store's ceiling, transcoding.

Not tests: nothing here asserts a time. `make bench` (`python -m bench`) runs it all
against a private stack and reports on stdout and in `bench/results/latest.json`.
"""
