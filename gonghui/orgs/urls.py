"""Console pages of the orgs app, mounted at /console/orgs/ (namespace console:orgs)."""

from django.urls import URLPattern, path

from gonghui.orgs.views import coverage, imports, officers, roles, tree, workplaces

app_name = "orgs"

urlpatterns: list[URLPattern] = [
    # tree
    path("", tree.tree, name="tree"),
    path("<int:pk>/", tree.org_detail, name="org_detail"),
    path("<int:pk>/children/", tree.tree_children, name="tree_children"),
    path("<int:pk>/new/", tree.org_create, name="org_create"),
    path("<int:pk>/edit/", tree.org_edit, name="org_edit"),
    path("<int:pk>/move/", tree.org_move, name="org_move"),
    path("<int:pk>/merge/", tree.org_merge, name="org_merge"),
    path("<int:pk>/dissolve/", tree.org_dissolve, name="org_dissolve"),
    # workplaces
    path("workplaces/", workplaces.workplace_list, name="workplaces"),
    path("workplaces/new/", workplaces.workplace_create, name="workplace_create"),
    path("workplaces/<int:pk>/", workplaces.workplace_detail, name="workplace_detail"),
    path("workplaces/<int:pk>/edit/", workplaces.workplace_edit, name="workplace_edit"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/template/<str:kind>.xlsx", imports.import_template, name="import_template"),
    path("imports/<int:pk>/", imports.import_report, name="import_report"),
    path("imports/<int:pk>/report.xlsx", imports.import_report_xlsx, name="import_report_xlsx"),
    # officers and roles
    path("officers/", officers.officer_list, name="officers"),
    path("officers/ending/", officers.officers_ending, name="officers_ending"),
    path("officers/new/", officers.officer_create, name="officer_create"),
    path("officers/<int:term_id>/edit/", officers.officer_edit, name="officer_edit"),
    path("officers/<int:term_id>/end/", officers.officer_end, name="officer_end"),
    path("<int:org_id>/roles/", roles.role_list, name="roles"),
    path("<int:org_id>/roles/grant/", roles.role_grant, name="role_grant"),
    path("<int:org_id>/roles/new-account/", roles.role_account_create, name="role_account_create"),
    path("roles/<int:grant_id>/revoke/", roles.role_revoke, name="role_revoke"),
    # coverage
    path("coverage/", coverage.coverage, name="coverage"),
    path("coverage/export.xlsx", coverage.coverage_export, name="coverage_export"),
    path("coverage/refresh/", coverage.coverage_refresh, name="coverage_refresh"),
]
