"""Compare two workbooks sheet by sheet, cell by cell: what the user made must not change.

``differences(before, after, skip_sheets, skip_columns)`` lists every difference in the user's
sheets (values, formulas, fonts, fills, borders, alignment, number formats, comments, hyperlinks,
merged ranges, column widths and hidden state, row heights, data validation, conditional
formatting, freeze panes, print settings, sheet state) and the workbook (defined names, sheet
order), leaving out keyproject's own sheets and columns. An empty list means nothing the user made
changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


def _load(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, rich_text=True, keep_links=True)


def _style(cell) -> tuple:
    # repr: openpyxl's style proxies do not compare equal to each other
    return (repr(cell.font), repr(cell.fill), repr(cell.border), repr(cell.alignment), cell.number_format,
            repr(cell.protection), bool(cell.quotePrefix))


def _comment(cell) -> tuple | None:
    c = cell.comment
    return None if c is None else (c.text, c.author)


def _link(cell) -> str | None:
    h = cell.hyperlink
    return None if h is None else (h.target or h.location)


def _dv(ws: Worksheet) -> list[tuple]:
    out = []
    for dv in ws.data_validations.dataValidation:
        out.append((str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2, dv.allow_blank,
                    dv.showErrorMessage, dv.error, dv.prompt))
    return sorted(out, key=repr)


def _cf(ws: Worksheet) -> list[tuple]:
    out = []
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            out.append((str(rng.sqref), rule.type, rule.operator, tuple(rule.formula or ()), rule.priority,
                        repr(rule.dxf.fill) if rule.dxf else None))
    return sorted(out, key=repr)


def _names(wb: openpyxl.Workbook) -> dict[str, str]:
    out = {f"wb:{k}": v.attr_text for k, v in wb.defined_names.items()}
    for ws in wb.worksheets:
        out.update({f"{ws.title}:{k}": v.attr_text for k, v in ws.defined_names.items()})
    return out


def _sheet_diffs(a: Worksheet, b: Worksheet, skip_cols: set[int]) -> list[str]:
    name = a.title
    diffs: list[str] = []
    keys = set(a._cells) | set(b._cells)
    for r, c in sorted(keys):
        if c in skip_cols:
            continue
        ca, cb = a.cell(row=r, column=c), b.cell(row=r, column=c)
        ref = f"{name}!{ca.coordinate}"
        if ca.value != cb.value or ca.data_type != cb.data_type:
            diffs.append(f"{ref} value {ca.value!r}/{ca.data_type} → {cb.value!r}/{cb.data_type}")
        if _style(ca) != _style(cb):
            diffs.append(f"{ref} style differs")
        if _comment(ca) != _comment(cb):
            diffs.append(f"{ref} comment {_comment(ca)!r} → {_comment(cb)!r}")
        if _link(ca) != _link(cb):
            diffs.append(f"{ref} hyperlink {_link(ca)!r} → {_link(cb)!r}")

    def user_range(rng) -> bool:
        return not all(col in skip_cols for col in range(rng.min_col, rng.max_col + 1))

    ma = sorted(str(m) for m in a.merged_cells.ranges if user_range(m))
    mb = sorted(str(m) for m in b.merged_cells.ranges if user_range(m))
    if ma != mb:
        diffs.append(f"{name} merged {set(ma) ^ set(mb)}")
    letters = set(a.column_dimensions) | set(b.column_dimensions)
    for letter in sorted(letters):
        if column_index_from_string(letter) in skip_cols:
            continue
        da, db = a.column_dimensions[letter], b.column_dimensions[letter]
        if (da.width, da.hidden, da.outlineLevel) != (db.width, db.hidden, db.outlineLevel):
            diffs.append(f"{name} column {letter} width/hidden "
                         f"{da.width},{da.hidden} → {db.width},{db.hidden}")
    for r in sorted(set(a.row_dimensions) | set(b.row_dimensions)):
        ra, rb = a.row_dimensions[r], b.row_dimensions[r]
        if (ra.height, ra.hidden) != (rb.height, rb.hidden):
            diffs.append(f"{name} row {r} height/hidden {ra.height},{ra.hidden} → {rb.height},{rb.hidden}")
    checks = {
        "data validation": (_dv(a), _dv(b)),
        "conditional formatting": (_cf(a), _cf(b)),
        "freeze panes": (a.freeze_panes, b.freeze_panes),
        "auto filter": (a.auto_filter.ref, b.auto_filter.ref),
        "print area": (a.print_area, b.print_area),
        "print titles": (a.print_title_rows, b.print_title_rows),
        "orientation": (a.page_setup.orientation, b.page_setup.orientation),
        "sheet state": (a.sheet_state, b.sheet_state),
        "tab color": (repr(a.sheet_properties.tabColor), repr(b.sheet_properties.tabColor)),
        "tables": (sorted((t.name, t.ref) for t in a.tables.values()),
                   sorted((t.name, t.ref) for t in b.tables.values())),
    }
    for what, (x, y) in checks.items():
        if x != y:
            diffs.append(f"{name} {what} {x!r} → {y!r}")
    return diffs


def differences(before: Path, after: Path, skip_sheets: Iterable[str] = (),
                skip_columns: Mapping[str, Iterable[str]] | None = None) -> list[str]:
    """Every difference between the user's content of ``before`` and ``after``.

    ``skip_sheets``: keyproject's sheet names (present in ``after`` only). ``skip_columns``: per
    sheet, the letters of keyproject's columns.
    """
    wa, wb = _load(before), _load(after)
    skip = set(skip_sheets)
    diffs: list[str] = []
    user_a = [s for s in wa.sheetnames if s not in skip]
    user_b = [s for s in wb.sheetnames if s not in skip]
    if user_a != user_b:
        diffs.append(f"sheets {user_a} → {user_b}")
    if wb.sheetnames[: len(user_a)] != user_a:
        diffs.append(f"sheet order {wa.sheetnames} → {wb.sheetnames}")
    na, nb = _names(wa), _names(wb)
    na = {k: v for k, v in na.items() if k.split(":")[0] not in skip}
    nb = {k: v for k, v in nb.items() if k.split(":")[0] not in skip}
    if na != nb:
        diffs.append(f"defined names {na} → {nb}")
    for title in user_a:
        if title not in wb.sheetnames:
            continue
        cols = {column_index_from_string(x) for x in (skip_columns or {}).get(title, ())}
        diffs.extend(_sheet_diffs(wa[title], wb[title], cols))
    return diffs


def cell_grid(path: Path, sheet: str) -> list[tuple]:
    """(coordinate, value, data_type, number_format) of every non-empty cell, for equality checks."""
    ws = _load(path)[sheet]
    return [(c.coordinate, c.value, c.data_type, c.number_format, c.fill.fgColor.rgb)
            for row in ws.iter_rows() for c in row if c.value is not None]


def workbook_content(path: Path) -> dict[str, list[tuple]]:
    """Everything visible in every sheet, for comparing two refreshes."""
    wb = _load(path)
    out = {"__sheets__": [tuple(wb.sheetnames)]}
    for ws in wb.worksheets:
        out[ws.title] = [
            *((c.coordinate, c.value, c.data_type, c.number_format, repr(c.font), repr(c.fill))
              for row in ws.iter_rows() for c in row if c.value is not None or c.has_style),
            ("merged", tuple(sorted(str(m) for m in ws.merged_cells.ranges))),
            ("widths", tuple(sorted((k, v.width) for k, v in ws.column_dimensions.items()))),
            ("freeze", ws.freeze_panes),
        ]
    return out


__all__ = ["cell_grid", "differences", "get_column_letter", "workbook_content"]


# -- the package, part by part -------------------------------------------------------------------------
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_KP_PROPERTIES = {"keyproject.sheets", "keyproject.columns", "keyproject.period", "keyproject.conditional",
                  "keyproject.settings"}


def zip_parts(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None, f"{path}: a zip entry fails its CRC"
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _xml(data: bytes):
    from lxml import etree

    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def _c14n(el) -> bytes:
    from lxml import etree

    return etree.tostring(el, method="c14n")


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """{sheet name: zip entry of its part}."""
    import posixpath

    wb = _xml(parts["xl/workbook.xml"])
    rels = _xml(parts["xl/_rels/workbook.xml.rels"])
    targets = {}
    for rel in rels:
        t = rel.get("Target") or ""
        targets[rel.get("Id")] = t.lstrip("/") if t.startswith("/") else posixpath.normpath("xl/" + t)
    return {s.get("name"): targets.get(s.get(_R_ID)) for s in wb.iter() if _local(s.tag) == "sheet"}


def _conditional_marks(parts: dict[str, bytes]) -> dict[str, set[str]]:
    """{sheet: ranges} of keyproject's conditional formats, as its custom property records them."""
    import json

    data = parts.get("docProps/custom.xml")
    if data is None:
        return {}
    for p in _xml(data):
        if p.get("name") == "keyproject.conditional":
            return {k: set(v) for k, v in json.loads("".join(p.itertext())).items()}
    return {}


