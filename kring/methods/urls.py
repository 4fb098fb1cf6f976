from django.urls import path

from . import views

app_name = "methods"
urlpatterns = [
    path("", views.guide, name="guide"),
    # Before the method pages: "offers" and "our-offer" are not method codes.
    path("offers/", views.offers, name="offers"),
    path("our-offer/", views.our_offer, name="our_offer"),
    path("our-offer/<int:organisation_id>/", views.our_offer_for, name="our_offer_for"),
    path("our-offer/<int:organisation_id>/new/", views.offer_edit, name="offer_add"),
    path("our-offer/<int:organisation_id>/<int:offer_id>/", views.offer_edit, name="offer_edit"),
    path("our-offer/<int:organisation_id>/<int:offer_id>/remove/", views.offer_remove, name="offer_remove"),
    path("<slug:code>/", views.method, name="method"),
]
