from django.contrib.admin.apps import AdminConfig


class KringAdminConfig(AdminConfig):
    """Django's admin, on Kring's site: access by role, one login for everybody."""

    default_site = "kring.accounts.admin_site.KringAdminSite"
