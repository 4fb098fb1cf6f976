"""The person's search key as Dutch and Flemish people spell names (kring.core.name_search): every word plain and
folded, a last name of several words joined too. Longer than the old key, so the column grows (on PostgreSQL a
wider varchar is a change of the catalogue only; the trigram index stays); every existing person gets the new key.
"""

from django.db import migrations, models

from kring.core import name_search

KEY_LENGTH = 800
BATCH = 2000


def fill_keys(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    batch = []
    for person in Person.objects.only("id", "first_name", "last_name").order_by("pk").iterator(chunk_size=BATCH):
        person.search_name = name_search.search_key(person.first_name or "", person.last_name or "")[:KEY_LENGTH]
        batch.append(person)
        if len(batch) >= BATCH:
            Person.objects.bulk_update(batch, ["search_name"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_names_without_hidden_characters")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="search_name",
            field=models.CharField(default="", editable=False, max_length=800),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
