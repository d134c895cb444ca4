"""REST API of collective contracts, one router per module (mounted in gonghui/api.py ROUTERS)."""
