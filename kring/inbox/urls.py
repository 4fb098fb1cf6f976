from django.urls import path

from . import views as inbox_views

app_name = "inbox"
urlpatterns = [
    path("", inbox_views.inbox, name="list"),
    path("read/", inbox_views.mark_read, name="mark_read"),
    path("e-mail/", inbox_views.email_preferences, name="email"),
]
