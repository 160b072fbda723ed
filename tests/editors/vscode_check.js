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

const [cmd, a, b] = process.argv.slice(2);
if (cmd === "allwords") allwords(a, b);
else if (cmd === "manifest") manifest(a);
else if (cmd === "snippets") snippets(a, b);
else fail("usage: node vscode_check.js allwords|manifest|snippets ...");
