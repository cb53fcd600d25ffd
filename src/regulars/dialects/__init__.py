"""Wire dialects: each a thin translation between HTTP and the services."""
