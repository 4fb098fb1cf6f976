"""The family's own pages behind their personal link, mounted at /l/family/ (no account, no login)."""

from django.urls import path

from . import link_views

app_name = "family_links"
urlpatterns = [
    path("<str:token>/", link_views.home, name="home"),
    path("<str:token>/propose/", link_views.propose, name="propose"),
    path("<str:token>/view/", link_views.give_view, name="view"),
    path("<str:token>/sharing/", link_views.sharing, name="sharing"),
    path("<str:token>/agree/", link_views.agree, name="agree"),
]
