"""Member portal pages of the members app (phone first), one module per concern; each module lists its own
`urlpatterns`, mounted in the portal namespace by gonghui/portal/urls.py."""
