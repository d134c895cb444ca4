"""Every write of the service points app."""
