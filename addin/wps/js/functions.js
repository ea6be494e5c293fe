// Generated from keyproject.formulas.catalog by `python -m keyproject.formulas`; do not edit by hand.
// 本文件由公式声明生成，请勿手工修改。
// keyproject 的 WPS 自定义函数：每个函数把参数原样交给本机的 kp serve（同步请求，WPS 的自定义函数只能同步），
// 结果和出错说明与 Excel（xlwings）中的同名公式完全相同。KP_CLIENT 在 js/kp_client.js 中。
/* global KP_CLIENT, wps */

/**
 * 序时进度：1-7月报表（2023-07-31）为 7/12 = 0.5833。
 * @customfunction
 * @param {any[][]} 截止日期 - 统计截止日期（可选一列）
 * @param {any} [口径] - 序时口径：按月（默认）或按日
 * @param {any[][]} [设置表] - 设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则
 * @returns {any[][]}
 */
function TIMEPROGRESS(截止日期, 口径, 设置表) {
  return KP_CLIENT.call("KP_TIMEPROGRESS", [截止日期, 口径, 设置表]);
}

/**
 * 完成率 = 累计完成投资 ÷ 年度计划投资（没有计划的项目为空）。
 * @customfunction
 * @param {any[][]} 完成投资 - 累计完成投资（万元，可选一列）
 * @param {any[][]} 计划投资 - 年度计划投资（万元，可选一列）
 * @returns {any[][]}
 */
function RATE(完成投资, 计划投资) {
  return KP_CLIENT.call("KP_RATE", [完成投资, 计划投资]);
}

/**
 * 与序时进度的差距（百分点，保留2位小数）：完成率 − 序时进度。
 * @customfunction
 * @param {any[][]} 完成投资 - 累计完成投资（万元）
 * @param {any[][]} 计划投资 - 年度计划投资（万元）
 * @param {any[][]} 截止日期 - 统计截止日期
 * @param {any[][]} [设置表] - 设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则
 * @returns {any[][]}
 */
function GAP(完成投资, 计划投资, 截止日期, 设置表) {
  return KP_CLIENT.call("KP_GAP", [完成投资, 计划投资, 截止日期, 设置表]);
}

/**
 * 红黄绿灯：投资进度灯与开工灯取最差者，返回“绿”“黄”“红”，无规则适用时为空。
 * @customfunction
 * @param {any[][]} 完成投资 - 累计完成投资（万元）
 * @param {any[][]} 计划投资 - 年度计划投资（万元）
 * @param {any[][]} 截止日期 - 统计截止日期
 * @param {any[][]} [计划开工] - 计划开工时间（可选）
 * @param {any[][]} [实际开工] - 实际开工时间（可选）
 * @param {any[][]} [设置表] - 设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则
 * @returns {any[][]}
 */
function LIGHT(完成投资, 计划投资, 截止日期, 计划开工, 实际开工, 设置表) {
  return KP_CLIENT.call("KP_LIGHT", [完成投资, 计划投资, 截止日期, 计划开工, 实际开工, 设置表]);
}

/**
 * 三类项目：已签约未供地 / 已供地未动工 / 已动工未竣工，其余为空。
 * @customfunction
 * @param {any[][]} 签约时间 - 签约时间
 * @param {any[][]} 供地时间 - 供地时间
 * @param {any[][]} 开工时间 - 实际开工时间
 * @param {any[][]} 竣工时间 - 竣工时间
 * @param {any} [截止日期] - 统计截止日期（可选：此后的日期不计）
 * @returns {any[][]}
 */
function THREECLASS(签约时间, 供地时间, 开工时间, 竣工时间, 截止日期) {
  return KP_CLIENT.call("KP_THREECLASS", [签约时间, 供地时间, 开工时间, 竣工时间, 截止日期]);
}

