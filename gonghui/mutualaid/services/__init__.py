"""Every write of the mutual aid app, one module per concern (plans.py: plans and rules)."""
