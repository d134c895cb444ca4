"""REST API of working days and deadlines, one router per module (mounted in gonghui/api.py ROUTERS)."""
