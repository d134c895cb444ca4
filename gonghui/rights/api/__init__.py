"""REST API of rights protection, one router per module (mounted in gonghui/api.py ROUTERS)."""
