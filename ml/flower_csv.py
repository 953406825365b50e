"""Flower samples as CSV: parse an upload (all rows checked first), import, export."""

import csv
import io

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from flower_power.errors import ApplicationError
from ml.dataset import FEATURES, SPECIES
from ml.inputs import number_from_text
from ml.models import Source
from ml.services import flower_samples_create_many

CSV_HEADER = (*FEATURES, "species")
EXPORT_HEADER = ("id", *CSV_HEADER, "split", "source")
CSV_MAX_BYTES = 1024 * 1024
# One bulk insert: 10,000 rows take well under a second.
CSV_MAX_ROWS = 10_000
# A file with thousands of bad rows would make an unreadable page; the first ones are enough.
CSV_MAX_ERRORS_SHOWN = 100

Problem = tuple[int | None, str]  # (line of the file or None for the whole file, message)


def flower_csv_parse(data: bytes) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Read an uploaded samples CSV into (line, row) pairs, or say what is wrong with it."""
    if len(data) > CSV_MAX_BYTES:
        return [], [(None, _("The file is larger than %(size)s.") % {
            "size": filesizeformat(CSV_MAX_BYTES)})]
    try:
        # utf-8-sig: spreadsheets often save UTF-8 with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [(None, _("The file is not UTF-8 text (bad byte at position %(at)d).")
                     % {"at": exc.start})]
    if not text.strip():
        return [], [(None, _("The file is empty."))]
    expected = ",".join(CSV_HEADER)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict]] = []
    problems: list[Problem] = []
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        if header != list(CSV_HEADER):
            return [], [(1, _("The header must be exactly %(expected)s, not %(found)s.") % {
                "expected": expected, "found": ",".join(header)})]
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, e.g. at the end of the file
            if len(rows) + len(problems) >= CSV_MAX_ROWS:
                return [], [(None, _("The file has more than %(n)d rows.") % {
                    "n": CSV_MAX_ROWS})]
            line = reader.line_num
            row, row_problems = _csv_row(cells)
            if row_problems:
                problems.append((line, " ".join(row_problems)))
            else:
                rows.append((line, row))
    except csv.Error as exc:
        return [], [(reader.line_num, _("The file is not valid CSV: %(error)s.") % {
            "error": exc})]
    if not rows and not problems:
        return [], [(None, _("The file has a header but no rows."))]
    return rows, problems


def _csv_row(cells: list[str]) -> tuple[dict, list[str]]:
    if len(cells) != len(CSV_HEADER):
        return {}, [_("Expected %(expected)d values, found %(found)d.") % {
            "expected": len(CSV_HEADER), "found": len(cells)}]
    row: dict = {}
    problems = []
    for name, cell in zip(CSV_HEADER, cells, strict=True):
        if name == "species":
            species = cell.strip().lower()
            if species in SPECIES:
                row[name] = species
            else:
                problems.append(_("Unknown species %(value)r; use one of %(known)s.") % {
                    "value": cell, "known": ", ".join(SPECIES)})
            continue
        try:
            row[name] = number_from_text(cell, name)
        except ApplicationError as exc:
            problems.append(exc.message)
    return row, problems


def flower_csv_import(*, rows: list[tuple[int, dict]], added_by) -> list[Problem]:
    """Store every parsed row as an imported sample, or none of them; return the problems."""
    try:
        flower_samples_create_many(
            rows=[row for _line, row in rows], source=Source.IMPORT, added_by=added_by
        )
    except ValidationError as exc:
        return [(None, " ".join(exc.messages))]
    except ApplicationError as exc:
        return [(None, exc.message)]
    return []


def flower_csv_response(queryset, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_HEADER)
    for values in queryset.values_list(*EXPORT_HEADER).iterator(chunk_size=2000):
        writer.writerow(values)
    return response


