"""REST API of legal consultation and aid, one router per module (mounted in gonghui/api.py ROUTERS)."""
