"""Helpers shared by the test suites: the unit, property, reliability and benchmark tests."""
