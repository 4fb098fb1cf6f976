"""The network's REST API, version 1 (mounted at /api/v1/ beside the cases API)."""

from django.urls import path

from . import api

app_name = "network_api"
prefix = "cases/<int:case_id>/network/"
urlpatterns = [
    path(prefix, api.NetworkView.as_view(), name="network"),
    path(prefix + "persons/", api.NetworkPersonListView.as_view(), name="persons"),
    path(prefix + "persons/<int:person_id>/", api.NetworkPersonDetailView.as_view(), name="person"),
    path(prefix + "members/<int:person_id>/", api.MemberView.as_view(), name="member"),
    path(prefix + "members/<int:person_id>/position/", api.MemberPositionView.as_view(), name="member_position"),
    path(prefix + "relationships/", api.RelationshipListView.as_view(), name="relationships"),
    path(prefix + "relationships/<int:relationship_id>/", api.RelationshipDetailView.as_view(), name="relationship"),
    path(prefix + "system-ties/", api.SystemTieListView.as_view(), name="system_ties"),
    path(prefix + "system-ties/<int:tie_id>/", api.SystemTieDetailView.as_view(), name="system_tie"),
    path(prefix + "undo/", api.UndoView.as_view(), name="undo"),
    path(prefix + "export.json", api.ExportJsonView.as_view(), name="export_json"),
    path(prefix + "map.svg", api.MapSvgView.as_view(), name="map_svg"),
    path(prefix + "import.json", api.ImportJsonView.as_view(), name="import_json"),
]
