// extension.js — starts `camp lsp` (the camp language server: diagnostics,
// completion, hover, go to definition, formatting) for .camp files.
// Highlighting and snippets work without it: when `camp` is not on PATH
// (or camp.server.path), or the extension was installed without its npm
// dependency (vscode-languageclient), this logs why and does nothing more.
"use strict";
const fs = require("fs");
const path = require("path");
const vscode = require("vscode");

let client = null;

// The camp binary: the camp.server.path setting, else the first `camp` on PATH.
function findCamp() {
  const configured = vscode.workspace.getConfiguration("camp").get("server.path");
  if (configured) return fs.existsSync(configured) ? configured : null;
  const exe = process.platform === "win32" ? "camp.exe" : "camp";
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    const candidate = path.join(dir, exe);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch (e) {
      // not here: keep looking
    }
  }
  return null;
}

function activate(context) {
  const log = vscode.window.createOutputChannel("camp");
  context.subscriptions.push(log);
  if (!vscode.workspace.getConfiguration("camp").get("server.enable", true)) return;
  const camp = findCamp();
  if (!camp) {
    log.appendLine("camp not found on PATH (or camp.server.path): language server not started; highlighting only.");
    return;
  }
  let lc;
  try {
    lc = require("vscode-languageclient/node");
  } catch (e) {
    log.appendLine("vscode-languageclient is not installed (run `npm install` in the extension): highlighting only. " + e.message);
    return;
  }
  const server = { command: camp, args: ["lsp"], transport: lc.TransportKind.stdio };
  client = new lc.LanguageClient(
    "camp",
    "camp language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "camp" }], outputChannel: log }
  );
  client.start();
  log.appendLine(`camp language server started: ${camp} lsp`);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, findCamp };
