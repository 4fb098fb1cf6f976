"""The case team's family pages, mounted at /cases/<pk>/family/."""

from django.urls import path

from . import views

app_name = "family"
trajectory = "<int:trajectory_id>/"
urlpatterns = [
    path("", views.index, name="index"),
    path(trajectory, views.trajectory_page, name="trajectory"),
    path(trajectory + "links/new/", views.link_create, name="link_create"),
    path(trajectory + "links/<int:link_id>/revoke/", views.link_revoke, name="link_revoke"),
    path(trajectory + "links/<int:link_id>/resend/", views.link_resend, name="link_resend"),
    path(trajectory + "proposals/decide/", views.proposal_decide, name="proposal_decide"),
    path(trajectory + "agreements/paper/", views.paper_signature, name="paper_signature"),
    path(trajectory + "deliveries/new/", views.delivery, name="delivery"),
]