def _strip_owned_cells(root, owned: set[int], conditional: set[str] = frozenset()) -> None:
    """Remove keyproject's columns from a worksheet tree: cells, merges, col widths, spans, dimension,
    and its conditional formats (``conditional``: their ranges)."""
    from keyproject.package.cells import parse_range, split_ref

    for el in list(root):
        if _local(el.tag) == "conditionalFormatting" and el.get("sqref") in conditional:
            root.remove(el)
    for el in list(root.iter()):
        name = _local(el.tag)
        if name == "c" and el.get("r") and split_ref(el.get("r"))[1] in owned:
            el.getparent().remove(el)
        elif name == "mergeCell":
            _, c0, _, c1 = parse_range(el.get("ref"))
            if all(c in owned for c in range(c0, c1 + 1)):
                el.getparent().remove(el)
        elif name in ("dimension", "cols"):
            el.getparent().remove(el)
        elif name == "row" and "spans" in el.attrib:
            del el.attrib["spans"]
        elif name == "mergeCells":
            el.attrib.pop("count", None)
    for el in list(root.iter()):
        if _local(el.tag) == "mergeCells" and len(el) == 0:
            el.getparent().remove(el)


def _columns(root, owned: set[int]) -> dict[int, tuple]:
    """Each user column's width/style/hidden/outline from <cols>, column by column."""
    out: dict[int, tuple] = {}
    for el in root.iter():
        if _local(el.tag) == "col":
            for c in range(int(el.get("min")), min(int(el.get("max")), 16384) + 1):
                if c not in owned:
                    out[c] = tuple(sorted((k, v) for k, v in el.attrib.items() if k not in ("min", "max")))
    return out


