"""GEDCOM 5.5.1 and 7.0 import and export, as plain data (no Django).

``parse_gedcom(bytes)`` reads a file into a ``GedcomFile`` (persons, families, associations) or raises
``GedcomError`` with the line number; ``select`` cuts out the part around one person; ``preview`` summarises it;
``to_network`` turns it into a ``Network``; ``to_gedcom`` writes a ``Network`` back out.

Decisions (see also the docstrings):
- Member ids are the xrefs without the ``@``. GEDCOM 5.5.1 xrefs are matched case-insensitively (real files and
  the 5.5.1 test files mix cases); GEDCOM 7 xrefs are case-sensitive and ``@VOID@`` is an empty pointer.
- PEDI BIRTH (or none) -> biological, ADOPTED -> adoptive, FOSTER -> foster, SEALING -> biological (an LDS
  ordinance that says nothing about birth, and birth is GEDCOM's default), OTHER -> step when its phrase says
  step, otherwise guardian (someone raising the child who is not a parent by birth, adoption or fostering).
- Vendor tags ``_FREL`` / ``_MREL`` (Family Tree Maker, Legacy) on FAM.CHIL give the kind per parent.
- Whatever cannot be parsed in a date is kept as text; the ``date`` is then None.

This module is the public face; the work is split by direction: ``gedcom_data`` (the records and
``GedcomError``), ``gedcom_read`` (parsing), ``gedcom_network`` (select, preview, to_network) and
``gedcom_write`` (to_gedcom).
"""

from .gedcom_data import (
    Association,
    ChildLink,
    Family,
    GedcomDate,
    GedcomError,
    GedcomFile,
    GedcomImport,
    Individual,
    PersonName,
)
from .gedcom_network import preview, select, to_network
from .gedcom_read import parse_date, parse_gedcom
from .gedcom_write import to_gedcom

__all__ = [
    "Association",
    "ChildLink",
    "Family",
    "GedcomDate",
    "GedcomError",
    "GedcomFile",
    "GedcomImport",
    "Individual",
    "PersonName",
    "parse_date",
    "parse_gedcom",
    "preview",
    "select",
    "to_gedcom",
    "to_network",
]
