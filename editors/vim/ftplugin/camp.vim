" Vim filetype plugin — camp (*.camp)
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=//\ %s
setlocal comments=s1:/*,mb:*,ex:*/,://
setlocal formatoptions-=t formatoptions+=croql
setlocal suffixesadd=.camp
setlocal iskeyword=@,48-57,_
" `camp fmt` indents by 2 spaces, never tabs.
setlocal shiftwidth=2 softtabstop=2 expandtab
" :make runs the checker on this file; its diagnostics read
" `file:line:col: error: message` (also warning/note), followed by a source
" excerpt and hints that the quickfix list skips.
setlocal makeprg=camp\ check\ %
setlocal errorformat=%f:%l:%c:\ %trror:\ %m,%f:%l:%c:\ %tarning:\ %m,%f:%l:%c:\ %tote:\ %m,%-G%.%#

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< suffixesadd< iskeyword< makeprg< errorformat< shiftwidth< softtabstop< expandtab<'
