"""REST API of labour-law supervision, one router per module (mounted in gonghui/api.py ROUTERS)."""
