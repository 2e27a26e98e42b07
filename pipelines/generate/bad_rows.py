"""Bad rows (dirty exports only): extra rows, each bad for one reason and referenced by none."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import numpy as np

from pipelines.contract import TABLES_BY_NAME, Table
from pipelines.generate.calendar import EPOCH, Ids, day_number
from pipelines.generate.rendering import dutch_header, dutch_values

# which classes each table gets; the broken date and the unparseable value go in a required column
BAD_CLASSES: tuple[str, ...] = (
    "missing_id",
    "impossible_date",
    "end_before_start",
    "negative_hours",
    "too_many_hours",
    "unknown_match",
    "unknown_participant",
    "bad_value",
    "exact_duplicate",
)

_BAD_PLAN: dict[str, tuple[str, ...]] = {
    "organisations": ("missing_id", "exact_duplicate"),
    "participants": ("missing_id", "impossible_date", "bad_value", "exact_duplicate"),
    "buddies": ("missing_id", "impossible_date", "bad_value", "exact_duplicate"),
    "matches": (
        "missing_id", "impossible_date", "end_before_start", "bad_value", "exact_duplicate",
    ),
    "contacts": (
        "missing_id", "impossible_date", "negative_hours", "too_many_hours", "unknown_match",
        "bad_value", "exact_duplicate",
    ),
    "activities": (
        "missing_id", "impossible_date", "unknown_participant", "bad_value", "exact_duplicate",
    ),
    "referrals": (
        "missing_id", "impossible_date", "unknown_participant", "bad_value", "exact_duplicate",
    ),
    "surveys": ("missing_id", "impossible_date", "bad_value", "exact_duplicate"),
    # identical bookings are separate records (contract: repeats), so no exact duplicate here
    "finance": ("impossible_date", "bad_value"),
}  # fmt: skip
# the row's own id: replaced by a fresh one so a bad row never shares a key with a good row
_OWN_ID = {
    "organisations": ("organisation_id", "O"),
    "participants": ("participant_id", "D"),
    "buddies": ("buddy_id", "B"),
    "matches": ("match_id", "K"),
    "contacts": ("contact_id", "C"),
    "activities": ("activity_id", "G"),
    "surveys": ("respondent_id", "D"),
}
_MISSING_ID = {
    "organisations": "organisation_id",
    "participants": "participant_id",
    "buddies": "buddy_id",
    "matches": "match_id",
    "contacts": "match_id",
    "activities": "participant_id",
    "referrals": "participant_id",
    "surveys": "respondent_id",
}
_DATE_COLUMN = {
    "participants": "registered_on",
    "buddies": "registered_on",
    "matches": "matched_on",
    "contacts": "contact_on",
    "activities": "activity_on",
    "referrals": "referred_on",
    "surveys": "answered_on",
    "finance": "booked_on",
}
_BAD_VALUE_COLUMN = {"contacts": "hours", "finance": "amount_eur"}
_IMPOSSIBLE_DAYS = ("31/02", "30/02", "29/02", "31/04", "31/06", "31/09", "31/11", "32/01")
_UNREADABLE = {
    "date": ("gisteren", "vorige week", "begin maart"),
    "hours": ("1x5", "twee", "1,5,5"),
    "decimal": ("12x5", "ongeveer", "1,2,3"),
}


def inject_bad_rows(
    table: Table,
    columns: list[np.ndarray],
    header: list[str],
    ids: Ids,
    rng: np.random.Generator,
    fmt: str,
    blank_id_rows: set[bytes],
) -> tuple[list[np.ndarray], dict[str, int]]:
    """Return the columns with bad rows mixed in, and how many of each class were added."""
    name = table.name
    n = len(columns[0])
    plan = _BAD_PLAN[name]
    counts = {cls: int(rng.integers(2, 4 if name == "organisations" else 6)) for cls in plan}
    position = {h: i for i, h in enumerate(header)}

    def col(canonical: str) -> int:
        return position[dutch_header(table.column(canonical))]

    bad: list[list[Any]] = []
    sources = iter(_template_order(name, columns, header, rng).tolist())
    for cls in plan:
        for _ in range(counts[cls]):
            if cls == "missing_id":
                bad.append(_blank_id_row(name, columns, col, sources, fmt, ids, blank_id_rows))
                continue
            source = next(sources)
            row = [c[source] for c in columns]
            own, prefix = _OWN_ID.get(name, ("", ""))
            if own and cls != "exact_duplicate":
                # a fresh id: the bad copy must not share a key with the row it copies
                row[col(own)] = ids.fresh(prefix)
            if cls == "impossible_date":
                year = int(rng.integers(2021, 2024))  # none of them a leap year
                text = f"{_IMPOSSIBLE_DAYS[int(rng.integers(len(_IMPOSSIBLE_DAYS)))]}/{year}"
                dash = rng.random() < 0.5
                row[col(_DATE_COLUMN[name])] = text.replace("/", "-") if dash else text
            elif cls == "bad_value":
                target = _BAD_VALUE_COLUMN.get(name, _DATE_COLUMN.get(name, ""))
                options = _UNREADABLE[table.column(target).type]
                row[col(target)] = options[int(rng.integers(len(options)))]
            elif cls == "end_before_start":
                start = day_number(_cell_date(row[col("matched_on")]))
                row[col("ended_on")] = _date_cell(start - int(rng.integers(1, 60)), fmt)
                row[col("end_reason")] = dutch_values(table.column("end_reason"))["completed"]
            elif cls in ("negative_hours", "too_many_hours"):
                value = -float(rng.choice([1.0, 1.5, 2.0])) if cls == "negative_hours" else 14.0
                row[col("hours")] = value if fmt == "xlsx" else f"{value:g}".replace(".", ",")
            elif cls == "unknown_match":
                row[col("match_id")] = ids.fresh("K")
            elif cls == "unknown_participant":
                row[col("participant_id")] = ids.fresh("D")
            bad.append(row)

    # scatter the extra rows through the file, as they would be in a real export
    slots = np.sort(rng.integers(0, n + 1, size=len(bad)))
    order = np.insert(np.arange(n), slots, np.arange(n, n + len(bad)))
    merged = []
    for j, c in enumerate(columns):
        extra = np.empty(len(bad), dtype=object)
        extra[:] = [row[j] for row in bad]
        merged.append(np.concatenate([c.astype(object), extra])[order])
    return merged, counts


def _blank_id_row(
    name: str,
    columns: list[np.ndarray],
    col: Callable[[str], int],
    sources: Iterator[int],
    fmt: str,
    ids: Ids,
    seen: set[bytes],
) -> list[Any]:
    """Return a copy of a valid row without its required id, unlike any earlier such row.

    Without the id, two copies from programmes side by side can coincide in every cell, and a
    loader would call the second an exact duplicate: such a copy is skipped for the next one.
    """
    own, prefix = _OWN_ID.get(name, ("", ""))
    while True:
        source = next(sources)
        row = [c[source] for c in columns]
        row[col(_MISSING_ID[name])] = None if fmt == "xlsx" else ""
        digest = hashlib.blake2b(repr(row).encode(), digest_size=16).digest()
        if digest not in seen:
            seen.add(digest)
            break
    if own and own != _MISSING_ID[name]:
        row[col(own)] = ids.fresh(prefix)
    return row


def _template_order(
    name: str, columns: list[np.ndarray], header: list[str], rng: np.random.Generator
) -> np.ndarray:
    """Return valid rows to copy in random order; a row is copied once at most.

    Matches copy ended duos only, so that end_before_start has an end to move.
    """
    if name == "matches":
        ended = columns[header.index(dutch_header(TABLES_BY_NAME["matches"].column("ended_on")))]
        return rng.permutation(np.flatnonzero([v not in ("", None) for v in ended.tolist()]))
    return rng.permutation(len(columns[0]))


def _cell_date(cell: Any) -> date:
    if isinstance(cell, date):
        return cell
    day, month, year = re.split(r"[/-]", str(cell))
    return date(int(year), int(month), int(day))


def _date_cell(day: int, fmt: str) -> Any:
    d = EPOCH + timedelta(days=day)
    return d if fmt == "xlsx" else d.strftime("%d/%m/%Y")
