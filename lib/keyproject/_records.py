"""JSON-safe rows and dicts: floats rounded (gaps 2 decimals, rates and the rest 4), NaN → None."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd


def _digits(key: str) -> int:
    return 2 if "gap" in key else 4


def _round_value(key: str, v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else round(float(v), _digits(key))
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def round_dict(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _round_value(k, v) for k, v in d.items()}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: floats rounded (gaps 2 decimals, others 4), NaN/NA → None, dates → ISO."""
    if frame is None or frame.empty:
        return []
    cols: dict[str, list[Any]] = {}
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_float_dtype(s.dtype):
            arr = np.round(s.to_numpy(dtype="float64", na_value=np.nan), _digits(str(c)))
            cols[c] = [None if x != x else x for x in arr.tolist()]
        elif pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            cols[c] = s.astype(object).where(s.notna(), None).tolist()
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            text = s.dt.strftime("%Y-%m-%d").where(s.notna(), None)
            cols[c] = [None if x is None or x != x else x for x in text]
        else:
            cols[c] = [None if (x is None or x is pd.NA or (isinstance(x, float) and x != x)) else x
                       for x in s.tolist()]
    keys = list(cols)
    return [dict(zip(keys, row, strict=True)) for row in zip(*cols.values(), strict=True)]
