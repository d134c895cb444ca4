"""Every write of rights protection: centres and mediators, disputes and their workflow."""
