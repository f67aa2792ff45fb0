"""Find the table in a sheet made for people: title rows, a header over rows, footnotes.

A statistics office's table (XLSX, or the CSV exported from it) has title rows
above the table, a header spanning several rows (``Bevölkerung`` over
``insgesamt`` | ``unter 18 Jahren``), the data rows (first column an id or name,
the others numbers or statistics symbols) and footnotes below (``1) ohne …``,
``Quelle: …``, ``Zeichenerklärung: …``). :func:`detect_layout` finds these parts in
the rows of a file and joins the header parts of each column top-down.

A plain table (the header in the first row, the data below) reads as it always
did: the first non-empty row is the header, every other row is data; only
footnote rows at the end that look like footnotes (``Quelle``, ``1)``, ``*)``, …)
are set aside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from geo.errors import ImportRefused
from geo.symbols import split_cell
from geo.validation import Problem, RowUnit

Row = tuple[int, Sequence[Any]]
"""A row of the file: its number (sheet row or CSV line) and its cells."""

Merged = tuple[int, int, int, int]
"""A merged range of a worksheet: first row, first column, last row, last column (1-based)."""

_FOOTNOTE_ROW = re.compile(
    r"^\s*(?:\d{1,2}\s*\)|\*+\s*\)?|[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]|quelle\b|quellen\b|"
    r"zeichenerkl|anmerkung|hinweis|fußnote|fussnote|erläuterung|stand\b|"
    r"©|\(c\))",
    re.IGNORECASE,
)
_HEADER_MARK = re.compile(
    r"(?:\s*(?<![mM])[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+\)?|\s+\d{1,2}\)|\s*\*+\)?)$"
)  # footnote marks after a header ("insgesamt 1)", "Fläche¹"), not the "²" of "km²"
_LOOSE_NUMBER = re.compile(r"^[+-]?[\d.,' ]*\d[\d.,' ]*(?:[eE][+-]?\d+)?\s*%?$")


@dataclass(frozen=True)
class Layout:
    """Where the parts of a table are: row numbers of the file, and the joined header.

    ``columns`` are the positions (0-based) of the cells that make the table's
    columns, named by ``header``; ``data`` the positions in the list of rows given
    to :func:`detect_layout` of the data rows.
    """

    header: tuple[str, ...]
    columns: tuple[int, ...]
    header_rows: tuple[int, ...]
    data: tuple[int, ...]
    title_rows: tuple[int, ...] = ()
    title: str = ""
    footnote_rows: tuple[int, ...] = ()
    footnotes: tuple[str, ...] = ()
    skipped_rows: tuple[int, ...] = ()
    plain: bool = True
    width: int = 0

    def note(self, source: str) -> str | None:
        """Return the German note on what was detected (None for a plain table).

        Examples
        --------
        >>> Layout(("a",), (0,), (4, 5), (), title_rows=(1, 2, 3), footnote_rows=(9,),
        ...        footnotes=("1) ohne Heime",), plain=False).note("t.xlsx")  # doctest: +ELLIPSIS
        't.xlsx: Kopfzeile in Zeilen 4–5 erkannt; 3 Titelzeilen und 1 Fußnotenzeile ...'
        """
        if self.plain and not self.footnote_rows:
            return None
        rows = self.header_rows
        where = f"Zeile {rows[0]}" if len(rows) == 1 else f"Zeilen {rows[0]}–{rows[-1]}"
        parts = []
        if self.title_rows:
            n = len(self.title_rows)
            parts.append(f"{n} Titelzeile{'n' if n != 1 else ''}")
        if self.footnote_rows:
            n = len(self.footnote_rows)
            parts.append(f"{n} Fußnotenzeile{'n' if n != 1 else ''}")
        if self.skipped_rows:
            n = len(self.skipped_rows)
            parts.append(
                f"{n} Zwischenzeile{'n' if n != 1 else ''} ohne Werte (Zeile "
                f"{', '.join(map(str, self.skipped_rows))})"
            )
        text = f"{source}: Kopfzeile in {where} erkannt"
        if parts:
            text += "; " + " und ".join(parts) + " übersprungen"
        if self.footnotes:
            text += ": " + " | ".join(self.footnotes)
        return text


def _filled(cell: Any) -> bool:
    if type(cell) is str:
        return bool(cell) and not cell.isspace()
    if cell is None:
        return False
    if isinstance(cell, float) and cell != cell:
        return False
    return bool(str(cell).strip())


def _positions(cells: Sequence[Any]) -> list[int]:
    return [j for j, c in enumerate(cells) if _filled(c)]


def is_value(cell: Any) -> bool:
    """Return whether a cell holds a number or a statistics symbol (in any number format).

    Examples
    --------
    >>> is_value("69 570"), is_value("-  23"), is_value("x"), is_value(3), is_value("Mitte")
    (True, True, True, True, False)
    """
    if isinstance(cell, bool):
        return False
    if isinstance(cell, (int, float, Decimal, np.integer, np.floating)):
        return True
    if not isinstance(cell, str):
        return False
    parts = split_cell(cell)
    if parts.symbol:
        return True
    return parts.text is not None and bool(_LOOSE_NUMBER.match(parts.text))


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split()) if _filled(cell) else ""


def _value_columns(rows: Sequence[Row]) -> set[int]:
    """Return the columns (after the first) that hold mostly numbers or symbols."""
    values: dict[int, int] = {}
    texts: dict[int, int] = {}
    for _, cells in rows:
        filled = _positions(cells)
        if len(filled) < 2:
            continue
        for j in filled:
            if j == 0:
                continue
            if is_value(cells[j]):
                values[j] = values.get(j, 0) + 1
            else:
                texts[j] = texts.get(j, 0) + 1
    last = next((cells for _, cells in reversed(rows) if len(_positions(cells)) > 1), [])
    at_end = {j for j in _positions(last) if j > 0 and is_value(last[j])}
    return {
        j
        for j, n in values.items()
        if n >= texts.get(j, 0) or (j in at_end and 2 * n >= texts.get(j, 0))
    }


def _is_data(cells: Sequence[Any], value_cols: set[int]) -> bool:
    if not cells or not _filled(cells[0]):
        return False
    seen = False
    for j in value_cols:
        if j < len(cells) and _filled(cells[j]):
            if not is_value(cells[j]):
                return False
            seen = True
    return seen


def _is_title(cells: Sequence[Any]) -> bool:
    return _positions(cells) == [0]


def _is_footnote(cells: Sequence[Any]) -> bool:
    if not cells or not _filled(cells[0]) or not _FOOTNOTE_ROW.match(str(cells[0])):
        return False
    return _positions(cells) == [0]


def _refuse(
    source: str, unit: RowUnit, message: str, fix: str, row: int | None = None
) -> ImportRefused:
    return ImportRefused(source, [Problem(source, message, fix, row, None, None, unit)])


def detect_layout(
    rows: Sequence[Row],
    *,
    source: str,
    unit: RowUnit = "row",
    header_row: int | None = None,
    merged: Sequence[Merged] | None = None,
) -> Layout:
    """Return where the title, header, data and footnotes of a table are.

    Parameters
    ----------
    rows
        Every row of the file, blank ones included, with its number.
    source
        The file's name, for messages.
    unit
        What the numbers count (``row`` of a sheet, ``line`` of a CSV).
    header_row
        The number of the last (or only) header row, when the user names it.
    merged
        The merged ranges of a worksheet (None: unknown, e.g. CSV; then blank cells
        of the upper header rows are filled from their left neighbour).

    Returns
    -------
    Layout
        The header (parts of a column joined top-down with a space), the data rows
        and what was set aside.

    Raises
    ------
    ImportRefused
        When ``header_row`` names no row of the table, or when two blocks of rows
        above the data could be the header (the message names both and the fix
        ``--header-row N``).

    Examples
    --------
    >>> rows = [(1, ["Bevölkerung 2020", "", ""]), (2, ["", "", ""]),
    ...         (3, ["Stadtteil", "Bevölkerung", ""]), (4, ["", "insgesamt", "unter 18"]),
    ...         (5, ["Altona", "69 570", "."]), (6, ["1) ohne Heime", "", ""])]
    >>> lay = detect_layout(rows, source="t.csv")
    >>> lay.header
    ('Stadtteil', 'Bevölkerung insgesamt', 'Bevölkerung unter 18')
    >>> lay.header_rows, lay.data, lay.footnotes, lay.title
    ((3, 4), (4,), ('1) ohne Heime',), 'Bevölkerung 2020')
    """
    filled = [i for i, (_, cells) in enumerate(rows) if any(map(_filled, cells))]
    if not filled:
        return Layout((), (), (), ())
    sample = filled if len(filled) <= 500 else [*filled[:400], *filled[-100:]]
    value_cols = _value_columns([rows[i] for i in sample])
    if header_row is not None:
        return _given(rows, filled, value_cols, header_row, source, unit, merged)
    first = filled[0]
    later = [i for i in filled if i > first]
    if _is_plain(rows, first, later, value_cols):
        return _plain(rows, filled, first)
    data_rows = [i for i in filled if _is_data(rows[i][1], value_cols)]
    if not data_rows:
        return _plain(rows, filled, first)
    start = data_rows[0]
    above = [i for i in filled if i < start]
    blocks = _blocks(rows, above)
    header_block: list[int] = list(blocks[-1]) if blocks else []
    titles = [i for b in blocks[:-1] for i in b]
    while len(header_block) > 1 and _is_title(rows[header_block[0]][1]):
        titles.append(header_block.pop(0))
    sections: list[int] = []  # "Bezirk Altona" right above the first data row
    while len(header_block) > 1 and _is_title(rows[header_block[-1]][1]):
        sections.insert(0, header_block.pop())
    if header_block and _is_title(rows[header_block[0]][1]):
        titles.append(header_block.pop(0))
    if not header_block:  # e.g. "Stadtteil | 2019 | 2020": a header that looks like data
        header_block = [start]
        data_rows = data_rows[1:]
        if not data_rows:
            return _plain(rows, filled, first)
        start = data_rows[0]
    candidates = [b for b in blocks[:-1] if any(len(_positions(rows[i][1])) > 1 for i in b)]
    if candidates:
        names = [_span(rows, b) for b in (*candidates, header_block)]
        last = rows[header_block[-1]][0]
        raise _refuse(
            source,
            unit,
            "die Kopfzeile der Tabelle ist nicht sicher zu erkennen: in Frage kommen "
            f"{' und '.join(names)}",
            f"geben Sie mit --header-row die Nummer der (letzten) Kopfzeile an, z. B. "
            f"--header-row {last}",
        )
    return _build(
        rows, filled, value_cols, sorted(titles), header_block, start, merged, sections=sections
    )


def _is_plain(rows: Sequence[Row], first: int, later: Sequence[int], value_cols: set[int]) -> bool:
    """Return whether the first row is the whole header and the data follow (as before).

    It is when the first row names every column the next row fills, and the next
    row starts with its key and follows directly or holds numbers (or, without its
    key, holds only numbers).
    """
    head = rows[first][1]
    if not _is_full(head) or len(_positions(head)) < 2:  # one cell: a title
        return False
    if not later:
        return True
    nxt = rows[later[0]][1]
    if len(_positions(head)) <= max(_positions(nxt)):
        return False
    cells = [nxt[j] for j in value_cols if j < len(nxt) and _filled(nxt[j])]
    has_value = any(is_value(c) for c in cells)
    if not _filled(nxt[0]):  # a data row without its key, not a second header row
        return has_value and all(is_value(c) for c in cells)
    return later[0] == first + 1 or has_value


def _is_full(cells: Sequence[Any]) -> bool:
    """Return whether a row is filled from its first cell to its last filled one."""
    filled = _positions(cells)
    return bool(filled) and filled[0] == 0 and filled == list(range(len(filled)))


def _blocks(rows: Sequence[Row], indices: Sequence[int]) -> list[list[int]]:
    """Return runs of consecutive non-blank rows (blank rows separate them)."""
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][-1] == i - 1:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _span(rows: Sequence[Row], block: Sequence[int]) -> str:
    a, b = rows[block[0]][0], rows[block[-1]][0]
    return f"Zeile {a}" if a == b else f"Zeilen {a}–{b}"


def _plain(rows: Sequence[Row], filled: Sequence[int], first: int) -> Layout:
    """Return the layout of a plain table: header first, then data, pattern footnotes."""
    body = [i for i in filled if i > first]
    notes: list[int] = []
    tail = len(body)  # footnotes: the rows of one cell at the end, from one that looks so
    while tail > 0 and len(_positions(rows[body[tail - 1]][1])) == 1:
        tail -= 1
    for k in range(tail, len(body)):
        if _is_footnote(rows[body[k]][1]):
            notes = body[k:]
            body = body[:k]
            break
    header = ["" if c is None else str(c).strip() for c in rows[first][1]]
    return Layout(
        tuple(header),
        tuple(range(len(header))),
        (rows[first][0],),
        tuple(body),
        footnote_rows=tuple(rows[i][0] for i in notes),
        footnotes=tuple(_row_text(rows[i][1]) for i in notes),
        plain=True,
        width=len(header),
    )


def _given(
    rows: Sequence[Row],
    filled: Sequence[int],
    value_cols: set[int],
    header_row: int,
    source: str,
    unit: RowUnit,
    merged: Sequence[Merged] | None,
) -> Layout:
    """Return the layout when the user named the last header row."""
    at = [i for i, (n, _) in enumerate(rows) if n == header_row]
    if not at or at[0] not in filled:
        last = rows[filled[-1]][0]
        what = "ist leer" if at else f"gibt es nicht (die Tabelle endet mit Zeile {last})"
        raise _refuse(
            source,
            unit,
            f"die mit --header-row genannte Zeile {header_row} {what}",
            "geben Sie die Nummer der (letzten) Kopfzeile an, wie das Tabellenprogramm sie zeigt",
            header_row,
        )
    end = at[0]
    block = [end]
    i = end - 1
    nonblank = set(filled)
    while i >= 0 and i in nonblank and not _is_data(rows[i][1], value_cols):
        if _is_title(rows[i][1]) and i != end:
            break
        block.insert(0, i)
        i -= 1
    titles = [j for j in filled if j < block[0]]
    after = [j for j in filled if j > end]
    data = [j for j in after if _is_data(rows[j][1], value_cols)]
    start = data[0] if data else (after[0] if after else end + 1)
    return _build(rows, filled, value_cols, titles, block, start, merged, all_after=not data)


def _build(
    rows: Sequence[Row],
    filled: Sequence[int],
    value_cols: set[int],
    titles: Sequence[int],
    block: Sequence[int],
    start: int,
    merged: Sequence[Merged] | None,
    *,
    all_after: bool = False,
    sections: Sequence[int] = (),
) -> Layout:
    """Return the layout of a table whose header is ``block`` and data start at ``start``."""
    after = [i for i in filled if i >= start]
    data_at = [i for i in after if _is_data(rows[i][1], value_cols)]
    if all_after or not data_at:
        body, notes, skipped = after, [], []
    else:
        last = data_at[-1]
        inner = [i for i in after if i <= last]
        is_data = set(data_at)
        skipped = [*sections]
        skipped += [i for i in inner if i not in is_data and _is_title(rows[i][1])]
        dropped = set(skipped)
        body = [i for i in inner if i not in dropped]
        notes = [i for i in after if i > last]
    header_cells = [list(rows[i][1]) for i in block]
    width = max((max(_positions(c), default=-1) + 1 for c in header_cells), default=0)
    names = _join_header(header_cells, [rows[i][0] for i in block], width, merged)
    columns = [
        j
        for j in range(width)
        if names[j] or any(j < len(rows[i][1]) and _filled(rows[i][1][j]) for i in body)
    ]
    return Layout(
        tuple(names[j] for j in columns),
        tuple(columns),
        tuple(rows[i][0] for i in block),
        tuple(body),
        title_rows=tuple(rows[i][0] for i in titles),
        title=" / ".join(_row_text(rows[i][1]) for i in titles),
        footnote_rows=tuple(rows[i][0] for i in notes),
        footnotes=tuple(_row_text(rows[i][1]) for i in notes),
        skipped_rows=tuple(rows[i][0] for i in skipped),
        plain=False,
        width=width,
    )


def _row_text(cells: Sequence[Any]) -> str:
    return " ".join(_text(c) for c in cells if _filled(c))


def _join_header(
    cells: list[list[Any]], numbers: Sequence[int], width: int, merged: Sequence[Merged] | None
) -> list[str]:
    """Join the header parts of each column top-down; spanning cells fill to the right."""
    grid = [[_text(row[j]) if j < len(row) else "" for j in range(width)] for row in cells]
    spans = [m for m in merged or () if m[0] in numbers and m[3] > m[1] and m[0] != numbers[-1]]
    if len(grid) > 1:
        if spans:
            for top, left, _, right in spans:
                r = list(numbers).index(top)
                value = grid[r][left - 1] if left - 1 < width else ""
                for j in range(left, min(right, width)):
                    if not grid[r][j]:
                        grid[r][j] = value
        else:
            for r in range(len(grid) - 1):
                for j in range(2, width):
                    if not grid[r][j] and grid[r][j - 1] and any(g[j] for g in grid[r + 1 :]):
                        grid[r][j] = grid[r][j - 1]
    names = []
    for j in range(width):
        parts: list[str] = []
        for r in range(len(grid)):
            part = _HEADER_MARK.sub("", grid[r][j]).strip()
            if not part or (parts and parts[-1] == part):
                continue
            if parts and parts[-1].endswith("-") and part[:1].islower():
                parts[-1] = parts[-1][:-1] + part
            else:
                parts.append(part)
        names.append(" ".join(parts).strip())
    return names
