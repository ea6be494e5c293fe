"""Which rows of a table are records.

Rows that are not projects are skipped without complaint: totals (合计, 小计, "其中：工业项目"),
section headings ("一、工业项目", "（一）续建项目"), notes and signatures under the table (填报人：,
注：), the header repeated for a printed page. A row with amounts but no name is not read, with a
warning.

Parent and sub rows: an 打包项目 (a package, "XX等5个项目", a row followed by a bare "其中：" row)
is followed by its sub-projects, as "其中：A项目" rows, as rows numbered "3.1", "3.2" under the 序号
"3", or as the rows after a bare "其中：" row. They are never counted twice: when the package row has
amounts of its own it is the project and its sub rows are not read (said as information); when it has
none it is a heading and its sub rows are the projects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keyproject.reader.headers import norm

TOTAL = re.compile(  # no project is called 合计: anywhere in the label ("全县总计（60个）")
    r"合计|总计|小计|共计|^(?:累计|汇总)|汇总[:：]?$|^其中")
GRAND_TOTAL = re.compile(r"^(?:.{0,6})(?:合计|总计)(?:[(（].*[)）])?$")  # not 小计, not 其中
SECTION = re.compile(
    r"^[一二三四五六七八九十]+[、.]|^[(][一二三四五六七八九十\d]+[)]|^第[一二三四五六七八九十\d]+(?:部分|类|批|组)"
    r"|^.{1,15}(?:项目|类)[(（]\d+个[)）]$")
NOTE = re.compile(
    r"^(?:填报人|填报单位|填表人|填表单位|填报日期|审核人|审核|审批人|制表人|制表|制表单位|负责人|单位负责人|分管领导|联系人"
    r"|联系电话|电话|报送单位|报送日期|数据来源)[:：]|^(?:注|备注|说明|附注)\d*[:：、.]")
_ANY_SPECIAL = re.compile(f"{TOTAL.pattern}|{SECTION.pattern}|{NOTE.pattern}")
PACKAGE = re.compile(r"打包|捆绑|统筹推进|等\d+个(?:子)?项目|\d+个子项目|（含\d+个项目）|\(含\d+个项目\)")
PACKAGE_OR_QIZHONG = re.compile(PACKAGE.pattern + "|其中")
_BARE_QIZHONG = re.compile(r"^其中[:：]?$")
_SUB_NAME = re.compile(r"^其中[:：](.{2,})$")
SUB_SEQ = re.compile(r"^(\d+)[.．\-－—_](\d+)$")
_PLAIN_SEQ = re.compile(r"^\d+$")
# "其中：工业项目" / "其中：续建项目" / "其中：省重点" are subtotals by kind, never sub-projects
_KIND_WORDS = re.compile(
    r"^(?:工业|产业|基础设施|社会民生|民生|服务业|现代服务业|农业|文旅|交通|水利|能源|城建|社会事业|新建|续建|"
    r"省重点|市重点|县重点|省级|市级|县级|重点|前期|在建|竣工|新开工|中央预算内|专项债券?)(?:项目|类|类项目)?$")


def classify(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(total/section row, note/signature row) per normalised text; one regex pass, the few hits
    re-checked."""
    skip = np.zeros(len(texts), dtype=bool)
    note = np.zeros(len(texts), dtype=bool)
    values = texts.tolist()
    search = _ANY_SPECIAL.search
    for i in [i for i, t in enumerate(values) if search(t)]:
        t = values[i]
        note[i] = bool(NOTE.search(t))
        skip[i] = not note[i] and bool(TOTAL.search(t) or SECTION.search(t))
    return skip, note


@dataclass
class Packages:
    """Sub rows found under package rows (0-based positions into the data rows)."""

    not_read: list[int] = field(default_factory=list)  # sub rows of packages that carry amounts
    now_read: list[int] = field(default_factory=list)  # sub rows read as the projects ("其中：" stripped)
    headings: list[int] = field(default_factory=list)  # package rows without amounts: not projects
    groups: list[tuple[int, list[int], bool]] = field(default_factory=list)  # (package, subs, has amounts)


def packages(labels: list[str], names: list[str | None], seqs: list[str | None], kept: np.ndarray,
             has_amount: np.ndarray, skip_label: np.ndarray) -> Packages:
    """Find package rows and their sub rows (see the module docstring).

    ``labels``: the normalised first text of each row; ``names``/``seqs``: the name and 序号 cells
    (normalised, None when empty); ``kept``: rows read as projects so far; ``has_amount``: rows with a
    number in an amount column; ``skip_label``: rows classified as totals/sections.
    """
    out = Packages()
    n = len(labels)
    i = 0
    while i < n:
        name = names[i]
        if not kept[i] or name is None:
            i += 1
            continue
        j = i + 1
        subs: list[int] = []
        bare = j < n and bool(_BARE_QIZHONG.match(labels[j] or "")) and names[j] is None
        is_package = bool(PACKAGE.search(name)) or bare
        seq = seqs[i]
        if bare:
            j += 1
            while j < n and names[j] is not None and not (seqs[j] and _PLAIN_SEQ.match(seqs[j] or "")) \
                    and not (skip_label[j] and not _SUB_NAME.match(names[j] or "")):
                subs.append(j)
                j += 1
        else:
            while j < n and names[j] is not None:
                sub_seq = SUB_SEQ.match(seqs[j] or "")
                sub_name = _SUB_NAME.match(names[j] or "")
                numbered = sub_seq is not None and seq is not None and sub_seq.group(1) == seq
                named = is_package and sub_name is not None and not _KIND_WORDS.match(sub_name.group(1))
                if numbered or named:
                    subs.append(j)
                else:
                    break
                j += 1
        if subs and (is_package or (seq and any(SUB_SEQ.match(seqs[k] or "") for k in subs))):
            own = bool(has_amount[i])
            out.groups.append((i, subs, own))
            if own:
                out.not_read.extend(subs)
            else:
                out.headings.append(i)
                out.now_read.extend(subs)
            i = j
            continue
        i += 1
    return out


def sub_name(name: str) -> str:
    """"其中：A项目" → "A项目" (a sub-project read as a project keeps its own name)."""
    m = _SUB_NAME.match(norm(name))
    return name.split("：", 1)[-1].split(":", 1)[-1].strip() if m else name
