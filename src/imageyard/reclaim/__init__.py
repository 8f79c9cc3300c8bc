"""Reclaim stage."""
