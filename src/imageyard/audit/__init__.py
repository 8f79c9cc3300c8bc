"""Audit stage."""
