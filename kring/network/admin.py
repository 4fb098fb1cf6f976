"""Network settings per organisation, for functional administrators (their own organisations only).

The network itself is case data and is deliberately not registered here.
"""

from django.contrib import admin

from kring.accounts.admin import OrganisationScopedAdmin

from .models import NetworkSettings


@admin.register(NetworkSettings)
class NetworkSettingsAdmin(OrganisationScopedAdmin):
    list_display = ["organisation", "small_network_threshold", "death_mark"]
    fields = ["organisation", "small_network_threshold", "death_mark"]
