"""Helpers shared by tests and the benchmark (not fixtures: see tests/conftest.py)."""
