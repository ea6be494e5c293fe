// 功能区“重点项目”选项卡的按钮：刷新台账、打开通报、keyproject 任务窗格。
/* global KP_CLIENT, window, alert */
var KP_PANE_KEY = "kp.taskpane";

function kpApp() {
  return window.Application;
}

// 加载项第一个执行的函数：记下功能区对象
function OnAddinLoad(ribbonUI) {
  var app = kpApp();
  if (typeof app.ribbonUI !== "object") {
    app.ribbonUI = ribbonUI;
  }
  return true;
}

function kpBaseUrl() {
  var here = String(window.location.href);
  return here.substring(0, here.lastIndexOf("/"));
}

function kpShowPane() {
  var app = kpApp();
  var id = app.PluginStorage.getItem(KP_PANE_KEY);
  var pane = id ? app.GetTaskPane(id) : null;
  if (!pane) {
    pane = app.CreateTaskPane(kpBaseUrl() + "/ui/taskpane.html");
    app.PluginStorage.setItem(KP_PANE_KEY, pane.ID);
  }
  pane.Visible = true;
  return pane;
}

function OnAction(control) {
  switch (control.Id) {
    case "kpRefresh":
      KP_CLIENT.refreshActiveWorkbook(function (answer) {
        if (answer.needToken) {
          kpShowPane();
        }
        alert(KP_CLIENT.describeRefresh(answer));
      });
      break;
    case "kpBulletin":
      KP_CLIENT.openBulletin(function (answer) {
        if (answer.needToken) {
          kpShowPane();
        }
        if (!answer.ok) {
          alert(answer.error);
        }
      });
      break;
    case "kpPane":
      kpShowPane();
      break;
    default:
      break;
  }
  return true;
}

function GetImage(control) {
  switch (control.Id) {
    case "kpRefresh":
      return "images/refresh.svg";
    case "kpBulletin":
      return "images/bulletin.svg";
    default:
      return "images/pane.svg";
  }
}
