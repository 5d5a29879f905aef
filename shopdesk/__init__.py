"""Shopdesk: after-sales service platform for e-commerce."""
