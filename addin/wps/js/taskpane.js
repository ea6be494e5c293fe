// keyproject 任务窗格：服务状态、访问令牌、刷新台账、打开通报。
/* global KP_CLIENT, document */
(function () {
  "use strict";

  function $(id) {
    return document.getElementById(id);
  }

  function show(text, bad) {
    var box = $("message");
    box.textContent = text;
    box.className = bad ? "bad" : "";
  }

  function busy(flag) {
    $("refresh").disabled = flag;
    $("bulletin-button").disabled = flag;
  }

  function checkService() {
    $("service").textContent = KP_CLIENT.serviceUrl();
    KP_CLIENT.health(function (answer) {
      var status = $("status");
      status.textContent = answer.ok ? "已连接（keyproject " + answer.data.version + "）" : answer.error;
      status.className = answer.ok ? "ok" : "bad";
    });
  }

  function showWorkbook() {
    var active = KP_CLIENT.activePath();
    $("workbook").textContent = active.error ? active.error : active.path;
  }

  $("service-url").value = KP_CLIENT.serviceUrl();
  $("save-service").onclick = function () {
    var url = $("service-url").value.trim();
    if (!/^https?:\/\/[^/]+$/.test(url.replace(/\/+$/, ""))) {
      show("服务地址应写成 http://127.0.0.1:8867 的形式", true);
      return;
    }
    KP_CLIENT.setService(url);
    checkService();
  };

  $("token").value = KP_CLIENT.token() || "";
  $("save-token").onclick = function () {
    KP_CLIENT.setToken($("token").value);
    show(KP_CLIENT.token() ? "令牌已保存" : "令牌为空", !KP_CLIENT.token());
  };

  $("live").checked = KP_CLIENT.live();
  $("live").onchange = function () {
    KP_CLIENT.setLive($("live").checked);
  };

  $("refresh").onclick = function () {
    busy(true);
    show("正在刷新……", false);
    $("bulletin").innerHTML = "";
    KP_CLIENT.refreshActiveWorkbook(function (answer) {
      busy(false);
      showWorkbook();
      show(KP_CLIENT.describeRefresh(answer), !answer.ok);
    });
  };

  $("bulletin-button").onclick = function () {
    busy(true);
    show("正在生成通报……", false);
    KP_CLIENT.openBulletin(function (answer) {
      busy(false);
      if (!answer.ok) {
        show(answer.error, true);
        return;
      }
      show(answer.data.docx ? "通报已生成：" + answer.data.docx : "通报：", false);
      var box = $("bulletin");
      box.innerHTML = "";
      answer.data.paragraphs.forEach(function (text) {
        var p = document.createElement("p");
        p.textContent = text;
        box.appendChild(p);
      });
    });
  };

  checkService();
  showWorkbook();
})();
