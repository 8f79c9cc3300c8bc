"""Apply stage."""
