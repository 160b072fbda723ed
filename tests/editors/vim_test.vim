" vim_test.vim — headless checks of editors/vim (Vim and Neovim).
" Run: vim -u NONE -N -es -i NONE -S tests/editors/vim_test.vim
" with $CAMP_EDITORS_ROOT (repo root), $CAMP_KEYWORDS_JSON (output of
" `camp keywords --format json`) and $CAMP_RESULT (file to write) set.
" Writes one line per check: `PASS name` or `FAIL name: details`.

let s:root = $CAMP_EDITORS_ROOT
let s:results = []
execute 'set rtp^=' . fnameescape(s:root . '/editors/vim')
filetype plugin indent on
syntax on

" Group name at the `|` in needle (the first line holding needle without it).
function! s:GroupAt(needle) abort
  let text = substitute(a:needle, '|', '', '')
  let off = stridx(a:needle, '|')
  for l in range(1, line('$'))
    let c = stridx(getline(l), text)
    if c >= 0
      return synIDattr(synID(l, c + off + 1, 1), 'name')
    endif
  endfor
  return '<needle not found>'
endfunction

" Runs checks [[needle, group], ...]; one PASS/FAIL line named name.
function! s:Expect(name, checks) abort
  let bad = []
  for [needle, want] in a:checks
    let got = s:GroupAt(needle)
    if got !=# want
      call add(bad, printf('at %s: want %s, got %s', string(needle), want, string(got)))
    endif
  endfor
  call add(s:results, empty(bad) ? 'PASS ' . a:name : 'FAIL ' . a:name . ': ' . join(bad, '; '))
endfunction

function! s:Check(name, ok, detail) abort
  call add(s:results, a:ok ? 'PASS ' . a:name : 'FAIL ' . a:name . ': ' . a:detail)
endfunction

" ---- filetype detection, ftplugin settings, files load without errors
let v:errmsg = ''
execute 'edit ' . fnameescape(s:root . '/tests/editors/sample.camp')
call s:Check('vim: ftdetect/ftplugin/indent load', &filetype ==# 'camp' && &commentstring ==# '// %s'
      \ && &makeprg ==# 'camp check %' && get(b:, 'current_syntax', '') ==# 'camp'
      \ && &indentexpr =~# 'GetCampIndent' && v:errmsg ==# '',
      \ printf('ft=%s cms=%s mp=%s inde=%s errmsg=%s', &filetype, &commentstring, &makeprg,
      \ &indentexpr, v:errmsg))

