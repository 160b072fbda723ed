#!/bin/sh
# tests/editors/run.sh CAMP_BINARY — checks the editor support in editors/:
#   1. the grammars' word lists equal `camp keywords --format json`
#      (tools/gen_editors.sh --check), and that check catches drift;
#   2. TextMate grammar: vscode-tmgrammar-test over tmgrammar/*.camp and a
#      generated every-word file; manifest, snippets (they must parse);
#   3. Vim (and Neovim when present): highlight groups, indent, errorformat;
#   4. Emacs: faces, indent, compilation regexp, Flymake backend.
# Offline-capable: vscode-tmgrammar-test is installed into node_modules/ here
# with npm when missing; without npm/registry (or vim/emacs) those checks are
# skipped, not failed.  Ends with `editors: N passed, N failed, N skipped`.
set -u

if [ $# -ne 1 ]; then
  echo "usage: tests/editors/run.sh CAMP_BINARY" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
camp=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { pass=$((pass + 1)); echo "ok      $1"; }
ko() { fail=$((fail + 1)); echo "FAIL    $1"; [ -n "${2:-}" ] && sed 's/^/        /' "$2"; return 0; }
skipped() { skip=$((skip + 1)); echo "skipped $1"; }

# Counts the PASS/FAIL lines an editor's test script wrote to $1.
tally() {
  if [ ! -s "$1" ]; then ko "$2: wrote no results" "$3"; return; fi
  while IFS= read -r line; do
    case $line in
      "PASS "*) ok "${line#PASS }" ;;
      "FAIL "*) ko "${line#FAIL }" ;;
    esac
  done < "$1"
}

"$camp" keywords --format json > "$tmp/kw.json" || { echo "cannot run $camp" >&2; exit 2; }

# ---- 1. keyword consistency
if sh "$root/tools/gen_editors.sh" --check "$camp" > "$tmp/gen.out" 2>&1; then
  ok "keywords: grammars match camp keywords --format json"
else
  ko "keywords: grammars differ from camp keywords (run tools/gen_editors.sh $1)" "$tmp/gen.out"
fi
# The check itself must catch a new word and a new keyword class.
cat > "$tmp/fakecamp" <<EOF
#!/bin/sh
"$camp" "\$@" | sed 's/"reconcile"/"reconcile", "frobnicate"/; s/"literal": \\[/"magic": ["abra"], "literal": [/'
EOF
chmod +x "$tmp/fakecamp"
if sh "$root/tools/gen_editors.sh" --check "$tmp/fakecamp" > "$tmp/gen.out" 2>&1; then
  ko "keywords: drift detection (a changed list was not reported)" "$tmp/gen.out"
elif grep -q frobnicate "$tmp/gen.out" && grep -q "keywords.magic" "$tmp/gen.out"; then
  ok "keywords: drift detection"
else
  ko "keywords: drift detection (wrong report)" "$tmp/gen.out"
fi

# ---- 2. VS Code / TextMate
"$camp" check "$here/errors.camp" > "$tmp/check.out" 2>&1
# Real diagnostics plus a synthetic warning and note (the parser emits none).
errcamp=$here/errors.camp
{
  cat "$tmp/check.out"
  echo "$errcamp:2:1: warning: synthetic warning"
  echo "      = hint: not a diagnostic line"
  echo "$errcamp:5:1: note: synthetic note"
} > "$tmp/check.txt"
CAMP_CHECK_EXPECT=$(sed -n 's/^[^ :][^:]*:\([0-9]*\):\([0-9]*\): \(error\|warning\|note\): \(.*\)$/\1:\2:\3:\4/p' "$tmp/check.txt" |
  sed 's/:error:/:e:/; s/:warning:/:w:/; s/:note:/:n:/')
export CAMP_CHECK_EXPECT
if [ "$(echo "$CAMP_CHECK_EXPECT" | grep -c ':e:')" -lt 1 ]; then
  ko "camp check gave no error on errors.camp" "$tmp/check.out"
fi

if command -v node > /dev/null 2>&1; then
  if node "$here/vscode_check.js" manifest "$root" > "$tmp/out" 2>&1; then
    ok "vscode: package.json, language configuration, scopes"
  else
    ko "vscode: package.json, language configuration, scopes" "$tmp/out"
  fi
  if node "$here/vscode_check.js" snippets "$root" "$tmp/snippets.camp" > "$tmp/out" 2>&1 &&
     ! "$camp" check "$tmp/snippets.camp" 2>&1 | grep -E "syntax error|unterminated|not an operator|double quotes" > "$tmp/out"; then
    ok "vscode: every snippet expands to code that parses"
  else
    ko "vscode: every snippet expands to code that parses" "$tmp/out"
  fi
else
  skipped "vscode: manifest and snippets (no node)"
fi

tmtest=$here/node_modules/.bin/vscode-tmgrammar-test
if [ ! -x "$tmtest" ] && command -v npm > /dev/null 2>&1; then
  (cd "$here" && timeout 300 npm install --no-audit --no-fund --loglevel=error \
    --fetch-retries=1 --fetch-timeout=60000 > "$tmp/npm.out" 2>&1) || true
