"""The REST API of method offers, version 1 (mounted at /api/v1/ beside the other APIs)."""

from django.urls import path

from . import api

app_name = "methods_api"
organisation = "organisations/<int:organisation_id>/method-offers/"
urlpatterns = [
    path("method-offers/", api.PublicMethodOfferListView.as_view(), name="offers"),
    path(organisation, api.OrganisationMethodOfferListView.as_view(), name="organisation_offers"),
    path(organisation + "<int:offer_id>/", api.OrganisationMethodOfferDetailView.as_view(), name="organisation_offer"),
]
