" Vim syntax file
" Language: camp (batch marketing campaigns, *.camp)
" The line after each `@generated LIST` marker is rewritten from
" `camp keywords --format json` by tools/gen_editors.sh: edit
" lang/keywords.def, never these lists.

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
" Campaign bodies span many lines and step names depend on them.
syn sync fromstart

" Word lists.  All are matches, not `syn keyword` (some words, like
" `contains`, are :syntax options); among matches starting at the same column
" the last defined wins, so keywords come after types (`enum`) and calls after
" both (`date(x)`).
" @generated types
syn match campType "\<\%(int\|decimal\|text\|bool\|date\|timestamp\|duration\|enum\)\>"
" @generated feedback
syn match campFeedback "\<\%(sent\|delivered\|bounced\|opened\|clicked\|unsubscribed\|failed\)\>"
" @generated keywords.decl
syn match campDecl "\<\%(import\|schema\|campaign\|func\|filter\|key\|unique\|address\|default\|version\|enum\|on\|provider\|schedule\|approval\)\>"
" @generated keywords.step
syn match campStep "\<\%(union\|intersect\|except\|dedup\|enrich\|split\|change\|dimension\|fork\|join\|wait\|save\|audience\|retarget\|reconcile\)\>"
" @generated keywords.clause
syn match campClause "\<\%(where\|by\|keep\|prefer\|first\|order\|asc\|desc\|when\|limit\|else\|overlap\|skip\|empty\|to\|via\|primary\|until\|as\|of\|within\|columns\|subject\|template\|body\|extract\|from\|env\)\>"
" @generated keywords.rule
syn match campRule "\<\%(and\|or\|not\|in\|between\|is\|like\|contains\|starts\|with\|exists\|nulls\|distinct\)\>"
" @generated keywords.literal
syn match campLiteral "\<\%(null\|true\|false\)\>"
" Channels are also common column names: only at the start of an item,
" as in `email NAME {` / `x = sms NAME "`.
" @generated keywords.channel
syn match campChannel "\%(\%(^\|[={;]\|\*/\)\s*\)\@<=\<\%(email\|sms\|push\|mail\)\>\ze\s\+\h\w*\s*[{"]"
" Built-in functions and aggregates, when called.
" @generated functions
syn match campFunction "\<\%(now\|today\|lower\|upper\|trim\|length\|substr\|replace\|concat\|coalesce\|abs\|round\|floor\|ceil\|year\|month\|day\|hour\|weekday\|days_since\|age\|date\|days_between\|weekday_iso\|date_trunc\|to_timezone\)\>\ze\s*("
" @generated aggregates
syn match campAggregate "\<\%(count\|sum\|avg\|min\|max\|stddev\|stddev_pop\|string_agg\|group_concat\)\>\ze\s*("

" Operators and punctuation (before comments, so `//` wins over `/`).
syn match campOperator "->\|!=\|<>\|<=\|>=\|||\|==\|[-+*/%=<>]"
syn match campDelimiter "[,;.:]"

" Literals: among matches starting at the same column the last defined wins,
" so the longest forms come last.
syn match campNumber "\<\d\+\>"
syn match campDecimal "\<\d\+\.\d\+\>"
syn match campDuration "\<\d\+[smhdw]\>"
syn match campDate "\<\d\{4}-\d\{2}-\d\{2}\>"
syn match campTimestamp "\<\d\{4}-\d\{2}-\d\{2}[ T]\d\{2}:\d\{2}\%(:\d\{2}\)\=\>"

syn region campString start=+"+ skip=+\\.+ end=+"\|$+ oneline contains=campEscape,campPlaceholder,@Spell
syn match campEscape "\\." contained
syn match campPlaceholder "{{\s*\h[[:alnum:]_.]*\s*}}" contained
syn region campBadString start=+'+ skip=+\\.+ end=+'+ oneline
syn match campQuotedIdent "`\h\w*`"

" Names at their definition.
syn match campSchemaName "\%(\<schema\s\+\)\@<=\h\w*"
syn match campCampaignName "\%(\<campaign\s\+\)\@<=\h\w*"
syn match campFuncName "\%(\<\%(func\|filter\)\s\+\)\@<=\h\w*"

" Braces: a campaign body holds step definitions; nested blocks (enrich,
" split, channel properties) do not.
syn region campBlock matchgroup=campBrace start="{" end="}" transparent contains=TOP
syn region campCampaign matchgroup=campBrace start="\%(\<campaign\s\+\h\w*\_s*\)\@<={" end="}" transparent contains=TOP
" Contained in the campaign body only (not in nested blocks); `TOP,group`
" would mean all top-level groups except that one.
syn match campStepName "\%(\%(^\|[{;]\|\*\/\)\s*\%(\h\w*\s*,\s*\)*\)\@<=\h\w*\ze\%(\s*,\s*\h\w*\)*\s*==\@!" contained containedin=campCampaign

" Campaign header fields (`title "..."`, `seed 42`): at the start of an item
" of the campaign body, followed by a string or a number.
" @generated headers
syn match campHeader +\%(\%(^\|[{;]\|\*\/\)\s*\)\@<=\<\%(title\|seed\|description\|owner\|start_date\|end_date\|holdout\)\>\ze\s\+\%("\|-\=\d\)+ contained containedin=campCampaign

syn keyword campTodo TODO FIXME XXX NOTE contained
syn region campComment start="//" end="$" contains=campTodo,@Spell
syn region campBlockComment start="/\*" end="\*/" contains=campTodo,@Spell

hi def link campDecl         Structure
hi def link campStep         Statement
hi def link campChannel      Special
hi def link campClause       Keyword
hi def link campRule         Operator
hi def link campLiteral      Boolean
hi def link campFeedback     Constant
hi def link campType         Type
hi def link campFunction     Function
hi def link campAggregate    Function
hi def link campOperator     Operator
hi def link campDelimiter    Delimiter
hi def link campBrace        Delimiter
hi def link campNumber       Number
hi def link campDecimal      Float
hi def link campDuration     Number
hi def link campDate         Constant
hi def link campTimestamp    Constant
hi def link campString       String
hi def link campEscape       SpecialChar
hi def link campPlaceholder  Identifier
hi def link campBadString    Error
hi def link campQuotedIdent  Identifier
hi def link campSchemaName   Type
hi def link campCampaignName Title
hi def link campFuncName     Function
hi def link campStepName     Function
hi def link campHeader       Keyword
hi def link campTodo         Todo
hi def link campComment      Comment
hi def link campBlockComment Comment

let b:current_syntax = 'camp'
let &cpo = s:cpo_save
unlet s:cpo_save
