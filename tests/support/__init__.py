"""Helpers shared by the test suites (unit, property, reliability, AWX and benchmark tests); their fixtures stay in conftest.py files."""