def _sheet_xml_differences(name: str, a: bytes, b: bytes, owned: set[int],
                           conditional: tuple[set[str], set[str]] = (set(), set())) -> list[str]:
    ta, tb = _xml(a), _xml(b)
    diffs = []
    if _columns(ta, owned) != _columns(tb, owned):
        diffs.append(f"{name}: user column widths/styles changed")
    _strip_owned_cells(ta, owned, conditional[0])
    _strip_owned_cells(tb, owned, conditional[1])
    if _c14n(ta) != _c14n(tb):
        xa, xb = _c14n(ta), _c14n(tb)
        i = next(i for i in range(min(len(xa), len(xb))) if xa[i] != xb[i]) if xa[:len(xb)] != xb[:len(xa)] \
            else min(len(xa), len(xb))
        diffs.append(f"{name}: sheet XML differs outside keyproject's columns near "
                     f"{xa[max(0, i - 80):i + 80]!r} / {xb[max(0, i - 80):i + 80]!r}")
    return diffs


def _settings_differences(name: str, a: bytes, b: bytes, rows: set[int]) -> list[str]:
    """The 设置 sheet: only cells of the rows keyproject added (and the dimension) may differ."""
    from keyproject.package.cells import split_ref

    trees = []
    for data in (a, b):
        t = _xml(data)
        for el in list(t.iter()):
            if _local(el.tag) == "c" and el.get("r") and split_ref(el.get("r"))[0] in rows:
                el.getparent().remove(el)
        for el in list(t.iter()):
            empty_row = _local(el.tag) == "row" and int(el.get("r") or 0) in rows and len(el) == 0
            if empty_row or _local(el.tag) == "dimension":
                el.getparent().remove(el)
        trees.append(_c14n(t))
    return [] if trees[0] == trees[1] else [f"{name}: the 设置 sheet changed beyond keyproject's rows"]


def _workbook_differences(a: bytes, b: bytes, ours: set[str]) -> list[str]:
    ta, tb = _xml(a), _xml(b)
    sheets_b = [s for s in tb.iter() if _local(s.tag) == "sheet"]
    ours_index = {str(i) for i, s in enumerate(sheets_b) if s.get("name") in ours}
    for s in sheets_b:
        if s.get("name") in ours:
            s.getparent().remove(s)
    for dn in [d for d in tb.iter() if _local(d.tag) == "definedName"]:
        if dn.get("localSheetId") in ours_index:
            dn.getparent().remove(dn)
    had_calc = any(_local(c.tag) == "calcPr" for c in ta)
    for t in (ta, tb):
        for c in list(t):
            if _local(c.tag) == "calcPr":
                c.attrib.pop("fullCalcOnLoad", None)
                if t is tb and not had_calc:
                    t.remove(c)
            if _local(c.tag) == "definedNames" and len(c) == 0:
                t.remove(c)
    return [] if _c14n(ta) == _c14n(tb) else ["xl/workbook.xml differs beyond keyproject's sheets, names "
                                              "and fullCalcOnLoad"]


