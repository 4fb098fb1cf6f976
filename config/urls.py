from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from kring.core.api import not_found

urlpatterns = [
    path("", include("kring.web.urls")),
    path("cases/<int:pk>/network/", include("kring.network.urls")),
    path("cases/<int:pk>/trajectories/", include("kring.trajectories.urls")),
    path("cases/<int:pk>/meetings/", include("kring.meetings.urls")),
    path("cases/<int:pk>/plans/", include("kring.plans.urls")),
    path("cases/<int:pk>/documents/", include("kring.documents.urls")),
    path("cases/<int:pk>/family/", include("kring.family.urls")),
    path("cases/<int:pk>/registration/", include("kring.measures.urls")),
    path("cases/<int:pk>/journal/", include("kring.journal.urls")),
    path("l/family/", include("kring.family.link_urls")),
    path("l/", include("kring.plans.links.urls")),
    path("l/", include("kring.measures.link_urls")),
    path("evaluation/", include("kring.evaluation.urls")),
    path("work/", include("kring.worklists.urls")),
    path("inbox/", include("kring.inbox.urls")),
    path("safety-alerts/", include("kring.plans.alerts.urls")),
    path("child-voice/", include("kring.plans.voice.settings_urls")),
    path("organisation/", include("kring.trajectories.organisation_urls")),
    path("cases/", include("kring.cases.urls")),
    path("coordination/", include("kring.cases.coordination.urls")),
    path("methods/", include("kring.methods.urls")),
    path("access-log/", include("kring.audit.urls")),
    path("privacy/", include("kring.privacy.urls")),
    path("retention/", include("kring.retention.urls")),
    path("", include("kring.transfer.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("kring.cases.api_urls")),
    path("api/v1/", include("kring.journal.api_urls")),
    path("api/v1/", include("kring.network.api_urls")),
    path("api/v1/", include("kring.trajectories.api_urls")),
    path("api/v1/", include("kring.meetings.api_urls")),
    path("api/v1/", include("kring.plans.api_urls")),
    path("api/v1/", include("kring.documents.api_urls")),
    path("api/v1/", include("kring.methods.api_urls")),
    path("api/v1/", include("kring.measures.api_urls")),
    path("api/v1/", include("kring.evaluation.api_urls")),
    path("api/v1/", include("kring.privacy.api_urls")),
    path("api/v1/", include("kring.retention.api_urls")),
    path("api/v1/", include("kring.transfer.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi-schema"),
    # Last: whatever under /api/ no route above matched answers the API's JSON 404, not the HTML page.
    re_path(r"^api/", not_found, name="api-not-found"),
]

handler400 = "kring.web.views.bad_request"
handler403 = "kring.web.views.permission_denied"
handler404 = "kring.web.views.page_not_found"
handler500 = "kring.web.views.server_error"
