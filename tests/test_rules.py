"""Rules: defaults, presets, TOML and 设置 loading, labels."""

from pathlib import Path

import pytest

from keyproject.engine.rules import SETTINGS, Rules, band_label, preset_names, settings_doc
from keyproject.errors import KPError


def test_defaults_are_the_issue_rules() -> None:
    r = Rules()
    assert (r.basis, r.green_gap, r.red_gap, r.start_red_months) == ("month", -10.0, -30.0, 3)
    assert (r.double_half_month, r.double_half_rate) == (6, 0.5)
    assert (r.red_list_size, r.black_list_size) == (3, 3)
    assert r.size_band_labels == ("≥3000万", "≥5000万", "≥1亿", "≥5亿", "≥10亿")
    assert dict(r.staged_targets) == {9: 0.75, 12: 1.0}


def test_light_labels_default_and_zhaoqing() -> None:
    assert [Rules().light_label(x) for x in ("green", "yellow", "red", None)] == ["绿", "黄", "红", ""]
    zq = Rules.preset("zhaoqing")
    assert [zq.light_label(x) for x in ("green", "yellow", "red")] == ["蓝", "黄", "红"]
    # same meaning: only the names differ
    assert (zq.green_gap, zq.red_gap, zq.start_red_months) == (-10.0, -30.0, 3)
    with pytest.raises(KPError, match="未知的灯号"):
        zq.light_label("blue")


def test_presets_ship_as_toml_and_default_preset_is_the_defaults() -> None:
    assert {"default", "zhaoqing"} <= set(preset_names())
    assert Rules.preset("default") == Rules()
    with pytest.raises(KPError, match="没有名为“nope”的规则预设"):
        Rules.preset("nope")


def test_band_label() -> None:
    assert band_label(3000) == "≥3000万"
    assert band_label(5000) == "≥5000万"
    assert band_label(10000) == "≥1亿"
    assert band_label(5000.0 * 1) == "≥5000万"
    assert band_label(15000) == "≥1.5亿"


def test_staged_target_lookup() -> None:
    r = Rules()
    assert r.staged_target(7) == (9, 0.75)
    assert r.staged_target(9) == (9, 0.75)
    assert r.staged_target(10) == (12, 1.0)


def _toml(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "rules.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_from_toml_english_and_chinese_keys(tmp_path: Path) -> None:
    p = _toml(tmp_path, 'green_gap = -15\n"红灯差距" = -35\nbasis = "day"\nsize_bands = [5000, "1亿"]\n'
                        'staged_targets = { 9 = "80%", 12 = 1.0 }\nlight_names = ["蓝", "黄", "红"]\n')
    r = Rules.from_toml(p)
    assert (r.green_gap, r.red_gap, r.basis) == (-15.0, -35.0, "day")
    assert r.size_bands == (5000.0, 10000.0)
    assert r.staged_targets == ((9, 0.8), (12, 1.0))
    assert r.light_label("green") == "蓝"


def test_from_toml_preset_then_overrides(tmp_path: Path) -> None:
    r = Rules.from_toml(_toml(tmp_path, 'preset = "zhaoqing"\nred_list_size = 5\n'))
    assert r.light_names == ("蓝", "黄", "红") and r.red_list_size == 5


def test_from_toml_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(KPError, match="未知的规则设置项“yellow_gapp”") as exc:
        Rules.from_toml(_toml(tmp_path, "yellow_gapp = -10\n"))
    assert "rules.toml" in str(exc.value)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('green_gap = "abc"\n', "黄灯差距"),
        ("red_list_size = 2.5\n", "红榜数量"),
        ("green_gap = -30\nred_gap = -10\n", "红灯差距"),  # red above yellow: the sign mistake
        ('basis = "week"\n', "序时口径"),
        ("double_half_rate = 50\n", "双过半完成率"),
        ('light_names = ["蓝", "红"]\n', "灯号名称"),
        ("size_bands = [5000, 3000]\n", "规模档次"),
        ("green_gap = \n", "TOML"),
    ],
)
def test_from_toml_bad_values(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(KPError, match=match):
        Rules.from_toml(_toml(tmp_path, text))


def test_from_toml_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KPError, match="规则文件不存在"):
        Rules.from_toml(tmp_path / "none.toml")


def test_from_settings_sheet_rows() -> None:
    r = Rules.from_settings({
        "黄灯差距": "-15", "红灯差距": "落后35个百分点", "开工滞后红灯月数": "2个月", "红榜数量": 5,
        "黑榜数量": "2", "序时进度口径": "按日", "双过半完成率": "50%", "阶段目标": "9月:75%，12月:100%",
        "灯号名称": "蓝/黄/红", "规模档次": "3000,1亿", "红黑榜分组": "乡镇", "问题临期天数": "10天",
    })
    assert (r.green_gap, r.red_gap, r.start_red_months) == (-15.0, -35.0, 2)
    assert (r.red_list_size, r.black_list_size, r.basis) == (5, 2, "day")
    assert r.double_half_rate == 0.5
    assert r.staged_targets == ((9, 0.75), (12, 1.0))
    assert r.light_names == ("蓝", "黄", "红")
    assert r.size_bands == (3000.0, 10000.0)
    assert (r.list_by, r.problem_due_days) == ("town", 10)


def test_from_settings_blank_values_keep_defaults_and_minus_signs_normalise() -> None:
    r = Rules.from_settings({"黄灯差距": "－１２", "红灯差距": None, "序时口径": " "})
    assert r.green_gap == -12.0 and r.red_gap == -30.0 and r.basis == "month"


def test_from_settings_unknown_key_strict_and_lenient() -> None:
    rows = {"黄灯差距": -12, "百日冲刺开始": "2023-08-24"}
    with pytest.raises(KPError, match="百日冲刺开始") as exc:
        Rules.from_settings(rows)
    assert exc.value.sheet == "设置"
    assert Rules.from_settings(rows, strict=False).green_gap == -12
    assert Rules.unknown_settings(rows) == ["百日冲刺开始"]


def test_from_settings_preset_row() -> None:
    assert Rules.from_settings({"预设": "肇庆", "红榜数量": 4}).light_names == ("蓝", "黄", "红")


def test_settings_are_declared_once_and_documented() -> None:
    doc = settings_doc()
    for s in SETTINGS:
        assert s.zh in doc and f"`{s.name}`" in doc
    # to_dict round-trips through the same keys
    r = Rules(green_gap=-12, light_names=("蓝", "黄", "红"))
    assert Rules.from_mapping(r.to_dict()) == r
