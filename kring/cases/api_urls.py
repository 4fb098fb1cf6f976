"""The case file's REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api
from .coordination import api as coordination_api

app_name = "cases_api"
urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="cases"),
    path("coordination/assignments/", coordination_api.AssignmentListView.as_view(), name="coordination_assignments"),
    path("cases/<int:case_id>/", api.CaseDetailView.as_view(), name="case"),
    path("cases/<int:case_id>/persons/", api.PersonListView.as_view(), name="persons"),
    path("cases/<int:case_id>/persons/<int:person_id>/", api.PersonDetailView.as_view(), name="person"),
    path("cases/<int:case_id>/team/", api.TeamListView.as_view(), name="team"),
    path("cases/<int:case_id>/team/<int:member_id>/", api.TeamMemberDetailView.as_view(), name="team_member"),
    path("cases/<int:case_id>/consents/", api.ConsentListView.as_view(), name="consents"),
    path(
        "cases/<int:case_id>/consents/<int:consent_id>/withdraw/",
        api.ConsentWithdrawView.as_view(),
        name="consent_withdraw",
    ),
    path("cases/<int:case_id>/authority/", api.AuthorityListView.as_view(), name="authority"),
    path(
        "cases/<int:case_id>/authority/<int:authority_id>/end/",
        api.AuthorityEndView.as_view(),
        name="authority_end",
    ),
    path("cases/<int:case_id>/capability/", api.CapabilityListView.as_view(), name="capability"),
    path("cases/<int:case_id>/no-contact/", api.NoContactListView.as_view(), name="no_contacts"),
    path(
        "cases/<int:case_id>/no-contact/<int:no_contact_id>/",
        api.NoContactDetailView.as_view(),
        name="no_contact",
    ),
]
