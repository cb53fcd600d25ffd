"""Plain data and rules of the customer domain. No I/O, no HTTP, no dialect words."""
