"""Planning widgets for Jupyter and Voilà (ipywidgets 8): the only part of keyproject that imports
ipywidgets. The numbers come from the library (``keyproject.engine.scenario``, ``keyproject.engine.sprint``,
``keyproject.engine.battlemap``); the widgets hold the controls and show the results. ``LedgerPage`` puts
any of them on the office's own ledger, with a file picker to switch ledgers in the browser.
"""

from __future__ import annotations

from keyproject.widgets.battle_map import BattleMap
from keyproject.widgets.ledger_page import LedgerPage, workbook_path
from keyproject.widgets.scenario_planner import ScenarioPlanner
from keyproject.widgets.sprint_countdown import SprintCountdown

__all__ = ["BattleMap", "LedgerPage", "ScenarioPlanner", "SprintCountdown", "workbook_path"]