" ---- highlight groups at positions of the sample (every token class)
call s:Expect('vim: syntax groups in sample.camp', [
      \ ['|import "std', 'campDecl'],
      \ ['import "|std', 'campString'],
      \ ['/* Block |comment', 'campBlockComment'],
      \ ['keywords: |schema campaign', 'campBlockComment'],
      \ ['where union |90d */', 'campBlockComment'],
      \ ['|schema stores', 'campDecl'],
      \ ['schema |stores', 'campSchemaName'],
      \ ['id |int key; city', 'campType'],
      \ ['id int |key; city', 'campDecl'],
      \ ['|email text unique', ''],
      \ ['unique address(|email)', ''],
      \ ['// the |address column', 'campComment'],
      \ ['tier |enum(', 'campDecl'],
      \ ['default |0.5', 'campDecimal'],
      \ ['store_id int |-> stores', 'campOperator'],
      \ ['updated_at |timestamp', 'campType'],
      \ ['|func spend', 'campDecl'],
      \ ['func |spend', 'campFuncName'],
      \ ['decimal = |coalesce(', 'campFunction'],
      \ ['filter |big on', 'campFuncName'],
      \ ['big |on customers', 'campDecl'],
      \ ['loyalty |>= 1000', 'campOperator'],
      \ ['|1000 and not', 'campNumber'],
      \ ['1000 |and not', 'campRule'],
      \ ['and |not country', 'campRule'],
      \ ['country |like "X%"', 'campRule'],
      \ ['|campaign spring_sale', 'campDecl'],
      \ ['campaign |spring_sale', 'campCampaignName'],
      \ ['|title "Spring', 'campHeader'],
      \ ['|seed 42', 'campHeader'],
      \ ['|owner "crm', 'campHeader'],
      \ ['|title text', ''],
      \ ['|buyers  = customers', 'campStepName'],
      \ ['buyers  |= customers', 'campOperator'],
      \ ['customers |where country', 'campClause'],
      \ ['country |in ["SE"', 'campRule'],
      \ ['at > |2026-03-01', 'campDate'],
      \ ['not |exists purchases', 'campRule'],
      \ ['at > |now() - 90d', 'campFunction'],
      \ ['now() - |90d', 'campDuration'],
      \ ['|everyone = union', 'campStepName'],
      \ ['everyone = |union(', 'campStep'],
      \ ['|uniq, dupes', 'campStepName'],
      \ ['uniq, |dupes', 'campStepName'],
      \ ['|dedup everyone', 'campStep'],
      \ ['everyone |by lower', 'campClause'],
      \ ['by |lower(email)', 'campFunction'],
      \ ['lower(|email)', ''],
      \ ['|keep 1 prefer', 'campClause'],
      \ ['prefer |max(loyalty)', 'campAggregate'],
      \ ['|spent_90d = sum', ''],
      \ ['spent_90d = |sum(', 'campAggregate'],
      \ ['|first 3 purchases', 'campClause'],
      \ ['|vip, gold, rest', 'campStepName'],
      \ ['vip, |gold, rest', 'campStepName'],
      \ ['vip, gold, |rest', 'campStepName'],
      \ ['|split rich', 'campStep'],
      \ ['|vip when', ''],
      \ ['vip |when spent', 'campClause'],
      \ ['limit |10%', 'campNumber'],
      \ ['limit 10|%', 'campOperator'],
      \ ['|else', 'campClause'],
      \ ['|until 2026', 'campClause'],
      \ ['until |2026-03-01 09:00', 'campTimestamp'],
      \ ['|vip_mail = email', 'campStepName'],
      \ ['vip_mail = |email vip', 'campChannel'],
      \ ['{ |subject "', 'campClause'],
      \ ['subject "|{{first_name}}', 'campPlaceholder'],
      \ ['{{first_name}}, |your gift', 'campString'],
      \ ['|template "t.html"', 'campClause'],
      \ ['|sms later', 'campChannel'],
      \ ['"Sale at |{{ store.city }}', 'campPlaceholder'],
      \ ['{{ store.city }}|: 20%', 'campString'],
      \ ['|retarget vip_mail', 'campStep'],
      \ ['not |opened within', 'campFeedback'],
      \ ['opened |within 3h', 'campClause'],
      \ ['within |3h', 'campDuration'],
      \ ['|reconcile "r.csv"', 'campStep'],
      \ ['on |email = email', ''],
      \ ['where |date(at)', 'campFunction'],
      \ ['= |today()', 'campFunction'],
      \ ['flag |is not null', 'campRule'],
      \ ['is not |null', 'campLiteral'],
      \ ['ok = |true', 'campLiteral'],
      \ ])

" ---- every word of `camp keywords --format json`, in a context of its class
let s:kw = json_decode(join(readfile($CAMP_KEYWORDS_JSON), "\n"))
let s:groups = {'decl': 'campDecl', 'step': 'campStep', 'channel': 'campChannel',
      \ 'clause': 'campClause', 'rule': 'campRule', 'literal': 'campLiteral'}
