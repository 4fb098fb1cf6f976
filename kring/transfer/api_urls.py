"""The transfer API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "transfer_api"
transfer = "transfers/<int:transfer_id>/"
urlpatterns = [
    path("cases/<int:case_id>/transfers/", api.CaseTransfersView.as_view(), name="case_transfers"),
    path("transfers/", api.IncomingView.as_view(), name="incoming"),
    path("transfers/import/", api.ImportView.as_view(), name="import"),
    path(transfer + "accept/", api.AcceptView.as_view(), name="accept"),
    path(transfer + "refuse/", api.RefuseView.as_view(), name="refuse"),
    path(transfer + "withdraw/", api.WithdrawView.as_view(), name="withdraw"),
    path(transfer + "export/", api.ExportView.as_view(), name="export"),
    path(transfer + "package/", api.PackageView.as_view(), name="package"),
]
