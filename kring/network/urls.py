"""The network pages of one case, under /cases/<pk>/network/."""

from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.network_map, name="map"),
    path("export/", views.export_map, name="export"),
    path("export/gedcom/<str:version>/", views.export_gedcom, name="export_gedcom"),
    path("export/json/", views.export_json, name="export_json"),
    path("import/", views.import_page, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("undo/", views.undo, name="undo"),
    path("reset/", views.reset_layout, name="reset"),
    path("persons/new/", views.person_add, name="person_add"),
    path("persons/<int:person_id>/", views.person_edit, name="person_edit"),
    path("persons/<int:person_id>/remove/", views.person_remove, name="person_remove"),
    path("persons/<int:person_id>/move/", views.person_move, name="person_move"),
    path("relations/", views.relations_list, name="relations"),
    path("relations/new/", views.relation_add, name="relation_add"),
    path("relations/<int:relation_id>/", views.relation_edit, name="relation_edit"),
    path("relations/<int:relation_id>/remove/", views.relation_remove, name="relation_remove"),
    path("ties/new/", views.tie_add, name="tie_add"),
    path("ties/<int:tie_id>/", views.tie_edit, name="tie_edit"),
    path("ties/<int:tie_id>/remove/", views.tie_remove, name="tie_remove"),
]
