"""Normalised project names and codes: how one project is recognised across workbooks.

Units type the same project name with full-width letters, stray spaces, other brackets or
Traditional characters; a code may carry spaces or lower-case letters. Matching and history keys
compare these normalised forms, never the raw text.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from keyproject.t2s import to_simplified

# after NFKC full-width （） are already (); these are the brackets NFKC leaves alone
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "［": "(",
                           "］": ")", "{": "(", "}": ")", "<": "(", ">": ")", "《": "(", "》": ")",
                           "〈": "(", "〉": ")", "“": "", "”": "", '"': "", "‘": "", "’": "", "'": ""})
_SPACE = re.compile(r"\s+")


def normalise_name(text: object) -> str | None:
    """The matching form of a project name: NFKC, no spaces, one kind of bracket, Simplified."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACE.sub("", s).translate(_BRACKETS).lower()
    if not s:
        return None
    return to_simplified(s)


_BRACKETED = re.compile(r"\([^()]*\)")


def without_brackets(names: pd.Series) -> pd.Series:
    """Normalised names with bracketed parts removed: "县城污水管网工程(2023年)" → "县城污水管网工程"."""
    out = names.astype(object).where(names.notna(), None)
    mask = out.notna()
    out[mask] = [_BRACKETED.sub("", n) or None for n in out[mask]]
    return out


def normalise_code(text: object) -> str | None:
    """The matching form of a project code: NFKC, no spaces, upper case."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    s = _SPACE.sub("", unicodedata.normalize("NFKC", str(text))).upper()
    return s or None


_SEP = "\x1f"  # unit separator: joins a column into one string so OpenCC runs once


def normalise_names(values: pd.Series) -> pd.Series:
    """``normalise_name`` over a column (object dtype, None where missing), one conversion call."""
    mask = values.notna()
    out = pd.Series(None, index=values.index, dtype=object)
    if not mask.any():
        return out
    text = values[mask].astype(str).str.replace(_SEP, "", regex=False)
    joined = unicodedata.normalize("NFKC", _SEP.join(text))
    joined = re.sub(r"[^\S\x1f]+", "", joined).translate(_BRACKETS).lower()
    parts = to_simplified(joined).split(_SEP)
    out[mask] = [p or None for p in parts]
    return out


def normalise_codes(values: pd.Series) -> pd.Series:
    """``normalise_code`` over a column (object dtype, None where missing)."""
    return pd.Series([normalise_code(v) for v in values], index=values.index, dtype=object)


def project_keys(code: pd.Series, name: pd.Series) -> pd.Series:
    """A stable key per project: ``编号:<code>`` when there is a code, else ``名称:<normalised name>``.

    Repeats within one frame get ``#2``, ``#3`` … in order, so every row has its own key.
    """
    codes = normalise_codes(code)
    names = normalise_names(name)
    fallback = pd.Series(["行:" + str(i) for i in range(len(code))], index=code.index, dtype=object)
    keys = ("编号:" + codes).where(codes.notna(), ("名称:" + names).where(names.notna(), fallback))
    n = keys.groupby(keys).cumcount()
    return keys.where(n == 0, keys + "#" + (n + 1).astype(str))
