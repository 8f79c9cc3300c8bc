"""The audit rules, one small module per rule or close family; ``audit.registry`` lists them."""
