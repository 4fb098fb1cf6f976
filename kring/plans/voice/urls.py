"""The page "Stem van het kind" of a trajectory's plan (any method), under /cases/<pk>/plans/: part of the plan
pages (namespace ``plans``, included by ``plans/urls.py``). A child's tool's sharing and removal are addressed by
its id within the case, whatever plan it hangs on; its download is the one of the Signs of Safety pages
(``plans:safety_attachment``), which serves a child's tool of any plan of the trajectory."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:trajectory_id>/child/", views.voice_view, name="voice"),
    path("<int:trajectory_id>/child/tools/new/", views.tool_add, name="voice_tool_add"),
    path("<int:trajectory_id>/child/wishes/new/", views.wish_add, name="voice_wish_add"),
    path("<int:trajectory_id>/child/wishes/remove/", views.wish_remove, name="voice_wish_remove"),
    path("<int:trajectory_id>/child/assent/new/", views.assent_add, name="voice_assent_add"),
    path("<int:trajectory_id>/child/advocates/new/", views.advocate_add, name="voice_advocate_add"),
    path("<int:trajectory_id>/for-children.pdf", views.document_child, name="document_child"),
    path("child-tools/<int:attachment_id>/sharing/", views.tool_sharing, name="voice_tool_sharing"),
    path("child-tools/<int:attachment_id>/remove/", views.tool_remove, name="voice_tool_remove"),
]
