"""Who is calling: API keys (Basic, query string, OAuth 1.0a), application passwords, password hashes."""
