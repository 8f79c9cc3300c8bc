"""Collect stage."""
