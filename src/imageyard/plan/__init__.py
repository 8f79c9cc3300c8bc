"""Plan stage."""
