"""The pseudonymised research extract of a research project: the minimum dataset of its organisations' trajectories
(in its period), as CSV or Parquet, with the data dictionary beside it, in one zip file.

No names, no dates of birth, no case numbers, no free text; record ids become the project's pseudonyms (the same
in every extract of the project, unrelated to any other project's)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.utils import timezone

from kring.trajectories.models import Trajectory

from . import dataset

FORMATS = ("csv", "parquet")


def _csv_bytes(rows: list[dict], names: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def _parquet_bytes(rows: list[dict], entries: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"integer": pa.int64(), "binary": pa.int8(), "number": pa.float64()}
    fields = [pa.field(e["name"], types.get(e["type"], pa.string())) for e in entries]
    columns = {e["name"]: [row.get(e["name"]) for row in rows] for e in entries}
    table = pa.table(columns, schema=pa.schema(fields))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _dictionary_csv(entries: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "group", "type", "unit", "label_nl", "label_en", "codes"])
    for e in entries:
        codes = "; ".join(f"{c['code']} = {c['nl']} / {c['en']}" for c in e["codes"])
        writer.writerow([e["name"], e["group"], e["type"], e["unit"], e["label_nl"], e["label_en"], codes])
    return buffer.getvalue().encode("utf-8")


def project_trajectories(project):
    query = Trajectory.objects.filter(organisation__in=project.organisations.all())
    if project.offered_from:
        query = query.filter(offered_on__gte=project.offered_from)
    if project.offered_until:
        query = query.filter(offered_on__lte=project.offered_until)
    return query


def build(project, fmt: str, *, today, progress=None) -> tuple[bytes, int]:
    """(the zip file, the number of rows)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    query = project_trajectories(project)
    total = query.count()
    rows = []
    for row in dataset.build_rows(query, project_key=bytes(project.key), today=today):
        rows.append(row)
        if progress and len(rows) % 1000 == 0:
            progress(int(80 * len(rows) / max(total, 1)), len(rows))
    # In the order of the project's own pseudonyms: rows in database order would line up, row by row, with the
    # extract of another project over the same trajectories and link the two sets of pseudonyms (issue 12).
    rows.sort(key=lambda row: row["trajectory"])
    entries = dataset.dictionary()
    names = [e["name"] for e in entries]
    data = _csv_bytes(rows, names) if fmt == "csv" else _parquet_bytes(rows, entries)
    readme = {
        "project": project.name,
        "made_at": timezone.now().isoformat(),
        "rows": len(rows),
        "format": fmt,
        "pseudonyms": "HMAC-SHA256 with the project's key; stable within this project only",
        "period": [
            project.offered_from.isoformat() if project.offered_from else None,
            project.offered_until.isoformat() if project.offered_until else None,
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"kring_extract.{fmt}", data)
        archive.writestr("dictionary.csv", _dictionary_csv(entries))
        archive.writestr("dictionary.json", json.dumps(entries, ensure_ascii=False, indent=1))
        archive.writestr("about.json", json.dumps(readme, ensure_ascii=False, indent=1))
    return buffer.getvalue(), len(rows)
