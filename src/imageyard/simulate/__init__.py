"""Simulate stage."""
