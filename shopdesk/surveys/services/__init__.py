"""Every write of the surveys app."""
