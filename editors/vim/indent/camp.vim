" Vim indent file — camp (*.camp): one 'shiftwidth' per open brace, bracket
" or parenthesis; a line starting with a closer goes back one level.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetCampIndent(v:lnum)
setlocal indentkeys=0{,0},0),0],!^F,o,O
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

" Indent of line lnum: the previous code line's indent, plus one level per
" bracket it leaves open (closers at its start were already dedented there).
function! GetCampIndent(lnum) abort
  let prev = prevnonblank(a:lnum - 1)
  if prev == 0
    return 0
  endif
  " Inside a block comment: keep the previous indentation.
  if synIDattr(synID(a:lnum, max([1, indent(a:lnum)]), 1), 'name') ==# 'campBlockComment'
    return indent(prev)
  endif
  let code = s:Code(prev)
  let lead = strlen(matchstr(code, '^\s*\zs[}\])]*'))
  let open = s:Count(code, '[{[(]') - s:Count(code, '[}\])]') + lead
  let ind = indent(prev) + shiftwidth() * (open > 0 ? 1 : open < 0 ? -1 : 0)
  if getline(a:lnum) =~# '^\s*[}\])]'
    let ind -= shiftwidth()
  endif
  return max([0, ind])
endfunction
