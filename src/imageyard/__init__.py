"""imageyard: audit, design and reclaim Glance multi-store image storage."""

__version__ = "0.1.0"

__all__ = ["__version__"]
