"""LedgerPage: a planning page on the office's own ledger, with a file picker to switch ledgers.

``kp app 台账.xlsx`` hands the ledger to the pages (``KP_LEDGER``, see ``workbook_path``); in the
browser a leader can pick another one. An upload is read as the CLI reads a file
(``keyproject.uploads``: a private temporary file, the ``safety`` checks, ``read_ledger``), and a
file that cannot be read, or a ledger the page cannot plan with, shows the same Chinese message
``kp`` prints while the page keeps the ledger it had.
"""

from __future__ import annotations

import html
import os
import shutil
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets

from keyproject import formats
from keyproject.errors import KPError
from keyproject.ledger import Ledger
from keyproject.uploads import private_folder, read_upload

LEDGER_ENV = "KP_LEDGER"  # the ledger ``kp app`` opens the pages on
ACCEPT = ".xlsx,.xlsm,.xls,.et"  # what read_ledger reads (WPS .et too)


def workbook_path(default: str | Path) -> str:
    """The ledger the page opens: the one ``kp app 台账.xlsx`` was given, else ``default``."""
    return os.environ.get(LEDGER_ENV) or str(default)


def ledger_summary(ledger: Ledger, name: str) -> str:
    """What the page says about the ledger it shows: file, period, projects and totals (万元)."""
    p = ledger.projects
    period = ""
    if ledger.report_year and ledger.report_month:
        m = int(ledger.report_month)
        period = f"{ledger.report_year}年{'1月' if m == 1 else f'1-{m}月'}，"
    plan = float(p["annual_plan"].sum(skipna=True)) if "annual_plan" in p.columns else 0.0
    done = float(p["ytd_completed"].sum(skipna=True)) if "ytd_completed" in p.columns else 0.0
    errors = len(ledger.errors)
    note = f"；读取时发现{errors}处错误，可用 kp inspect 查看" if errors else ""
    return (f"<div class='kp-ledger'>当前台账：<b class='kp-ledger-name'>{html.escape(name)}</b>"
            f"<span class='kp-ledger-totals'>（{period}{len(p)}个项目，年度计划投资"
            f"{formats.wan(plan)}万元，累计完成投资{formats.wan(done)}万元）</span>{html.escape(note)}</div>")


class LedgerPage(widgets.VBox):
    """A file picker, a line about the ledger shown, and the page's widget built from the ledger."""

    ledger = traitlets.Instance(Ledger, allow_none=True)
    ledger_name = traitlets.Unicode("")  # the file the ledger came from, as the user named it
    error = traitlets.Unicode("")  # the Chinese message of the last refused file, "" when none

    def __init__(self, workbook: str | Path | Ledger | None, build: Callable[[Ledger], widgets.Widget],
                 **kwargs: Any) -> None:
        self.build = build
        self.content: widgets.Widget | None = None
        self._folder = private_folder()
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, True)
        self.picker = widgets.FileUpload(accept=ACCEPT, multiple=False, description="打开台账",
                                         tooltip="选择本单位的台账工作簿（.xlsx/.xlsm/.xls/.et，不超过50MB）",
                                         layout={"width": "auto"})
        self.status = widgets.HTML()
        self.message = widgets.HTML()
        self.holder = widgets.VBox()
        hint = widgets.HTML("<span style='color:#555'>选择本单位的台账工作簿（.xlsx/.xlsm/.xls/WPS .et），"
                            "页面即按该台账重新测算；文件只在本机处理。</span>")
        super().__init__(children=[widgets.HBox([self.picker, hint]), self.status, self.message, self.holder],
                         **kwargs)
        self.picker.observe(self._on_upload, names="value")
        if isinstance(workbook, Ledger):
            self.show_ledger(workbook, workbook.path.name if workbook.path else "")
        elif workbook is not None:
            self.open_path(workbook)

    # -- sources ---------------------------------------------------------------------------------
    def open_path(self, path: str | Path) -> bool:
        """Show the ledger in ``path``; False (and ``error`` set) when it cannot be shown."""
        from keyproject.reader import read_ledger

        try:
            ledger = read_ledger(Path(path))
        except KPError as exc:
            return self._refuse(exc)
        return self.show_ledger(ledger, Path(path).name)

    def upload(self, name: str, data: bytes) -> bool:
        """Show the ledger in uploaded bytes (what the picker calls); False when refused."""
        previous = self.ledger.path if self.ledger is not None else None
        try:
            ledger = read_upload(name, data, self._folder)
        except KPError as exc:
            return self._refuse(exc)
        if not self.show_ledger(ledger, name):
            if ledger.path is not None:
                ledger.path.unlink(missing_ok=True)
            return False
        if previous is not None and previous.parent == self._folder and previous != ledger.path:
            previous.unlink(missing_ok=True)  # the ledger it replaced was an upload too
        return True

    def show_ledger(self, ledger: Ledger, name: str) -> bool:
        """Build the page's widget from ``ledger``; keep the old one when that fails."""
        try:
            content = self.build(ledger)
        except KPError as exc:
            return self._refuse(exc, name)
        old, self.content = self.content, content
        self.holder.children = (content,)
        if old is not None:
            old.close()  # a countdown stops ticking
        self.ledger, self.ledger_name, self.error = ledger, name, ""
        self.status.value = ledger_summary(ledger, name)
        self.message.value = ""
        return True

    def close(self) -> None:
        if self.content is not None:
            self.content.close()
        self._cleanup()
        super().close()

    # -- internals -------------------------------------------------------------------------------
    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"] or ()
        if not files:
            return
        f = files[0]
        name, data = str(f["name"]), bytes(f["content"])
        self.picker.value = ()  # the bytes are not kept in the widget (nor sent back to the browser)
        self.upload(name, data)

    def _refuse(self, exc: KPError, name: str | None = None) -> bool:
        text = str(exc)
        if name and exc.file is None:
            text = f"文件“{name}”：{text}"
        self.error = text
        keep = "，页面仍显示原来的台账" if self.ledger is not None else ""
        self.message.value = (f"<div class='kp-ledger-error' style='color:#c00'>无法打开：{html.escape(text)}"
                              f"{keep}。</div>")
        return False


__all__ = ["ACCEPT", "LEDGER_ENV", "LedgerPage", "ledger_summary", "workbook_path"]
