// vscode_check.js — checks of editors/vscode that need no editor:
//   node vscode_check.js allwords KEYWORDS_JSON OUT
//       writes a TextMate syntax-test file asserting the scope of every word
//       of `camp keywords --format json` (run it with vscode-tmgrammar-test);
//       exit 1 when a keyword class has no scope here.
//   node vscode_check.js manifest ROOT
//       package.json contributions point at files that exist and parse.
//   node vscode_check.js snippets ROOT OUT
//       expands every snippet with its defaults into one campaign in OUT
//       (for `camp check`); exit 1 when a required step kind has no snippet.
//   node vscode_check.js vsix FILE.vsix
//       the packaged extension is complete: its main script is in the
//       package, holds vscode-languageclient (bundled: no require of it is
//       left, no node_modules needed), loads with only `vscode` provided and
//       starts the client when camp is on PATH.
"use strict";
const fs = require("fs");
const path = require("path");

const KEYWORD_SCOPES = {
  decl: "keyword.declaration.camp",
  step: "keyword.control.step.camp",
  channel: "keyword.control.channel.camp",
  clause: "keyword.other.clause.camp",
  rule: "keyword.operator.word.camp",
  literal: "constant.language.camp",
};

function fail(msg) {
  console.error(msg);
  process.exit(1);
}

// One source line plus a `<-` assertion over `len` characters from `col`.
function assertion(line, col, len, scope) {
  return [line, "// <" + "~".repeat(col) + "-".repeat(len) + " " + scope];
}

function allwords(jsonFile, out) {
  const kw = JSON.parse(fs.readFileSync(jsonFile, "utf8"));
  const lines = ['// SYNTAX TEST "source.camp" "every word of camp keywords --format json"'];
  const keywords = new Set();
  for (const [cls, words] of Object.entries(kw.keywords)) {
    const scope = KEYWORD_SCOPES[cls];
    if (!scope) fail(`keyword class ${cls} has no TextMate scope in tests/editors/vscode_check.js`);
    for (const w of words) {
      keywords.add(w);
      lines.push(...assertion(cls === "channel" ? `${w} x "s"` : w, 0, w.length, scope));
    }
  }
  for (const w of kw.types)
    if (!keywords.has(w)) lines.push(...assertion(`f ${w}`, 2, w.length, "support.type.camp"));
  for (const w of kw.functions)
    lines.push(...assertion(`${w}(x)`, 0, w.length, "support.function.camp"));
  for (const w of kw.aggregates)
    lines.push(...assertion(`${w}(x)`, 0, w.length, "support.function.aggregate.camp"));
  for (const w of kw.feedback)
    lines.push(...assertion(w, 0, w.length, "support.constant.feedback.camp"));
  // header fields count only in a campaign's body
  lines.push("campaign c {");
  for (const w of kw.headers)
    lines.push(...assertion(`  ${w} "x"`, 2, w.length, "keyword.other.header.camp"));
  lines.push("}");
  fs.writeFileSync(out, lines.join("\n") + "\n");
}

function manifest(root) {
  const dir = path.join(root, "editors/vscode");
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const c = pkg.contributes;
  const lang = c.languages.find((l) => l.id === "camp");
  if (!lang || !lang.extensions.includes(".camp")) fail("no language camp with .camp");
  const conf = JSON.parse(fs.readFileSync(path.join(dir, lang.configuration), "utf8"));
  if (conf.comments.lineComment !== "//" || conf.comments.blockComment.join(" ") !== "/* */")
    fail("language-configuration: comments are not // and /* */");
  const pairs = conf.autoClosingPairs.map((p) => p.open);
  for (const p of ["{", "[", "(", '"', "`"]) if (!pairs.includes(p)) fail(`no auto-closing ${p}`);
  const inc = new RegExp(conf.indentationRules.increaseIndentPattern);
  const dec = new RegExp(conf.indentationRules.decreaseIndentPattern);
  if (!inc.test("campaign c {") || inc.test("x = y // {") || !dec.test("  }"))
    fail("indentationRules do not follow braces");
  const g = c.grammars.find((x) => x.language === "camp");
  const grammar = JSON.parse(fs.readFileSync(path.join(dir, g.path), "utf8"));
  if (grammar.scopeName !== g.scopeName || g.scopeName !== "source.camp") fail("scopeName mismatch");
  // Every scope name the grammar assigns ends in .camp.
  const bad = [];
  JSON.stringify(grammar, (k, v) => {
    if (k === "name" && typeof v === "string" && v !== "camp")
      for (const s of v.split(/\s+/)) if (!s.endsWith(".camp")) bad.push(s);
    return v;
  });
  if (bad.length) fail("scopes not ending in .camp: " + bad.join(", "));
  for (const s of c.snippets) JSON.parse(fs.readFileSync(path.join(dir, s.path), "utf8"));
}

// Snippet body with every tabstop replaced by its default text.
function expand(body) {
  const defaults = {};
  let text = body.join("\n");
  text = text.replace(/\$\{(\d+):([^}]*)\}/g, (_, n, d) => ((defaults[n] = d), d));
  text = text.replace(/\$\{(\d+)\}|\$(\d+)/g, (_, a, b) => defaults[a || b] || "");
  return text.replace(/\t/g, "  ");
}

