"""Helpers shared by tests (not fixtures: see tests/conftest.py)."""

from service.testing import die_with_parent, stop

__all__ = ["die_with_parent", "stop"]
