// One HTTP request, made by a child node process so that the parent can wait for it synchronously
// (the stand-in for the browser's synchronous XMLHttpRequest). Reads {method, url, headers, body}
// as JSON on stdin, prints {status, text} (status 0 when the service cannot be reached).
"use strict";
const http = require("http");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const req = JSON.parse(input);
  const url = new URL(req.url);
  const body = req.body === null ? null : Buffer.from(req.body, "utf8");
  const headers = Object.assign({}, req.headers);
  if (body !== null) headers["Content-Length"] = String(body.length);
  const r = http.request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search,
    method: req.method, headers }, (res) => {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => {
      process.stdout.write(JSON.stringify({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
    });
  });
  r.on("error", (e) => { process.stdout.write(JSON.stringify({ status: 0, text: "", error: String(e) })); });
  if (body !== null) r.write(body);
  r.end();
});
