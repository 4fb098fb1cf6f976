"""Plan pages (namespace ``plans``, mounted at /cases/<pk>/plans/): the plan itself with its bottom lines,
agreements, decision, reviews and personal links (``views``), its documents as PDF (``views_documents``), and
the Signs of Safety records of a safety plan (``safety.urls``) and the child's voice on a plan of any method
(``voice.urls``)."""

from django.urls import path

from . import views, views_documents
from .alerts import views as alert_views
from .safety.urls import urlpatterns as safety_urls
from .voice.urls import urlpatterns as voice_urls

app_name = "plans"

T = "<int:trajectory_id>/"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("alerts/<int:alert_id>/acknowledge/", alert_views.acknowledge, name="alert_acknowledge"),
    path(T, views.plan_page, name="plan"),
    path(T + "start/", views.plan_start, name="start"),
    path(T + "edit/", views.plan_edit, name="edit"),
    path(T + "bottom-lines/new/", views.bottom_line_add, name="bottom_line_add"),
    path(T + "bottom-lines/<int:line_id>/", views.bottom_line_edit, name="bottom_line_edit"),
    path(T + "bottom-lines/<int:line_id>/withdraw/", views.bottom_line_withdraw, name="bottom_line_withdraw"),
    path(T + "bottom-lines/<int:line_id>/history/", views.bottom_line_history, name="bottom_line_history"),
    path(T + "agreements/new/", views.agreement_add, name="agreement_add"),
    path(T + "agreements/<int:agreement_id>/", views.agreement_edit, name="agreement_edit"),
    path(T + "agreements/<int:agreement_id>/remove/", views.agreement_remove, name="agreement_remove"),
    path(T + "agreements/<int:agreement_id>/report/", views.agreement_report, name="agreement_report"),
    path(T + "submit/", views.plan_submit, name="submit"),
    path(T + "decide/", views.plan_decide, name="decide"),
    path(T + "decisions/", views.plan_decisions, name="decisions"),
    path(T + "history/", views.plan_history, name="history"),
    path(T + "new-version/", views.plan_new_version, name="new_version"),
    path(T + "links/new/", views.link_add, name="link_add"),
    path(T + "links/<int:link_id>/revoke/", views.link_revoke, name="link_revoke"),
    path(T + "links/<int:link_id>/resend/", views.link_resend, name="link_resend"),
    path(T + "reviews/new/", views.review_add, name="review_add"),
    path(T + "reviews/<int:review_id>/", views.review_hold, name="review_hold"),
    *safety_urls,
    *voice_urls,
    path(T + "plan.pdf", views_documents.document_plan, name="document_plan"),
    path(T + "member/<int:person_id>.pdf", views_documents.document_member, name="document_member"),
    path(T + "bottom-lines.pdf", views_documents.document_bottom_lines, name="document_bottom_lines"),
]