fi
if [ -x "$tmtest" ]; then
  cp "$here"/tmgrammar/*.camp "$tmp/" 2>/dev/null
  if node "$here/vscode_check.js" allwords "$tmp/kw.json" "$tmp/allwords.camp" > "$tmp/out" 2>&1; then
    for t in "$tmp"/*.camp; do
      case $t in */snippets.camp) continue ;; esac
      name="textmate: $(basename "$t")"
      if "$tmtest" --config "$root/editors/vscode/package.json" "$t" > "$tmp/out" 2>&1; then
        ok "$name"
      else
        ko "$name" "$tmp/out"
      fi
    done
  else
    ko "textmate: every-word test file" "$tmp/out"
  fi
else
  skipped "textmate: vscode-tmgrammar-test not installed and npm not reachable"
fi

# The .vsix built by the README's steps (npm ci && npm run package) must
# carry vscode-languageclient, bundled by esbuild, or the installed
# extension never starts `camp lsp`.  Built in a copy of editors/vscode
# (reusing its node_modules when a developer installed them).
if command -v npm > /dev/null 2>&1 && command -v node > /dev/null 2>&1; then
  mkdir -p "$tmp/vscode"
  (cd "$root/editors/vscode" && tar cf - --exclude=node_modules --exclude=dist --exclude='*.vsix' .) |
    (cd "$tmp/vscode" && tar xf -)
  if [ -d "$root/editors/vscode/node_modules/esbuild" ] && [ -d "$root/editors/vscode/node_modules/@vscode/vsce" ]; then
    ln -s "$root/editors/vscode/node_modules" "$tmp/vscode/node_modules"
  else
    (cd "$tmp/vscode" && timeout 600 npm ci --no-audit --no-fund --loglevel=error \
      --fetch-retries=1 --fetch-timeout=60000 > "$tmp/npm-vsix.out" 2>&1) || true
  fi
  if [ ! -d "$tmp/vscode/node_modules/esbuild" ]; then
    skipped "vscode: .vsix not built (npm registry not reachable)"
  elif (cd "$tmp/vscode" && timeout 300 npm run package > "$tmp/vsix.out" 2>&1) &&
       node "$here/vscode_check.js" vsix "$tmp/vscode/camp-lang-0.1.0.vsix" >> "$tmp/vsix.out" 2>&1; then
    ok "vscode: the .vsix bundles vscode-languageclient and activate starts the client"
  else
    ko "vscode: the .vsix bundles vscode-languageclient and activate starts the client" "$tmp/vsix.out"
  fi
else
  skipped "vscode: .vsix (no npm)"
fi

# ---- 3. Vim and Neovim
# `camp fmt` output of every example (and of indent.camp, every kind of line
# fmt indents): both editors must re-indent it to the same text.
mkdir -p "$tmp/fmt"
CAMP_INDENT_FILES=
for f in $(cd "$root" && find examples stdlib -name '*.camp' | LC_ALL=C sort) tests/editors/indent.camp; do
  out=$tmp/fmt/$(echo "$f" | tr '/' '_')
  if "$camp" fmt --output - "$root/$f" > "$out" 2> "$tmp/fmt.err"; then
    CAMP_INDENT_FILES=${CAMP_INDENT_FILES:+$CAMP_INDENT_FILES:}$out
  else
    ko "camp fmt $f" "$tmp/fmt.err"
  fi
done
export CAMP_INDENT_FILES
export CAMP_EDITORS_ROOT="$root" CAMP_KEYWORDS_JSON="$tmp/kw.json" CAMP_CHECK_OUTPUT="$tmp/check.txt" CAMP="$camp"
for ed in vim nvim; do
  if ! command -v $ed > /dev/null 2>&1; then skipped "$ed: not installed"; continue; fi
  export CAMP_RESULT="$tmp/$ed.result"
  : > "$CAMP_RESULT"
  if [ $ed = vim ]; then
    timeout 60 vim -u NONE -N -es -i NONE -S "$here/vim_test.vim" > "$tmp/$ed.log" 2>&1 < /dev/null
  else
    timeout 60 nvim --headless -u NONE -i NONE -n -S "$here/vim_test.vim" > "$tmp/$ed.log" 2>&1 < /dev/null
  fi
  sed "s/^\([A-Z]*\) vim:/\1 $ed:/" "$CAMP_RESULT" > "$tmp/$ed.tally"
  tally "$tmp/$ed.tally" "$ed" "$tmp/$ed.log"
done

# ---- 4. Emacs
if command -v emacs > /dev/null 2>&1; then
  export CAMP_RESULT="$tmp/emacs.result"
  : > "$CAMP_RESULT"
  timeout 120 emacs --batch -Q -l "$here/emacs_test.el" > "$tmp/emacs.log" 2>&1 < /dev/null
  tally "$CAMP_RESULT" emacs "$tmp/emacs.log"
  cp "$root/editors/emacs/camp-mode.el" "$tmp/"
  if timeout 60 emacs --batch -Q --eval '(setq byte-compile-error-on-warn t)' \
       -f batch-byte-compile "$tmp/camp-mode.el" > "$tmp/elc.log" 2>&1 < /dev/null; then
    ok "emacs: camp-mode.el byte-compiles without warnings"
  else
    ko "emacs: camp-mode.el byte-compiles without warnings" "$tmp/elc.log"
  fi
else
  skipped "emacs: not installed"
fi

echo "editors: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
