"""The engine: ``Ledger`` → ``Report`` and the plans built on it, with one context.

Pure computations over the reader's frames, taking the date, rules and calendar as arguments
(``engine.context`` resolves them once for every door; the clock is read only there, for the doors):
``progress`` (序时进度, gaps), ``lights``, ``stages``, ``ranking``, ``problems``, ``report``,
``reporting`` (本期报送), ``comparison`` (环比/同比), ``period_text``, ``sprint``, ``backplan``,
``scenario``, ``battlemap``, with ``rules`` and ``calendar``; ``history`` keeps each refresh's
snapshot. The old ``keyproject.<module>`` names still import (each is an alias of the module here).
"""
