"""Regulars: one customer store behind WooCommerce's and FluentCart's customers APIs."""

__version__ = "0.1.0"