const STEP_SNIPPETS = ["select", "union", "intersect", "except", "dedup", "enrich", "split",
  "change dimension", "fork", "join", "wait", "wait until", "email", "sms", "push", "mail",
  "save", "audience", "retarget", "reconcile"];

function snippets(root, out) {
  const file = path.join(root, "editors/vscode/snippets/camp.json");
  const sn = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const k of ["schema", "campaign", ...STEP_SNIPPETS]) if (!sn[k]) fail(`no snippet ${k}`);
  const steps = STEP_SNIPPETS.map((k) => "  " + expand(sn[k].body).replace(/\n/g, "\n  "));
  const src = [
    expand(sn.import.body),
    expand(sn.schema.body),
    expand(sn.func.body),
    expand(sn.filter.body),
    expand(sn.campaign.body).replace(/\}\s*$/, steps.join("\n") + "\n}"),
  ].join("\n\n");
  fs.writeFileSync(out, src + "\n");
}

// The entries of a ZIP file (a .vsix): name -> Buffer, read through the
// central directory (sizes there are reliable), inflated with zlib.
function unzip(file) {
  const zlib = require("zlib");
  const z = fs.readFileSync(file);
  let eocd = -1;
  for (let i = z.length - 22; i >= Math.max(0, z.length - 65557); i--)
    if (z.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) fail(`${file}: not a ZIP file`);
  const count = z.readUInt16LE(eocd + 10);
  let p = z.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let k = 0; k < count; k++) {
    if (z.readUInt32LE(p) !== 0x02014b50) fail(`${file}: bad central directory`);
    const method = z.readUInt16LE(p + 10), csize = z.readUInt32LE(p + 20);
    const nlen = z.readUInt16LE(p + 28), xlen = z.readUInt16LE(p + 30), clen = z.readUInt16LE(p + 32);
    const local = z.readUInt32LE(p + 42);
    const name = z.toString("utf8", p + 46, p + 46 + nlen);
    const start = local + 30 + z.readUInt16LE(local + 26) + z.readUInt16LE(local + 28);
    const data = z.subarray(start, start + csize);
    out.set(name, method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data));
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

function vsix(file) {
  const files = unzip(file);
  const pkg = JSON.parse(files.get("extension/package.json").toString("utf8"));
  const main = "extension/" + pkg.main.replace(/^\.\//, "");
  if (!files.has(main)) fail(`${file}: the main script ${main} is not in the package`);
  const code = files.get(main).toString("utf8");
  if (/require\(["']vscode-languageclient/.test(code))
    fail(`${main} still requires vscode-languageclient: it is not bundled`);
  // Strings of vscode-languageclient's own code, not of extension.js.
  for (const s of ["Connection to server got closed", "textDocument/didOpen"])
    if (!code.includes(s)) fail(`${main} lacks vscode-languageclient (no "${s}")`);
  for (const name of files.keys())
    if (name.startsWith("extension/node_modules/")) fail(`${file} ships node_modules (${name})`);
  // Load it as VS Code would, with a stand-in for the `vscode` module: the
  // client must be constructed and started when a camp binary is found.
  const os = require("os");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "camp-vsix-"));
  const bin = path.join(dir, "camp");
  fs.writeFileSync(bin, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const script = path.join(dir, "extension.js");
  fs.writeFileSync(script, code);
  const log = [];
  const anything = () => new Proxy(function () {}, {
    get: (t, k) => (k === "then" ? undefined : k === Symbol.toPrimitive ? () => "" : anything()),
    apply: () => anything(),
    construct: () => anything(),
  });
  const vscode = new Proxy({}, {
    get: (t, k) => {
      if (k === "workspace") return new Proxy({}, { get: (t2, k2) => k2 === "getConfiguration"
        ? () => ({ get: (key, dflt) => (key === "server.path" ? bin : dflt) }) : anything() });
      if (k === "version") return "1.90.0";
      if (k === "window") return { createOutputChannel: () => ({ appendLine: (l) => log.push(l), dispose() {} }) };
      return anything();
    },
  });
  const Module = require("module");
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === "vscode") return vscode;
    return load.call(this, request, parent, isMain);
  };
  let ext;
  try {
    ext = require(script);
  } catch (e) {
    fail(`${main} does not load: ${e.message}`);
  }
  if (typeof ext.activate !== "function" || typeof ext.deactivate !== "function")
    fail(`${main} does not export activate and deactivate`);
  const context = { subscriptions: { push() {} } };
  let error = "";
  try {
    ext.activate(context);
  } catch (e) {
    error = e.message;
  }
  Module._load = load;
  if (log.some((l) => /vscode-languageclient is not installed/.test(l)))
    fail(`activate could not load vscode-languageclient: ${log.join(" | ")}`);
  fs.rmSync(dir, { recursive: true, force: true });
  if (!log.some((l) => /camp language server started/.test(l)))
    fail(`activate did not start the language client: ${error || log.join(" | ")}`);
  console.log(`${file}: ${main} bundles vscode-languageclient (${code.length} bytes), activate starts the client`);
  process.exit(0); // the client's start goes on asynchronously against the stand-in: stop here
}

const [cmd, a, b] = process.argv.slice(2);
if (cmd === "allwords") allwords(a, b);
else if (cmd === "manifest") manifest(a);
else if (cmd === "snippets") snippets(a, b);
else if (cmd === "vsix") vsix(a);
else fail("usage: node vscode_check.js allwords|manifest|snippets|vsix ...");