def _entries(data: bytes, tag: str, key: tuple[str, ...]) -> set[tuple]:
    return {tuple(el.get(k) for k in key) for el in _xml(data).iter() if _local(el.tag) == tag}


def _styles_differences(a: bytes, b: bytes) -> list[str]:
    ta, tb = _xml(a), _xml(b)
    diffs = []
    for ca in ta:
        name = _local(ca.tag)
        cb = next((c for c in tb if _local(c.tag) == name), None)
        if cb is None:
            diffs.append(f"styles.xml: {name} gone")
            continue
        items_a, items_b = [_c14n(x) for x in ca], [_c14n(x) for x in cb]
        if items_b[:len(items_a)] != items_a:
            diffs.append(f"styles.xml: existing {name} entries renumbered or changed")
    return diffs


def package_differences(before: Path, after: Path, result) -> list[str]:
    """Everything keyproject changed that is not its own, part by part (empty: nothing).

    Every zip entry of ``before`` is in ``after`` byte for byte, except: the project sheets (only
    keyproject's columns, its conditional formats as its marks record them, and the dimension may
    differ), ``xl/workbook.xml`` (keyproject's sheets,
    their print titles, full recalculation), the relationship and content-type parts (entries only
    added), ``docProps/custom.xml`` (keyproject's properties only), ``xl/styles.xml`` (entries
    only appended: cell formats, dxfs) and ``xl/calcChain.xml``. New entries are keyproject's sheets (and
    ``docProps/custom.xml``)."""
    a, b = zip_parts(before), zip_parts(after)
    cf_a, cf_b = _conditional_marks(a), _conditional_marks(b)
    ours = set(result.sheets.values())
    sheets_a, sheets_b = _sheet_parts(a), _sheet_parts(b)
    live = getattr(result, "live", None)
    settings_part, settings_rows = None, set()
    if live is not None and live.settings_added:  # the 设置 rows (or sheet) a live refresh added
        if live.settings_created:
            ours.add(live.settings_sheet)
        else:
            settings_part, settings_rows = sheets_a[live.settings_sheet], set(live.settings_added.values())
    own_parts = {sheets_b[s] for s in ours if s in sheets_b}
    project_parts = {sheets_a[s]: s for s in result.sheet_columns if s in sheets_a}
    diffs: list[str] = []
    for name, data in a.items():
        if name not in b:
            if name not in own_parts:
                diffs.append(f"{name}: gone")
            continue
        if b[name] == data or name in own_parts:
            continue
        if name in project_parts:
            from keyproject.package.cells import column_index

            sheet = project_parts[name]
            owned = {column_index(x) for x in result.sheet_columns[sheet].values()}
            diffs += _sheet_xml_differences(name, data, b[name], owned,
                                            (cf_a.get(sheet, set()), cf_b.get(sheet, set())))
        elif name == settings_part:
            diffs += _settings_differences(name, data, b[name], settings_rows)
        elif name == "xl/workbook.xml":
            diffs += _workbook_differences(data, b[name], ours)
        elif name.endswith(".rels"):
            if not _entries(data, "Relationship", ("Id", "Type", "Target")) <= \
                    _entries(b[name], "Relationship", ("Id", "Type", "Target")):
                diffs.append(f"{name}: relationships removed or changed")
        elif name == "[Content_Types].xml":
            for tag, key in (("Override", ("PartName", "ContentType")),
                             ("Default", ("Extension", "ContentType"))):
                if not _entries(data, tag, key) <= _entries(b[name], tag, key):
                    diffs.append(f"{name}: {tag} entries removed or changed")
        elif name == "docProps/custom.xml":
            def props(d: bytes) -> dict[str, bytes]:
                return {p.get("name"): _c14n(p) for p in _xml(d) if p.get("name") not in _KP_PROPERTIES}

            if props(data) != props(b[name]):
                diffs.append(f"{name}: the user's custom properties changed")
        elif name == "xl/styles.xml":
            diffs += _styles_differences(data, b[name])
        elif name == "xl/calcChain.xml":
            continue
        else:
            diffs.append(f"{name}: changed")
    for name in b:
        if name not in a and name not in own_parts and name != "docProps/custom.xml":
            diffs.append(f"{name}: new part that is not keyproject's")
    return diffs
