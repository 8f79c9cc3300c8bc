"""Reference data the audit rules check configurations against."""
