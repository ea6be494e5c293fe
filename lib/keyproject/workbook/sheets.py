"""keyproject's own sheets, replaced on every refresh: 汇总, 红黄绿灯, 排名, 问题清单, 通报.

Their content is ``keyproject.views.sheets``' views (the same the Excel button writes); ``render``
lays a ``SheetView`` out as a generated worksheet part (``package.worksheet.Sheet``), cell for cell
where ``views.sheets.view_rows`` puts the values: the title, a blank row, then each block's heading,
header and rows with a blank row after it.

How it looks: each cell kind has its number format from ``keyproject.formats.excel_format`` (the
one rule of the 通报, the sheets and the CLI text; ``Column.decimals`` as the view gives them), dates
``yyyy-mm-dd``, flags 是/否; a ``Light`` shows its label on the light's fill; headers are
bold on a pale fill, wrapped and centred; columns are as wide as their content (a CJK character
counts two) up to a limit, and text wider than its column wraps with the row made tall enough, so no
label is clipped on screen or on paper. Each sheet prints on A4 fitted to one page wide, landscape
(the 通报 portrait); list sheets freeze their header on screen and repeat it on every printed page.

Which sheets are keyproject's is recorded in the workbook's marks, so a later refresh replaces exactly
those. A user's sheet that happens to carry one of these names is never touched: keyproject writes its
sheet under "名称(keyproject)" instead and says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from keyproject.formats import excel_format
from keyproject.package.cells import (
    Cell,
    CellValue,
    cell_body,
    column_letter,
    number_text,
    plain_texts,
    text_element,
)
from keyproject.package.package import Package
from keyproject.package.styles import Style
from keyproject.package.worksheet import PageSetup, Row, Sheet, worksheet_xml
from keyproject.views import Facts, Light, Paragraphs, SheetView, Table, Value
from keyproject.workbook.cells import (
    FMT_DATE,
    HEADER,
    HEADING,
    QUOTED,
    THIN,
    TITLE,
    WRAP_ALIGN,
    combine,
    is_formula_like,
    light_style,
)

BULLETIN_WIDTH = 70.0  # characters of column A: an A4 portrait page
_MIN_WIDTH = 8.0
_MAX_WIDTH = 40.0  # wider text wraps
_HEADER_MAX = 12.0  # headers wrap; the data sets the width
_WRAP_MAX = 36.0
_LINE = 15.0  # points per line of 11-point CJK text
_BORDERED = Style(border=THIN)
_WRAPPED = Style(border=THIN, alignment=WRAP_ALIGN)
_PLAIN_WRAP = Style(alignment=WRAP_ALIGN)
_QUOTED = QUOTED


def text_width(text: str) -> float:
    """Display width in Excel character units: a CJK or full-width character counts two. (Measured
    through UTF-8, where those take three bytes: C speed, a little generous for other symbols.)"""
    n = len(text)
    return n + (len(text.encode("utf-8")) - n) / 2


@functools.lru_cache(maxsize=64)
def number_format(kind: str, decimals: int | None) -> str | None:
    """The number format of a view cell kind (``Column.decimals`` None: the kind's default):
    ``keyproject.formats.excel_format``, the one rule the 通报, the sheets and the CLI text share."""
    return excel_format(kind, decimals)


def shown(value: float | int, fmt: str | None) -> str:
    """The text a number shows under ``fmt``, for its column's width."""
    if fmt is None or fmt == "General":
        return f"{value:g}" if isinstance(value, float) else str(value)
    if fmt.endswith("%"):
        places = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
        return f"{value * 100:,.{places}f}%"
    places = len(fmt.split(".")[1]) if "." in fmt else 0
    return f"{value:,.{places}f}" if "," in fmt else f"{value:.{places}f}"


# how a laid-out cell takes room
_TITLE, _HEADING, _HEADER, _TEXT, _WRAP, _NUMBER, _DATE, _PARAGRAPH = range(8)
_RUNS_OVER = (_TITLE, _HEADING, _PARAGRAPH)  # over the empty cells to their right
_INFINITE = (float("inf"), float("-inf"))


def _number(v: float) -> int | str:
    """A finite float as ``<v>`` holds it (what ``number_text`` gives, without its NaN checks)."""
    return int(v) if v.is_integer() and -1e15 < v < 1e15 else repr(v)
_Laid = tuple[int, int, CellValue, Style | None, int]  # row, column, value, format, how


class _Layout:
    """The cells of one view in place, before widths and heights are known."""

    def __init__(self) -> None:
        self.cells: list[_Laid] = []
        self.row = 1
        self.numbers: dict[tuple[int, str | None], list[float]] = {}  # (column, format) → values
        self._styles: dict[tuple[object, ...], Style | None] = {}
        self.tables: list[_TableRows] = []  # long tables, written column by column

    def put(self, col: int, value: CellValue, style: Style | None, how: int) -> None:
        self.cells.append((self.row, col, value, style, how))

    def _style(self, *key: object) -> Style | None:
        style = self._styles.get(key)
        if style is None and key not in self._styles:
            kind, extra, quoted = key
            if kind == "light":
                key_label = extra
                assert isinstance(key_label, tuple)
                style = combine(_BORDERED, light_style(key_label[0], key_label[1]))
            elif kind == "wrap":
                style = combine(_WRAPPED, _QUOTED if quoted else None)
            else:
                fmt = extra
                style = combine(_BORDERED, Style(number_format=fmt) if isinstance(fmt, str) else None,
                                _QUOTED if quoted else None)
            self._styles[key] = style
        return style

    def value_cell(self, col: int, value: Value, kind: str, decimals: int | None) -> None:
        t = type(value)
        if t is float:
            if value != value:  # NaN
                self.put(col, None, self._style("cell", None, False), _TEXT)
                return
            fmt = number_format(kind, decimals)
            self.numbers.setdefault((col, fmt), []).append(value)  # type: ignore[arg-type]
            self.put(col, value, self._style("cell", fmt, False), _NUMBER)  # type: ignore[arg-type]
        elif t is str:
            quoted = is_formula_like(value)  # type: ignore[arg-type]
            if kind == "wrap":
                self.put(col, value, self._style("wrap", None, quoted), _WRAP)  # type: ignore[arg-type]
            else:
                self.put(col, value, self._style("cell", None, quoted), _TEXT)  # type: ignore[arg-type]
        elif t is Light:
            assert isinstance(value, Light)
            self.put(col, value.label, self._style("light", (value.key, value.label), False), _TEXT)
        elif value is None:
            self.put(col, None, self._style("cell", None, False), _TEXT)
        elif t is bool:
            self.put(col, "是" if value else "否", self._style("cell", None, False), _TEXT)
        elif isinstance(value, (int, float)):
            fmt = number_format(kind, decimals)
            self.numbers.setdefault((col, fmt), []).append(value)
            self.put(col, value, self._style("cell", fmt, False), _NUMBER)
        elif isinstance(value, dt.date):
            self.put(col, value, self._style("cell", FMT_DATE, False), _DATE)
        else:
            self.value_cell(col, str(value), kind, decimals)

    def header(self, labels: Sequence[str]) -> None:
        for j, text in enumerate(labels, start=1):
            self.put(j, text, HEADER, _HEADER)
        self.row += 1


def _lay_out(view: SheetView) -> tuple[_Layout, int | None]:
    """The view's cells (and the row of its first table's header, for list sheets)."""
    lay = _Layout()
    lay.put(1, view.title, TITLE, _TITLE)
    lay.row = 3  # a blank row under the title, as views.sheets.view_rows lays it out
    first_head: int | None = None
    for block in view.blocks:
        if block.title:
            lay.put(1, block.title, HEADING, _HEADING)
            lay.row += 1
        if isinstance(block, Facts):
            lay.header(list(block.header))
            if not block.items:
                lay.put(1, block.empty, None, _TEXT)
                lay.row += 1
            for fact in block.items:
                lay.value_cell(1, fact.label, "text", None)
                lay.value_cell(2, fact.value, fact.kind, fact.decimals)
                lay.row += 1
        elif isinstance(block, Table):
            if not block.rows:
                lay.put(1, block.empty, None, _TEXT)
                lay.row += 1
            else:
                if first_head is None:
                    first_head = lay.row
                lay.header([c.label for c in block.columns])
                lay.tables.append(_table_rows(lay, block))
                lay.row += len(block.rows)
        elif isinstance(block, Paragraphs):
            for line in block.lines:
                lay.put(1, line, _PLAIN_WRAP, _PARAGRAPH)
                lay.row += 1
            continue  # paragraphs run on: view_rows' blank row after them is the end of the sheet
        lay.row += 1
    return lay, first_head


@dataclass
class _TableRows:
    """A table's body, column by column: each cell's value, format, how it takes room, text width."""

    first: int  # Excel row of its first body row
    values: list[list[CellValue]]  # per column
    styles: list[list[Style | None]]
    hows: list[list[int]]
    widths: list[list[float]]  # the text's display width (0 for numbers, dates, blanks)


def _table_rows(lay: _Layout, block: Table) -> _TableRows:
    values: list[list[CellValue]] = []
    styles: list[list[Style | None]] = []
    hows: list[list[int]] = []
    widths: list[list[float]] = []
    style = lay._style
    for j, (column, cells) in enumerate(zip(block.columns, zip(*block.rows, strict=True), strict=True)):
        fmt = number_format(column.kind, column.decimals)
        wrap = column.kind == "wrap"
        plain, numeric = style("cell", None, False), style("cell", fmt, False)
        text_style_ = style("wrap", None, False) if wrap else plain
        text_how = _WRAP if wrap else _TEXT
        kinds = set(map(type, cells))
        if kinds <= {str, type(None)}:  # a text column: the common case, done a column at a time
            vs: list[CellValue] = list(cells)
            ss: list[Style | None] = [plain if v is None else text_style_ for v in cells]
            if any(is_formula_like(v) for v in cells if v is not None):
                quoted = style("wrap" if wrap else "cell", None, True)
                ss = [quoted if v is not None and is_formula_like(v) else st
                      for v, st in zip(cells, ss, strict=True)]
            hs = [_TEXT if v is None else text_how for v in cells]
            ws = [0.0 if v is None else text_width(v) for v in cells]
        elif kinds <= {float, int, type(None)} and fmt is not None:  # a number column
            vs = [None if v is None or v != v or v in _INFINITE else v for v in cells]
            ss = [plain if v is None else numeric for v in vs]
            hs = [_TEXT if v is None else _NUMBER for v in vs]
            ws = [0.0] * len(vs)
            numbers = [v for v in vs if v is not None]
            if numbers:
                lay.numbers.setdefault((j + 1, fmt), []).extend(numbers)  # type: ignore[arg-type]
        elif kinds <= {Light, type(None)}:  # the 灯号 column
            vs = [None if v is None else v.label for v in cells]
            looks = {id(v): style("light", (v.key, v.label), False) for v in cells
                     if v is not None}
            ss = [plain if v is None else looks[id(v)] for v in cells]
            hs = [_TEXT] * len(vs)
            ws = [0.0 if v is None else text_width(v) for v in vs]  # type: ignore[arg-type]
        elif kinds <= {dt.date, type(None)}:  # a date column
            dated = style("cell", FMT_DATE, False)
            vs = list(cells)
            ss = [plain if v is None else dated for v in cells]
            hs = [_TEXT if v is None else _DATE for v in cells]
            ws = [0.0 if v is None else 10.0 for v in cells]
        else:
            vs, ss, hs, ws = _mixed_column(lay, cells, fmt, wrap, j)
        values.append(vs)
        styles.append(ss)
        hows.append(hs)
        widths.append(ws)
    return _TableRows(lay.row, values, styles, hows, widths)


def _mixed_column(lay: _Layout, cells: Sequence[Value], fmt: str | None, wrap: bool, j: int
                  ) -> tuple[list[CellValue], list[Style | None], list[int], list[float]]:
    """A column of lights, flags, dates or mixed values, cell by cell."""
    style = lay._style
    plain, numeric = style("cell", None, False), style("cell", fmt, False)
    text_style_ = style("wrap", None, False) if wrap else plain
    text_how = _WRAP if wrap else _TEXT
    vs: list[CellValue] = []
    ss: list[Style | None] = []
    hs: list[int] = []
    ws: list[float] = []
    numbers: list[float] = []
    for v in cells:
        t = type(v)
        if t is str:
            assert isinstance(v, str)
            vs.append(v)
            ss.append(style("wrap" if wrap else "cell", None, True) if is_formula_like(v) else text_style_)
            hs.append(text_how)
            ws.append(text_width(v))
        elif (t is float or t is int) and v == v:
            assert isinstance(v, (int, float))
            vs.append(v)
            numbers.append(v)
            ss.append(numeric)
            hs.append(_NUMBER)
            ws.append(0.0)
        elif t is Light:
            assert isinstance(v, Light)
            vs.append(v.label)
            ss.append(style("light", (v.key, v.label), False))
            hs.append(_TEXT)
            ws.append(text_width(v.label))
        elif t is bool:
            vs.append("是" if v else "否")
            ss.append(plain)
            hs.append(_TEXT)
            ws.append(2.0)
        elif isinstance(v, dt.date):
            vs.append(v)
            ss.append(style("cell", FMT_DATE, False))
            hs.append(_DATE)
            ws.append(10.0)
        elif v is None or t is float:  # None, NaN
            vs.append(None)
            ss.append(plain)
            hs.append(_TEXT)
            ws.append(0.0)
        else:
            text = str(v)
            vs.append(text)
            ss.append(text_style_)
            hs.append(text_how)
            ws.append(text_width(text))
    if numbers:
        lay.numbers.setdefault((j + 1, fmt), []).extend(numbers)
    return vs, ss, hs, ws


def _widths(lay: _Layout, portrait: bool) -> dict[int, float]:
    if portrait:
        return {1: BULLETIN_WIDTH}
    widths: dict[int, float] = {}
    for table in lay.tables:
        for j, (hs, ws) in enumerate(zip(table.hows, table.widths, strict=True), start=1):
            need = max(ws, default=0.0) + 2  # numbers are measured below, from their formatted text
            cap = _WRAP_MAX if _WRAP in hs else _MAX_WIDTH
            widths[j] = min(max(widths.get(j, _MIN_WIDTH), need), cap)
    for _, col, value, _, how in lay.cells:
        if how in _RUNS_OVER or how == _NUMBER:
            continue
        need = (text_width(value) if isinstance(value, str) else 10.0 if how == _DATE else 0.0) + 2
        cap = _HEADER_MAX if how == _HEADER else _WRAP_MAX if how == _WRAP else _MAX_WIDTH
        widths[col] = min(max(widths.get(col, _MIN_WIDTH), need), cap)
    # numbers never wrap: each column fits its widest number ("####" otherwise)
    for (col, fmt), values in lay.numbers.items():
        widest = max(values, key=abs)
        need = text_width(shown(widest, fmt)) + 2 + (1 if min(values) < 0 and widest >= 0 else 0)
        widths[col] = max(widths.get(col, _MIN_WIDTH), need)
    return {c: round(w, 1) for c, w in widths.items()}


def _lines(text: str, room: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``room`` characters wide."""
    return max(1, math.ceil(text_width(text) / max(room - 2, 1)))


def _s(style: int | None) -> str:
    return f' s="{style}"' if style else ""


def _style_index(attr: str) -> int | None:
    """The index in an ``_s`` attribute text (dates and other rare values go through ``cell_body``)."""
    return int(attr[4:-1]) if attr else None


def _table_xml(table: _TableRows, widths: dict[int, float], plain: dict[int, int | None],
               wrap: dict[int, int], indexed: Callable[[Style | None, bool], int | None], date1904: bool
               ) -> list[Row]:
    """The table's body rows, written column by column (wrapped text makes its row taller)."""
    n = len(table.values[0]) if table.values else 0
    lines = [1] * n
    columns: list[list[str]] = []
    attrs: dict[int | None, str] = {None: "", 0: ""}
    body = zip(table.values, table.styles, table.hows, table.widths, strict=True)
    for j, (vs, ss, hs, ws) in enumerate(body, start=1):
        room = max(widths.get(j, _MIN_WIDTH) - 2, 1.0)
        texts = [v for v in vs if type(v) is str]
        simple = not texts or plain_texts(texts)  # no escaping, no significant spaces in the column
        if simple and max(ws, default=0.0) <= room:
            # nothing wraps: the column in one comprehension, formats looked up once per format
            attr: dict[int, str] = {}
            for st in ss:
                if id(st) not in attr:
                    si = plain.get(id(st), -1)
                    attr[id(st)] = _s(indexed(st, False) if si == -1 else si)
            frags = [f'{attr[id(st)]} t="inlineStr"><is><t>{v}</t></is></c>' if type(v) is str
                     else f"{attr[id(st)]}/>" if v is None
                     # finite numbers only here (the column's NaN and infinities became blanks)
                     else f"{attr[id(st)]}><v>{_number(v)}</v></c>" if type(v) is float
                     else f"{attr[id(st)]}><v>{v}</v></c>" if type(v) is int
                     else cell_body(Cell(v, _style_index(attr[id(st)])), date1904)
                     for v, st in zip(vs, ss, strict=True)]
            columns.append(frags)
            continue
        frags = []
        append = frags.append
        for i in range(n):
            v, st, w = vs[i], ss[i], ws[i]
            wrapped = False
            if w > room:  # wrapped, never clipped
                wrapped = hs[i] == _TEXT
                k = math.ceil(w / room)
                if k > lines[i]:
                    lines[i] = k
            si = wrap.get(id(st), -1) if wrapped else plain.get(id(st), -1)
            if si == -1:
                si = indexed(st, wrapped)
            a = attrs.get(si)
            if a is None:
                a = attrs[si] = _s(si)
            t = type(v)
            if t is str:
                append(f'{a} t="inlineStr"><is><t>{v}</t></is></c>' if simple
                       else f'{a} t="inlineStr"><is>{text_element(v)}</is></c>')  # type: ignore[arg-type]
            elif v is None:
                append(f"{a}/>")
            elif t is float:
                append(f"{a}><v>{number_text(v)}</v></c>")  # type: ignore[arg-type]
            else:
                append(cell_body(Cell(v, si), date1904))
        columns.append(frags)
    letters = [column_letter(j) for j in range(1, len(columns) + 1)]
    span = (1, len(columns))
    out = []
    for i in range(n):
        r = table.first + i
        xml = "".join([f'<c r="{letter}{r}"{col[i]}' for letter, col in zip(letters, columns, strict=True)])
        out.append(Row(r, [], _LINE * lines[i] + 2 if lines[i] > 1 else None, xml, span))
    return out


def render(view: SheetView, derive: Callable[[Style], int], selected: bool = False,
           date1904: bool = False) -> tuple[Sheet, tuple[int, int] | None]:
    """The worksheet for ``view`` and its print-title rows (None when it has none). ``derive`` turns
    a format change over the workbook's default format into a style index."""
    lay, first_head = _lay_out(view)
    widths = _widths(lay, view.portrait)
    last_col = max(widths, default=1)
    table_width = sum(widths.values())
    heights: dict[int, float] = {}
    merges: list[str] = []
    rows: dict[int, list[tuple[int, Cell]]] = {}
    plain: dict[int, int | None] = {id(None): None}  # id of a format (shared by its cells) → index
    wrap: dict[int, int] = {}
    keep = [style for _, _, _, style, _ in lay.cells[:0]]  # formats indexed by id stay alive

    def indexed(style: Style | None, wrapped: bool) -> int | None:
        table_ = wrap if wrapped else plain
        change = combine(style, _PLAIN_WRAP) if wrapped else style
        found = table_[id(style)] = derive(change) if change is not None else None  # type: ignore[assignment]
        keep.append(style)
        return found

    for r, col, value, style, how in lay.cells:
        wrapped = False
        lines = 1
        if type(value) is str:
            if how in (_TITLE, _HEADING):
                need = text_width(value) + 2
                if not view.portrait and need > table_width and last_col > 1:
                    # it would run off the table (and off the printed page): wrap it across the table
                    merges.append(f"A{r}:{column_letter(last_col)}{r}")
                    wrapped, lines = True, _lines(value, table_width)
                elif view.portrait and need > BULLETIN_WIDTH:
                    wrapped, lines = True, _lines(value, BULLETIN_WIDTH)
            elif how != _NUMBER:
                room = widths.get(col, _MIN_WIDTH)
                if text_width(value) + 2 > room:  # wrapped, never clipped
                    wrapped = how == _TEXT
                    lines = _lines(value, room)
        if lines > 1 or how == _PARAGRAPH:
            line = 21.0 if how == _TITLE else _LINE
            heights[r] = max(heights.get(r, 0.0), line * lines + (4 if how == _PARAGRAPH else 2))
        cells = rows.get(r)
        if cells is None:
            cells = rows[r] = []
        si = wrap.get(id(style), -1) if wrapped else plain.get(id(style), -1)
        if si == -1:
            si = indexed(style, wrapped)
        cells.append((col, Cell(value, si)))
    out = [Row(r, cells, heights.get(r)) for r, cells in rows.items()]
    for table in lay.tables:
        out += _table_xml(table, widths, plain, wrap, indexed, date1904)
    out.sort(key=lambda row: row.number)
    head = first_head if view.list_sheet else None
    page = PageSetup(landscape=not view.portrait, center_horizontally=not view.portrait)
    sheet = Sheet(out, widths, merges, freeze=(head + 1, 3) if head is not None else None, page=page,
                  selected=selected)
    return sheet, (head, head) if head is not None else None


def _candidate(name: str, existing: set[str], owned: set[str]) -> str:
    candidate = name
    n = 0
    while candidate in existing and candidate not in owned:
        n += 1
        candidate = f"{name}(keyproject)" if n == 1 else f"{name}(keyproject{n})"
    return candidate


def write_sheets(pkg: Package, views: Sequence[SheetView], owned: Sequence[str], warnings: list[str]
                 ) -> dict[str, str]:
    """Write keyproject's sheets into ``pkg`` (replacing those it wrote before, ``owned``); return
    {canonical name: sheet name used}."""
    owned_set = set(owned)
    existing = {s.name for s in pkg.sheets()}
    names: dict[str, str] = {}
    for view in views:
        candidate = _candidate(view.name, existing | set(names.values()), owned_set)
        if candidate != view.name:
            warnings.append(f"工作簿中已有用户自己的工作表“{view.name}”，未作改动；"
                            f"keyproject 的{view.name}写在“{candidate}”")
        names[view.name] = candidate
    # sheets keyproject made earlier under another name (e.g. "问题清单(keyproject)") that it no
    # longer uses are its own to remove (first: removing shifts the sheet positions behind them)
    for stale in owned_set - set(names.values()):
        if stale in existing:
            pkg.remove_sheet(stale)
    styles = pkg.styles

    def derive(style: Style) -> int:
        return styles.derive(0, style)

    date1904 = pkg.workbook.date1904
    active = _active_tab(pkg)
    titles: dict[str, tuple[int, int] | None] = {}
    for view in views:
        name = names[view.name]
        entry = pkg.workbook.sheet(name)
        sheet, titles[name] = render(view, derive, entry is not None and entry.index == active, date1904)
        data = worksheet_xml(sheet, date1904)
        if entry is not None and entry.part is not None and entry.kind == "worksheet":
            pkg.replace_worksheet(entry, data)
        else:
            if entry is not None:  # something else of keyproject's name that is not a worksheet
                pkg.remove_sheet(name)
            pkg.add_worksheet(name, data)
    for name, rows in titles.items():
        entry = pkg.workbook.sheet(name)
        if entry is not None:
            pkg.workbook.set_print_titles(entry.index, name, rows)
    return names


def _active_tab(pkg: Package) -> int:
    root = pkg.workbook.root
    for view in root.iter(f"{{{pkg.workbook.ns}}}workbookView"):
        value = view.get("activeTab")
        return int(value) if value and value.isdigit() else 0
    return 0
