// keyproject 的 WPS 客户端：与本机的 kp serve 通信。
// - 自定义函数（js/functions.js）用同步请求：WPS 的加载项自定义函数只能同步返回；
// - “刷新台账”“打开通报”按钮和任务窗格用异步请求，并带上访问令牌。
// 所有计算都在 kp serve（keyproject 库）中完成，这里只传递参数和结果：结果与 Excel 中的同名公式相同。
// 写成 ES5，兼容较早版本 WPS 内置的浏览器内核。
/* global wps, window, localStorage, location, XMLHttpRequest, module */
var KP_CLIENT = (function () {
  "use strict";

  var DEFAULT_SERVICE = "http://127.0.0.1:8867";
  var EPOCH = Date.UTC(1899, 11, 30); // Excel 1900 日期系统的第 0 天
  var STOPPED = "keyproject 服务未启动：请先在命令行运行 kp serve";
  var SERVICE_KEY = "kp.service";
  var TOKEN_KEY = "kp.token";
  var LIVE_KEY = "kp.live"; // "1": 刷新时把差距和灯号写成公式（kp refresh --live）

  function app() {
    if (typeof window !== "undefined" && window.Application) {
      return window.Application;
    }
    return typeof wps !== "undefined" ? wps : null;
  }

  function pluginStorage() {
    var a = app();
    return a && a.PluginStorage ? a.PluginStorage : null;
  }

  // 设置同时存在 WPS 的 PluginStorage（本次会话）和浏览器的 localStorage（下次启动仍在）
  function remember(key, value) {
    var s = pluginStorage();
    if (s) {
      s.setItem(key, value);
    }
    try {
      localStorage.setItem(key, value);
    } catch (e) { /* 没有 localStorage（如 node 测试）时只用 PluginStorage */ }
  }

  function recall(key) {
    var s = pluginStorage();
    var v = s ? s.getItem(key) : null;
    if (v) {
      return String(v);
    }
    try {
      v = localStorage.getItem(key);
    } catch (e) {
      v = null;
    }
    return v ? String(v) : null;
  }

  // 服务地址：用户设定的 > 本加载项由 kp serve 提供时（网页地址为 http://127.0.0.1:端口/…）的来源 >
  // 默认 127.0.0.1:8867（离线部署时网页来自本地文件）
  function serviceUrl() {
    var chosen = recall(SERVICE_KEY);
    if (chosen) {
      return chosen.replace(/\/+$/, "");
    }
    if (typeof location !== "undefined" && /^https?:$/.test(location.protocol)) {
      return location.protocol + "//" + location.host;
    }
    return DEFAULT_SERVICE;
  }

  function stopped() {
    return STOPPED + "（" + serviceUrl() + "）";
  }

  function serial(d) {
    var day = (Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - EPOCH) / 86400000;
    var seconds = d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds();
    return day + seconds / 86400;
  }

  // 一个单元格的值：空单元格（undefined、null、""、0）原样交给服务，由服务按参数类型处理
  function cell(v) {
    if (v === undefined || v === null) {
      return null;
    }
    if (v instanceof Date) {
      return serial(v);
    }
    if (typeof v === "number") {
      return isFinite(v) ? v : null;
    }
    if (typeof v === "string" || typeof v === "boolean") {
      return v;
    }
    return String(v);
  }

  function argument(v) {
    if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) && "Value2" in v) {
      v = v.Value2; // 区域对象：取其值
    }
    if (Array.isArray(v)) {
      return v.map(function (row) {
        return Array.isArray(row) ? row.map(cell) : cell(row);
      });
    }
    return cell(v);
  }

  function parse(status, text) {
    if (!status) {
      return { ok: false, status: 0, error: stopped() };
    }
    var data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return { ok: false, status: status, error: "keyproject 服务的回答无法读取（HTTP " + status + "）" };
    }
    if (status >= 200 && status < 300) {
      return { ok: true, status: status, data: data };
    }
    return { ok: false, status: status, error: (data && data.error) || ("keyproject 服务出错（HTTP " + status + "）") };
  }

  // 自定义函数：同步调用 POST /api/formulas/名称，返回二维数组（空值为 ""，出错时为一句说明）
  function call(name, args) {
    var payload = JSON.stringify({ args: Array.prototype.map.call(args, argument) });
    var xhr = new XMLHttpRequest();
    var answer;
    try {
      xhr.open("POST", serviceUrl() + "/api/formulas/" + name, false);
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.send(payload);
      answer = parse(xhr.status, xhr.responseText);
    } catch (e) {
      answer = { ok: false, status: 0, error: stopped() };
    }
    if (!answer.ok) {
      return [[answer.error]];
    }
    var result = answer.data && answer.data.result;
    if (!Array.isArray(result)) {
      return [["keyproject 服务的回答缺少结果"]];
    }
    return result.map(function (row) {
      return row.map(function (v) { return v === null ? "" : v; });
    });
  }

  // 异步请求（按钮、任务窗格）：回调得到 {ok, status, data | error}
  function request(method, path, body, useToken, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, serviceUrl() + path, true);
    if (body !== null) {
      xhr.setRequestHeader("Content-Type", "application/json");
    }
    if (useToken) {
      xhr.setRequestHeader("Authorization", "Bearer " + (recall(TOKEN_KEY) || ""));
    }
    xhr.onload = function () { done(parse(xhr.status, xhr.responseText)); };
    xhr.onerror = function () { done({ ok: false, status: 0, error: stopped() }); };
    try {
      xhr.send(body === null ? null : JSON.stringify(body));
    } catch (e) {
      done({ ok: false, status: 0, error: stopped() });
    }
  }

  function health(done) {
    request("GET", "/api/health", null, false, done);
  }

  // 当前工作簿的完整路径；没有保存过的新工作簿没有路径
  function activePath() {
    var a = app();
    var wb = a ? a.ActiveWorkbook : null;
    if (!wb) {
      return { error: "没有打开的工作簿" };
    }
    var path = String(wb.FullName || "");
    if (!/[\\/]/.test(path)) {
      return { error: "请先把工作簿保存为文件（.xlsx），再使用 keyproject" };
    }
    return { workbook: wb, path: path };
  }

  function needToken() {
    return recall(TOKEN_KEY) ? null : "请先在 keyproject 任务窗格中填写 kp serve 启动时显示的访问令牌";
  }

  // 刷新时是否把差距和灯号写成公式（任务窗格中勾选，功能区按钮同样生效）
  function live() {
    return recall(LIVE_KEY) === "1";
  }

  function setLive(flag) {
    remember(LIVE_KEY, flag ? "1" : "0");
  }

  // 刷新台账：保存并关闭工作簿（kp serve 不刷新打开着的文件），刷新文件，再打开
  function refreshActiveWorkbook(done) {
    var missing = needToken();
    if (missing) {
      done({ ok: false, status: 401, error: missing, needToken: true });
      return;
    }
    var active = activePath();
    if (active.error) {
      done({ ok: false, status: 0, error: active.error });
      return;
    }
    var a = app();
    active.workbook.Save();
    active.workbook.Close(false);
    request("POST", "/api/refresh", { path: active.path, live: live() }, true, function (answer) {
      a.Workbooks.Open(active.path); // 刷新成功与否都重新打开，用户不会丢失工作簿
      answer.path = active.path;
      done(answer);
    });
  }

  // 打开通报：按台账生成通报（Word 文档，写在台账旁边），用系统默认程序打开
  function openBulletin(done) {
    var missing = needToken();
    if (missing) {
      done({ ok: false, status: 401, error: missing, needToken: true });
      return;
    }
    var active = activePath();
    if (active.error) {
      done({ ok: false, status: 0, error: active.error });
      return;
    }
    request("POST", "/api/bulletin", { path: active.path, docx: true }, true, function (answer) {
      var a = app();
      if (answer.ok && answer.data.docx && a && a.OAAssist && a.OAAssist.ShellExecute) {
        a.OAAssist.ShellExecute(answer.data.docx);
      }
      done(answer);
    });
  }

  // 刷新结果的一句话说明
  function describeRefresh(answer) {
    if (!answer.ok) {
      return answer.error;
    }
    var d = answer.data;
    var names = { red: "红灯", yellow: "黄灯", green: "绿灯", none: "未评灯" };
    var parts = [];
    for (var key in names) {
      if (d.lights && d.lights[key] !== undefined) {
        parts.push(names[key] + d.lights[key] + "个");
      }
    }
    var text = "已刷新（截至 " + d.as_of + "，台账工作表“" + d.sheet + "”）：" + parts.join("，");
    if (d.live) {
      text += "。差距和灯号已写成公式，改数后自动变化";
    }
    if (d.backup) {
      text += "。备份：" + d.backup;
    }
    return text;
  }

  return {
    DEFAULT_SERVICE: DEFAULT_SERVICE,
    call: call,
    health: health,
    serviceUrl: serviceUrl,
    setService: function (url) { remember(SERVICE_KEY, url); },
    token: function () { return recall(TOKEN_KEY); },
    setToken: function (token) { remember(TOKEN_KEY, String(token).trim()); },
    activePath: activePath,
    refreshActiveWorkbook: refreshActiveWorkbook,
    live: live,
    setLive: setLive,
    openBulletin: openBulletin,
    describeRefresh: describeRefresh
  };
})();

if (typeof module !== "undefined" && module.exports) {
  module.exports = KP_CLIENT;
}