let s:lines = []
let s:want = []
let s:bad = []
let s:keywords = {}
for [cls, words] in items(s:kw.keywords)
  if !has_key(s:groups, cls)
    call add(s:bad, 'keyword class ' . cls . ' has no highlight group')
    continue
  endif
  for w in words
    let s:keywords[w] = 1
    call add(s:lines, cls ==# 'channel' ? w . ' x "s"' : w)
    call add(s:want, [w, s:groups[cls], 1])
  endfor
endfor
for w in s:kw.types
  if !has_key(s:keywords, w)   " keywords win over types (enum)
    call add(s:lines, 'f ' . w)
    call add(s:want, [w, 'campType', 3])
  endif
endfor
for [lst, grp] in [['functions', 'campFunction'], ['aggregates', 'campAggregate']]
  for w in s:kw[lst]
    call add(s:lines, w . '(x)')
    call add(s:want, [w, grp, 1])
  endfor
endfor
for w in s:kw.feedback
  call add(s:lines, w)
  call add(s:want, [w, 'campFeedback', 1])
endfor
" header fields count only in a campaign's body
call add(s:lines, 'campaign c {')
call add(s:want, ['campaign', 'campDecl', 1])
for w in s:kw.headers
  call add(s:lines, '  ' . w . ' "x"')
  call add(s:want, [w, 'campHeader', 3])
endfor
call add(s:lines, '}')
call add(s:want, ['}', 'campBrace', 1])
enew
setfiletype camp
call setline(1, s:lines)
syntax sync fromstart
for i in range(len(s:want))
  let [w, grp, col] = s:want[i]
  let got = synIDattr(synID(i + 1, col, 1), 'name')
  if got !=# grp
    call add(s:bad, printf('%s: want %s, got %s', w, grp, string(got)))
  endif
endfor
call s:Check('vim: every keywords.def word (' . len(s:want) . ')', empty(s:bad), join(s:bad, '; '))
bwipe!

" ---- indentation: re-indent the sample flattened to column 0
let s:expected = readfile(s:root . '/tests/editors/sample.camp')
enew
setfiletype camp
setlocal shiftwidth=2 expandtab
call setline(1, map(copy(s:expected), 'substitute(v:val, "^\\s*", "", "")'))
silent normal! gg=G
let s:diff = []
for i in range(len(s:expected))
  if getline(i + 1) !=# s:expected[i]
    call add(s:diff, printf('line %d: %s', i + 1, string(getline(i + 1))))
  endif
endfor
call s:Check('vim: indent', empty(s:diff), join(s:diff[:4], '; '))
bwipe!

" ---- :make errorformat on real `camp check` output
let s:out = readfile($CAMP_CHECK_OUTPUT)
execute 'edit ' . fnameescape(s:root . '/tests/editors/sample.camp')
" :make reads the buffer-local 'errorformat'; :cgetexpr only the global one.
let &g:errorformat = &l:errorformat
cgetexpr s:out
let s:qf = filter(getqflist(), 'v:val.valid')
let s:desc = map(copy(s:qf), 'printf("%d:%d:%s:%s", v:val.lnum, v:val.col, v:val.type, v:val.text)')
call s:Check('vim: errorformat', s:desc ==# split($CAMP_CHECK_EXPECT, "\n"),
      \ 'got ' . string(s:desc))

" ---- indentation agrees with `camp fmt`: every file of $CAMP_INDENT_FILES
" (`camp fmt` outputs, one per example), opened as a user would (the
" ftplugin's 'shiftwidth', no settings of ours), flattened to column 0 and
" re-indented with gg=G, must come back unchanged.
for s:f in split($CAMP_INDENT_FILES, ':')
  execute 'edit ' . fnameescape(s:f)
  let s:want = getline(1, '$')
  silent %s/^\s\+//e
  silent normal! gg=G
  let s:diff = []
  for s:i in range(len(s:want))
    if getline(s:i + 1) !=# s:want[s:i]
      call add(s:diff, printf('line %d: %s, want %s', s:i + 1, string(getline(s:i + 1)), string(s:want[s:i])))
    endif
  endfor
  call s:Check('vim: indent like camp fmt: ' . fnamemodify(s:f, ':t'), empty(s:diff), join(s:diff[:3], '; '))
  bwipe!
endfor

call writefile(s:results, $CAMP_RESULT)
qa!
