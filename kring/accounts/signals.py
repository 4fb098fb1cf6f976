"""What the accounts app tells later apps, so it needs none of them (apps import only earlier apps).

The access log (``kring.audit``) comes after accounts; it listens to these and writes the entries.
"""

from django.dispatch import Signal

# An administrator created, changed or deleted administered records in the admin. Sent with ``request``,
# ``action`` ("create", "update" or "delete") and ``descriptions``: (record type, record id, organisation ids,
# detail) per record, from ``admin_scope.described`` (taken before a deletion, while the record still exists).
admin_changed = Signal()

# A session was refused because it lacks the second factor. Sent with ``request``, ``user``, ``reason`` and
# ``record_type`` ("login_session" for a page, "api_session" for the API).
session_refused = Signal()
