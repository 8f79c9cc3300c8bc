"""The ``backends`` source: the contents of Glance's file, S3 and Swift stores."""

from imageyard.collect.backends.collector import BackendsCollector, Clients

__all__ = ["BackendsCollector", "Clients"]
