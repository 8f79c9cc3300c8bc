"""Test doubles that speak the real protocols (a fake Glance API), for tests and benchmarks.

Concepts: nothing here is used by imageyard itself; these helpers let tests and benchmarks
exercise the real clients (openstacksdk, keystoneauth, requests) against servers whose
behaviour, size and faults are programmed.
"""
