// keyproject 的 WPS 加载项入口：WPS 启动加载项时自动生成 index.html 并引入本文件。
// 加载顺序：与 kp serve 通信的客户端、自定义函数（KP.LIGHT 等，由公式声明生成）、功能区按钮。
document.write("<script type='text/javascript' src='js/kp_client.js'></script>");
document.write("<script type='text/javascript' src='js/functions.js'></script>");
document.write("<script type='text/javascript' src='js/ribbon.js'></script>");
