"""Use cases over the store: each takes a unit of work and domain values, and knows no dialect."""