/**
 * 两个日期之间（含首尾）的工作日天数，按中国法定节假日和调休计算。
 * @customfunction
 * @param {any[][]} 开始日期 - 开始日期（可选一列）
 * @param {any[][]} 结束日期 - 结束日期（可选一列）
 * @param {any[][]} [节假日表] - 节假日表（可选）：两列，日期、班/休
 * @returns {any[][]}
 */
function WORKDAYS(开始日期, 结束日期, 节假日表) {
  return KP_CLIENT.call("KP_WORKDAYS", [开始日期, 结束日期, 节假日表]);
}

/**
 * 百日冲刺：结束日期、已过天数、剩余天数、剩余工作日、剩余任务、日均/周均需完成、是否达序时。
 * @customfunction
 * @param {any} 开始日期 - 冲刺开始日期
 * @param {any} 天数 - 冲刺天数（如100）
 * @param {any[][]} 目标 - 冲刺目标（万元，可选一列，求和）
 * @param {any[][]} 已完成 - 已完成（万元，可选一列，求和）
 * @param {any} [统计日期] - 统计日期（可选，默认今天）
 * @returns {any[][]}
 */
function SPRINT(开始日期, 天数, 目标, 已完成, 统计日期) {
  return KP_CLIENT.call("KP_SPRINT", [开始日期, 天数, 目标, 已完成, 统计日期]);
}

/**
 * 倒排工期：从目标日期倒推每个节点的最晚开始和最晚完成日期（按工作日）。
 * @customfunction
 * @param {any} 目标日期 - 目标日期（如开工日期）
 * @param {any[][]} [节点表] - 节点表（可选）：节点名称、所需工作日
 * @param {any[][]} [节假日表] - 节假日表（可选）：两列，日期、班/休
 * @returns {any[][]}
 */
function BACKPLAN(目标日期, 节点表, 节假日表) {
  return KP_CLIENT.call("KP_BACKPLAN", [目标日期, 节点表, 节假日表]);
}

/**
 * 台账汇总：项目数、计划投资、完成投资、完成率、序时进度、差距、红黄绿灯个数、双过半。
 * @customfunction
 * @param {any[][]} 台账区域 - 台账区域（含标题行）
 * @param {any} 截止日期 - 统计截止日期
 * @param {any[][]} [设置表] - 设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则
 * @returns {any[][]}
 */
function SUMMARY(台账区域, 截止日期, 设置表) {
  return KP_CLIENT.call("KP_SUMMARY", [台账区域, 截止日期, 设置表]);
}

/**
 * 比学赶超排名：按分组汇总计划和完成投资，按完成率排名。
 * @customfunction
 * @param {any[][]} 分组列 - 分组列（责任单位、乡镇、指挥部……）
 * @param {any[][]} 完成投资列 - 累计完成投资列
 * @param {any[][]} 计划投资列 - 年度计划投资列
 * @param {any} [截止日期] - 统计截止日期（可选，用于差距；默认今天）
 * @param {any[][]} [设置表] - 设置表（可选）：设置项、值两列，如 设置!$A$1:$B$30；省略时用默认规则
 * @returns {any[][]}
 */
function RANK(分组列, 完成投资列, 计划投资列, 截止日期, 设置表) {
  return KP_CLIENT.call("KP_RANK", [分组列, 完成投资列, 计划投资列, 截止日期, 设置表]);
}

var KP_FUNCTIONS = {
  TIMEPROGRESS: TIMEPROGRESS,
  RATE: RATE,
  GAP: GAP,
  LIGHT: LIGHT,
  THREECLASS: THREECLASS,
  WORKDAYS: WORKDAYS,
  SPRINT: SPRINT,
  BACKPLAN: BACKPLAN,
  SUMMARY: SUMMARY,
  RANK: RANK
};

if (typeof wps !== "undefined" && wps && wps.AddCustomFunction) {
  for (var kpName in KP_FUNCTIONS) {
    wps.AddCustomFunction("KP", kpName, KP_FUNCTIONS[kpName]);
  }
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = KP_FUNCTIONS;
}
