" Vim indent file — camp (*.camp), the layout of `camp fmt`: one
" 'shiftwidth' per open brace, bracket or parenthesis (a line starting with
" a closer goes back one level); a rule broken before `and`/`or` goes on
" continuation lines two levels (4 columns) deeper than the line its item
" starts on, and two more per `exists c where` the rule starts with; a
" reconcile's `columns (...)` and `to ... on ...` lines are two deeper.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetCampIndent(v:lnum)
setlocal indentkeys=0{,0},0),0],!^F,o,O,=and,=or
setlocal autoindent nosmartindent nocindent
let b:undo_indent = 'setlocal indentexpr< indentkeys< autoindent< smartindent< cindent<'

if exists('*GetCampIndent')
  finish
endif

" The line without strings and comments, so braces inside them don't count.
function! s:Code(lnum) abort
  let l = getline(a:lnum)
  let l = substitute(l, '"\%([^"\\]\|\\.\)*"', '""', 'g')
  let l = substitute(l, '`[^`]*`', '``', 'g')
  let l = substitute(l, '/\*.\{-}\*/', '', 'g')
  return substitute(l, '//.*$', '', '')
endfunction

" Number of pattern matches in str.
function! s:Count(str, pat) abort
  return len(split(a:str, a:pat, 1)) - 1
endfunction

function! s:InComment(lnum) abort
  return synIDattr(synID(a:lnum, max([1, indent(a:lnum)]), 1), 'name') ==# 'campBlockComment'
endfunction

" Is line lnum (whose item started on line start) a continuation line?
function! s:IsCont(lnum, start) abort
  let code = s:Code(a:lnum)
  if code =~# '^\s*\%(and\|or\)\>'
    return 1
  endif
  return a:start > 0 && code =~# '^\s*\%(columns\s*(\|to\>\)' && s:Code(a:start) =~# '\<reconcile\>'
endfunction

" The previous line holding code (no blank, comment-only or block-comment line).
function! s:PrevCode(lnum) abort
  let l = prevnonblank(a:lnum - 1)
  while l > 0 && (s:Code(l) =~# '^\s*$' || s:InComment(l))
    let l = prevnonblank(l - 1)
  endwhile
  return l
endfunction

" The line the item of line lnum starts on: back over continuation lines.
function! s:Start(lnum) abort
  let l = a:lnum
  while l > 0
    let c = s:Code(l)
    if c !~# '^\s*\%(\%(and\|or\|to\)\>\|columns\s*(\)'
      return l
    endif
    let p = s:PrevCode(l)
    if p == 0
      return l
    endif
    " columns/to continue a line only after a reconcile
    if c =~# '^\s*\%(columns\|to\)\>' && s:Code(s:Start(p)) !~# '\<reconcile\>'
      return l
    endif
    let l = p
  endwhile
  return a:lnum
endfunction

" How many `exists c where` the rule of the item on line lnum starts with
" (a leading `not` is looked through), as `camp fmt` nests them.
function! s:ExistsDepth(lnum) abort
  let code = s:Code(a:lnum)
  " parenthesized text cannot hold the rule's start
  let prev = ''
  while prev !=# code
    let prev = code
    let code = substitute(code, '([^()]*)', '', 'g')
  endwhile
  if code =~# '^\s*\%(filter\|func\)\>'
    let rule = matchstr(code, '[^!<>=]=\zs.*')
  elseif code =~# '^\s*\%(\k\+\|`[^`]*`\)\s\+when\>'
    let rule = matchstr(code, '\<when\>\zs.*')
  else
    let rule = matchstr(code, '\<where\>\zs.*')
  endif
  let n = 0
  let pat = '^\s*\%(not\s\+\)*exists\s\+[A-Za-z0-9_.`]\+\s\+where\>'
  while rule =~# pat
    let n += 1
    let rule = substitute(rule, pat, '', '')
  endwhile
  return n
endfunction

function! GetCampIndent(lnum) abort
  let prev = s:PrevCode(a:lnum)
  if prev == 0
    return 0
  endif
  " Inside a block comment: keep the previous indentation.
  if s:InComment(a:lnum)
    return indent(prevnonblank(a:lnum - 1))
  endif
  let start = s:Start(prev)
  if s:IsCont(a:lnum, start)
    let deep = getline(a:lnum) =~# '^\s*\%(and\|or\)\>' ? 1 + s:ExistsDepth(start) : 1
    return indent(start) + 2 * shiftwidth() * deep
  endif
  " After a continuation, the item's own line sets the indentation; the
  " brackets its lines leave open count.
  let open = 0
  for l in range(start, prev)
    let code = s:Code(l)
    let lead = l == start ? strlen(matchstr(code, '^\s*\zs[}\])]*')) : 0
    let open += s:Count(code, '[{[(]') - s:Count(code, '[}\])]') + lead
  endfor
  let ind = indent(start) + shiftwidth() * (open > 0 ? 1 : open < 0 ? -1 : 0)
  if getline(a:lnum) =~# '^\s*[}\])]'
    let ind -= shiftwidth()
  endif
  return max([0, ind])
endfunction
