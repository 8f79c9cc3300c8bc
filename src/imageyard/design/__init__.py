"""Design stage."""
