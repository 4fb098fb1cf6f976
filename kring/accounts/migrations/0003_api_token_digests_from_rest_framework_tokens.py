"""Django REST framework kept API keys in clear (table authtoken_token). Carry each key over as a digest, so
integrations keep working with the key they hold, then drop the old table: the clear keys must not stay behind.
On a fresh database the table does not exist and nothing happens.
"""
from django.db import migrations


def carry_over(apps, schema_editor):
    from kring.accounts.api_tokens import import_clear_tokens

    import_clear_tokens(apps.get_model("accounts", "ApiToken"), schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_token")]

    # Forwards only: the clear keys are gone, so there is nothing to go back to.
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
