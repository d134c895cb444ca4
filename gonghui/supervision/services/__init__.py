"""Every write of labour-law supervision, one module per concern."""
