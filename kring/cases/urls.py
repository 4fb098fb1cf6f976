from django.urls import path

from . import views
from .coordination import views as coordination_views

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.referral_start, name="referral"),
    path("new/<int:organisation_id>/", views.referral, name="referral_for"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/persons/new/", views.person_add, name="person_add"),
    path("<int:pk>/persons/<int:person_id>/", views.person_edit, name="person_edit"),
    path("<int:pk>/persons/<int:person_id>/remove/", views.person_remove, name="person_remove"),
    path("<int:pk>/team/", views.team, name="team"),
    path("<int:pk>/team/<int:member_id>/remove/", views.team_remove, name="team_remove"),
    path("<int:pk>/consents/new/", views.consent_add, name="consent_add"),
    path("<int:pk>/consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/authority/", views.authority, name="authority"),
    path("<int:pk>/authority/<int:authority_id>/end/", views.authority_end, name="authority_end"),
    path("<int:pk>/capability/", views.capability, name="capability"),
    path("<int:pk>/no-contact/", views.no_contact, name="no_contact"),
    path("<int:pk>/coordinator/", coordination_views.case_coordinator, name="coordinator"),
]
