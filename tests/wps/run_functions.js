// Runs the WPS add-in's custom functions (addin/wps/js/functions.js) in node, with a stand-in for
// the `wps` object WPS provides and for the browser's synchronous XMLHttpRequest, against a real
// kp serve. Usage: node run_functions.js ADDIN_WPS_DIR CASES.json > RESULTS.json
// CASES.json: {"service": "http://127.0.0.1:PORT", "cases": [{"name": "LIGHT", "args": [...]}]}
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const { spawnSync } = require("child_process");

const [addinDir, casesPath] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(casesPath, "utf8"));
const helper = path.join(__dirname, "sync_request.js");
let requests = 0;

class SyncXMLHttpRequest {
  constructor() { this.headers = {}; this.status = 0; this.responseText = ""; }
  open(method, url, async) {
    if (async !== false) throw new Error("this stand-in only does synchronous requests");
    this.method = method; this.url = url;
  }
  setRequestHeader(name, value) { this.headers[name] = value; }
  send(body) {
    requests += 1;
    const child = spawnSync(process.execPath, [helper], {
      input: JSON.stringify({ method: this.method, url: this.url, headers: this.headers,
        body: body === undefined ? null : body }),
      maxBuffer: 256 * 1024 * 1024, encoding: "utf8",
    });
    const answer = JSON.parse(child.stdout);
    if (answer.status === 0) {
      const err = new Error("NetworkError: Failed to execute 'send' on 'XMLHttpRequest'");
      err.name = "NetworkError";
      throw err; // what a browser does when a synchronous request cannot connect
    }
    this.status = answer.status;
    this.responseText = answer.text;
  }
}

const registered = {};
const storage = { "kp.service": spec.service };
const wps = {
  AddCustomFunction(namespace, name, fn) {
    registered[namespace] = registered[namespace] || {};
    registered[namespace][name] = fn;
  },
  PluginStorage: { getItem: (k) => (k in storage ? storage[k] : null), setItem: (k, v) => { storage[k] = v; } },
};
const context = vm.createContext({ wps, XMLHttpRequest: SyncXMLHttpRequest, console, Date, JSON });
for (const file of ["js/kp_client.js", "js/functions.js"]) {
  vm.runInContext(fs.readFileSync(path.join(addinDir, file), "utf8"), context, { filename: file });
}

const results = spec.cases.map((c) => {
  const fn = (registered.KP || {})[c.name];
  if (!fn) return { missing: c.name };
  const args = c.args.map((a) => (a && a.__date__ ? new Date(a.__date__[0], a.__date__[1] - 1, a.__date__[2]) : a));
  return fn.apply(null, args);
});
process.stdout.write(JSON.stringify({ registered: Object.keys(registered.KP || {}), results, requests }));
