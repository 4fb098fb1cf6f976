"""Transfer pages: /cases/<pk>/transfer/ and /transfers/."""

from django.urls import path

from . import views

app_name = "transfer"
transfer = "transfers/<int:transfer_id>/"
urlpatterns = [
    path("cases/<int:pk>/transfer/", views.case_transfers, name="case"),
    path("transfers/", views.incoming, name="incoming"),
    path("transfers/import/", views.import_package, name="import"),
    path("transfers/trusted/", views.trusted_senders, name="trusted"),
    path("transfers/trusted/<int:sender_id>/", views.trusted_sender_toggle, name="trusted_toggle"),
    path(transfer, views.incoming_detail, name="incoming_detail"),
    path(transfer + "accept/", views.accept, name="accept"),
    path(transfer + "refuse/", views.refuse, name="refuse"),
    path(transfer + "withdraw/", views.withdraw, name="withdraw"),
    path(transfer + "export/", views.export, name="export"),
    path(transfer + "package/", views.download, name="download"),
]
