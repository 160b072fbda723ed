;;; camp-mode.el --- Major mode for camp batch-campaign files  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "26.1"))
;; Keywords: languages

;;; Commentary:

;; Editing support for camp (*.camp): highlighting, `//' and `/* */'
;; comments, indentation as `camp fmt' lays files out, `M-x compile' with `camp check'
;; errors, and a Flymake backend that runs `camp check' as you type.
;;
;;   (add-to-list 'load-path "/path/to/camp/editors/emacs")
;;   (require 'camp-mode)
;;
;; The word lists are generated: the line after each `@generated LIST'
;; marker is rewritten from `camp keywords --format json' by
;; tools/gen_editors.sh.  Edit lang/keywords.def, never these lists.

;;; Code:

(require 'compile)
(require 'flymake)

(defgroup camp nil
  "Major mode for camp batch-campaign files."
  :group 'languages
  :prefix "camp-")

(defcustom camp-indent-offset 2
  "Indentation per open brace, bracket or parenthesis."
  :type 'integer
  :safe #'integerp)

(defcustom camp-program "camp"
  "The camp command, used by `camp-flymake' and `camp-compile'."
  :type 'string)

;;;; Vocabulary (generated)

;; @generated keywords.decl
(defconst camp-decl-keywords '("import" "schema" "campaign" "func" "filter" "key" "unique" "address" "default" "version" "enum" "on" "provider" "schedule" "approval"))
;; @generated keywords.step
(defconst camp-step-keywords '("union" "intersect" "except" "dedup" "enrich" "split" "change" "dimension" "fork" "join" "wait" "save" "audience" "retarget" "reconcile"))
;; @generated keywords.channel
(defconst camp-channel-keywords '("email" "sms" "push" "mail"))
;; @generated keywords.clause
(defconst camp-clause-keywords '("where" "by" "keep" "prefer" "first" "order" "asc" "desc" "when" "limit" "else" "overlap" "skip" "empty" "to" "via" "primary" "until" "as" "of" "within" "columns" "subject" "template" "body" "extract" "from" "env"))
;; @generated keywords.rule
(defconst camp-rule-keywords '("and" "or" "not" "in" "between" "is" "like" "contains" "starts" "with" "exists" "nulls" "distinct"))
;; @generated keywords.literal
(defconst camp-literal-keywords '("null" "true" "false"))
;; @generated types
(defconst camp-types '("int" "decimal" "text" "bool" "date" "timestamp" "duration" "enum"))
;; @generated functions
(defconst camp-functions '("now" "today" "lower" "upper" "trim" "length" "substr" "replace" "concat" "coalesce" "abs" "round" "floor" "ceil" "year" "month" "day" "hour" "weekday" "days_since" "age" "date" "days_between" "weekday_iso" "date_trunc" "to_timezone"))
;; @generated aggregates
(defconst camp-aggregates '("count" "sum" "avg" "min" "max" "stddev" "stddev_pop" "string_agg" "group_concat"))
;; @generated feedback
(defconst camp-feedback '("sent" "delivered" "bounced" "opened" "clicked" "unsubscribed" "failed"))
;; @generated headers
(defconst camp-headers '("title" "seed" "description" "owner" "start_date" "end_date" "holdout"))

;;;; Faces

(defface camp-declaration-face '((t :inherit font-lock-keyword-face))
  "Declaration keywords: schema, campaign, key, ...")
(defface camp-step-face '((t :inherit font-lock-keyword-face))
  "Step keywords: union, dedup, split, ...")
(defface camp-channel-face '((t :inherit font-lock-builtin-face))
  "Channel keywords used as steps: email, sms, push, mail.")
(defface camp-clause-face '((t :inherit font-lock-keyword-face))
  "Clause keywords: where, by, order, ...")
(defface camp-rule-face '((t :inherit font-lock-keyword-face))
  "Rule operators written as words: and, or, not, in, ...")
(defface camp-literal-face '((t :inherit font-lock-constant-face))
  "null, true, false.")
(defface camp-type-face '((t :inherit font-lock-type-face))
  "Built-in types.")
(defface camp-function-face '((t :inherit font-lock-builtin-face))
  "Built-in functions, when called.")
(defface camp-aggregate-face '((t :inherit font-lock-builtin-face))
  "Aggregates, when called.")
(defface camp-feedback-face '((t :inherit font-lock-constant-face))
  "Delivery feedback events (opened, clicked, ...).")
(defface camp-number-face '((t :inherit font-lock-constant-face))
  "Integer and decimal numbers.")
(defface camp-duration-face '((t :inherit font-lock-constant-face))
  "Durations such as 90d or 3h.")
(defface camp-date-face '((t :inherit font-lock-constant-face))
  "Dates and timestamps.")
(defface camp-operator-face '((t :inherit default))
  "Operators.")
(defface camp-placeholder-face '((t :inherit font-lock-variable-name-face))
  "{{placeholders}} inside strings.")
(defface camp-schema-name-face '((t :inherit font-lock-type-face))
  "A schema's name at its declaration.")
(defface camp-campaign-name-face '((t :inherit font-lock-function-name-face))
  "A campaign's (or func's, filter's) name at its declaration.")
(defface camp-step-name-face '((t :inherit font-lock-variable-name-face))
  "The names a campaign step defines (left of `=').")
(defface camp-header-face '((t :inherit font-lock-keyword-face))
  "Campaign header fields: `title', `seed', `description', `owner'.")

;;;; Syntax

(defvar camp-mode-syntax-table
  (let ((st (make-syntax-table)))
    (modify-syntax-entry ?/ ". 124b" st)
    (modify-syntax-entry ?* ". 23" st)
    (modify-syntax-entry ?\n "> b" st)
    (modify-syntax-entry ?\" "\"" st)
    (modify-syntax-entry ?' "\"" st)
    (modify-syntax-entry ?\\ "\\" st)
    (modify-syntax-entry ?_ "_" st)
    (dolist (c '(?+ ?- ?= ?< ?> ?% ?| ?! ?` ?. ?, ?\; ?:))
      (modify-syntax-entry c "." st))
    st)
  "Syntax table for `camp-mode'.")

(defconst camp--ident "[A-Za-z_][A-Za-z0-9_]*")

(defun camp--words (words)
  "A regexp matching any of WORDS as a whole symbol, in group 1."
  (concat "\\_<\\(" (regexp-opt words) "\\)\\_>"))

(defun camp--in-code-p (pos)
  "Non-nil when POS is outside strings and comments."
  (not (nth 8 (save-excursion (syntax-ppss pos)))))

(defun camp--match-placeholder (limit)
  "Font-lock matcher: the next {{placeholder}} inside a string before LIMIT."
  (let (found)
    (while (and (not found)
                (re-search-forward "{{[ \t]*[A-Za-z_][A-Za-z0-9_.]*[ \t]*}}" limit t))
      (when (nth 3 (save-excursion (syntax-ppss (match-beginning 0))))
        (setq found t)))
    found))

(defun camp--campaign-body-p (pos)
  "Non-nil when POS is at the top level of a campaign body."
  (let ((ppss (save-excursion (syntax-ppss pos))))
    (and (= (car ppss) 1)
         (eq (char-after (nth 1 ppss)) ?{)
         (save-excursion
           (goto-char (nth 1 ppss))
           (skip-chars-backward " \t\n")
           (looking-back (concat "\\_<campaign[ \t\n]+" camp--ident)
                         (line-beginning-position 0))))))

(defun camp--match-step-name (limit)
  "Font-lock matcher: the next name a campaign item defines, before LIMIT.
That is an identifier in `a, b, c = ...' at the start of an item."
  (let ((re (concat "\\_<" camp--ident "\\_>"))
        (after (concat "\\(?:[ \t]*,[ \t]*" camp--ident "\\)*[ \t]*=[^=]"))
        (before (concat "\\(?:^\\|[{;]\\)[ \t]*\\(?:" camp--ident
                        "[ \t]*,[ \t]*\\)*\\="))
        found)
    (while (and (not found) (re-search-forward re limit t))
      (let ((beg (match-beginning 0)) (end (match-end 0)))
        (when (and (save-excursion (goto-char end) (looking-at after))
                   (save-excursion (goto-char beg)
                                   (re-search-backward before (line-beginning-position) t))
                   (camp--in-code-p beg)
                   (camp--campaign-body-p beg))
          (set-match-data (list beg end))
          (setq found t))))
    found))

(defconst camp-font-lock-keywords
  `((camp--match-placeholder 0 'camp-placeholder-face t)
    (,(concat "\\_<\\(schema\\)[ \t]+\\(" camp--ident "\\)")
     (1 'camp-declaration-face) (2 'camp-schema-name-face))
    (,(concat "\\_<\\(campaign\\|func\\|filter\\)[ \t]+\\(" camp--ident "\\)")
     (1 'camp-declaration-face) (2 'camp-campaign-name-face))
    (camp--match-step-name 0 'camp-step-name-face)
    ;; Campaign header fields: at the start of an item, before a string or a number.
    (,(concat "\\(?:^\\|[{;]\\|\\*/\\)[ \t]*" (camp--words camp-headers) "[ \t]+\\(?:\"\\|-?[0-9]\\)")
     1 'camp-header-face)
    ("\\_<[0-9]\\{4\\}-[0-9]\\{2\\}-[0-9]\\{2\\}[ T][0-9]\\{2\\}:[0-9]\\{2\\}\\(?::[0-9]\\{2\\}\\)?\\_>"
     0 'camp-date-face)
    ("\\_<[0-9]\\{4\\}-[0-9]\\{2\\}-[0-9]\\{2\\}\\_>" 0 'camp-date-face)
    ("\\_<[0-9]+[smhdw]\\_>" 0 'camp-duration-face)
    ("\\_<[0-9]+\\(?:\\.[0-9]+\\)?\\_>" 0 'camp-number-face)
    (,(concat (camp--words camp-functions) "[ \t]*(") 1 'camp-function-face)
    (,(concat (camp--words camp-aggregates) "[ \t]*(") 1 'camp-aggregate-face)
    ;; Channel words are column names too: only at the start of an item, as
    ;; in `email NAME {' / `x = sms NAME "'.
    (,(concat "\\(?:^\\|[={;]\\|\\*/\\)[ \t]*" (camp--words camp-channel-keywords)
              "[ \t]+" camp--ident "[ \t]*[{\"]")
     1 'camp-channel-face)
    (,(camp--words camp-decl-keywords) 1 'camp-declaration-face)
    (,(camp--words camp-step-keywords) 1 'camp-step-face)
    (,(camp--words camp-clause-keywords) 1 'camp-clause-face)
    (,(camp--words camp-rule-keywords) 1 'camp-rule-face)
    (,(camp--words camp-literal-keywords) 1 'camp-literal-face)
    (,(camp--words camp-types) 1 'camp-type-face)
    (,(camp--words camp-feedback) 1 'camp-feedback-face)
    ("->\\|!=\\|<>\\|<=\\|>=\\|||\\|==\\|[-+*/%=<>]" 0 'camp-operator-face))
  "Highlighting for `camp-mode'; strings and comments come from the syntax table.")

;;;; Indentation

;; The layout of `camp fmt': `camp-indent-offset' per open brace, bracket
;; or parenthesis; a rule broken before `and'/`or' goes on continuation
;; lines two levels deeper than the line its item starts on, and two more
;; per `exists c where' the rule starts with; a reconcile's `columns (...)'
;; and `to ... on ...' lines are two levels deeper.

(defun camp--code (&optional pos)
  "The code of the line at POS (or point): strings blanked, comments dropped."
  (save-excursion
    (when pos (goto-char pos))
    (let ((l (buffer-substring-no-properties (line-beginning-position) (line-end-position))))
      (setq l (replace-regexp-in-string "\"\\(?:[^\"\\\\]\\|\\\\.\\)*\"" "\"\"" l))
      (setq l (replace-regexp-in-string "`[^`]*`" "``" l))
      (setq l (replace-regexp-in-string "/\\*.*?\\*/" "" l))
      (replace-regexp-in-string "//.*\\'" "" l))))

(defun camp--prev-code-line ()
  "Move to the previous line holding code; nil when there is none."
  (let (found)
    (while (and (not found) (= 0 (forward-line -1)))
      (unless (or (string-match-p "\\`[ \t]*\\'" (camp--code))
                  (nth 4 (syntax-ppss (line-beginning-position))))
        (setq found t)))
    found))

(defun camp--cont-word-p (code)
  "Does CODE start like a continuation line (and, or, columns (, to)?"
  (string-match-p "\\`[ \t]*\\(?:\\(?:and\\|or\\|to\\)\\_>\\|columns[ \t]*(\\)" code))

(defun camp--item-start ()
  "Point at the start of the line the item of the current line starts on."
  (let ((pos (line-beginning-position)) (done nil))
    (save-excursion
      (while (not done)
        (let ((code (camp--code)))
          (if (not (camp--cont-word-p code))
              (setq done t)
            (let ((here (line-beginning-position)))
              (if (not (camp--prev-code-line))
                  (setq done t)
                ;; columns/to continue a line only after a reconcile
                (if (and (string-match-p "\\`[ \t]*\\(?:columns\\|to\\)\\_>" code)
                         (not (string-match-p "\\_<reconcile\\_>"
                                              (camp--code (camp--item-start)))))
                    (progn (goto-char here) (setq done t))
                  (setq pos (line-beginning-position)))))))
        (setq pos (line-beginning-position))))
    pos))

(defun camp--exists-depth (code)
  "How many `exists c where' the rule of item line CODE starts with."
  (let ((prev nil) (rule nil) (n 0)
        (pat "\\`[ \t]*\\(?:not[ \t]+\\)*exists[ \t]+[A-Za-z0-9_.`]+[ \t]+where\\_>"))
    (while (not (equal prev code))
      (setq prev code code (replace-regexp-in-string "([^()]*)" "" code)))
    (setq rule
          (cond ((string-match "\\`[ \t]*\\(?:filter\\|func\\)\\_>" code)
                 (and (string-match "[^!<>=]=" code) (substring code (match-end 0))))
                ((string-match "\\`[ \t]*\\(?:\\(?:\\sw\\|\\s_\\)+\\|`[^`]*`\\)[ \t]+when\\_>" code)
                 (substring code (match-end 0)))
                ((string-match "\\_<where\\_>" code) (substring code (match-end 0)))))
    (while (and rule (string-match pat rule))
      (setq n (1+ n) rule (substring rule (match-end 0))))
    n))

(defun camp--continuation-indent ()
  "The indentation of the current line if it continues an item, else nil."
  (let ((code (camp--code)))
    (when (camp--cont-word-p code)
      (save-excursion
        (when (camp--prev-code-line)
          (let* ((start (camp--item-start))
                 (start-code (camp--code start))
                 (base (save-excursion (goto-char start) (current-indentation))))
            (cond ((string-match-p "\\`[ \t]*\\(?:and\\|or\\)\\_>" code)
                   (+ base (* 2 camp-indent-offset (1+ (camp--exists-depth start-code)))))
                  ((string-match-p "\\_<reconcile\\_>" start-code)
                   (+ base (* 2 camp-indent-offset))))))))))

(defun camp-indent-line ()
  "Indent the current line as `camp fmt' does (see `camp--continuation-indent')."
  (interactive)
  (let* ((ppss (save-excursion (syntax-ppss (line-beginning-position))))
         (closing (save-excursion (back-to-indentation) (looking-at-p "[]})]")))
         (depth (max 0 (- (car ppss) (if closing 1 0))))
         (offset (- (current-column) (current-indentation))))
    (if (nth 8 ppss)
        'noindent                       ; inside a block comment or string
      (indent-line-to (or (camp--continuation-indent) (* depth camp-indent-offset)))
      (when (> offset 0) (forward-char offset)))))

;;;; Compilation and Flymake

(defconst camp-diagnostic-regexp
  "^\\([^ \t\n:][^\n:]*\\):\\([0-9]+\\):\\([0-9]+\\): \\(?:\\(error\\)\\|\\(warning\\)\\|\\(note\\)\\): \\(.*\\)$"
  "A `camp check' diagnostic: file, line, column, level, message.")

(add-to-list 'compilation-error-regexp-alist-alist
             `(camp ,camp-diagnostic-regexp 1 2 3 (5 . 6)))
(add-to-list 'compilation-error-regexp-alist 'camp)

(defun camp-compile ()
  "Run `camp check' on the current file with `compile'."
  (interactive)
  (compile (concat camp-program " check "
                   (shell-quote-argument (or buffer-file-name (buffer-name))))))

(defvar-local camp--flymake-proc nil
  "The running `camp check' of this buffer's Flymake backend.")

(defun camp--flymake-diagnostics (source tmp)
  "Flymake diagnostics for SOURCE from the `camp check' output in this buffer.
Only diagnostics about TMP, the checked copy of SOURCE, are kept."
  (let (diags)
    (goto-char (point-min))
    (while (re-search-forward camp-diagnostic-regexp nil t)
      (when (string= (match-string 1) tmp)
        (let* ((line (string-to-number (match-string 2)))
               (col (string-to-number (match-string 3)))
               (type (cond ((match-beginning 5) :warning)
                           ((match-beginning 6) :note)
                           (t :error)))
               (region (flymake-diag-region source line col)))
          (push (flymake-make-diagnostic source (car region) (cdr region)
                                         type (match-string 7))
                diags))))
    (nreverse diags)))

(defun camp-flymake (report-fn &rest _args)
  "Flymake backend: `camp check' a copy of the buffer, report to REPORT-FN.
Imports resolve next to the visited file (passed as `-I')."
  (unless (executable-find camp-program)
    (error "Cannot find `%s'; set `camp-program'" camp-program))
  (when (process-live-p camp--flymake-proc)
    (kill-process camp--flymake-proc))
  (let* ((source (current-buffer))
         (tmp (make-temp-file "camp-flymake" nil ".camp"))
         (dir (and buffer-file-name (file-name-directory buffer-file-name))))
    (save-restriction
      (widen)
      (write-region nil nil tmp nil 'silent))
    (setq camp--flymake-proc
          (make-process
           :name "camp-flymake" :noquery t :connection-type 'pipe
           :buffer (generate-new-buffer " *camp-flymake*")
           :command (append (list camp-program "check")
                            (and dir (list "-I" (expand-file-name dir)))
                            (list tmp))
           :sentinel
           (lambda (proc _event)
             (when (memq (process-status proc) '(exit signal))
               (unwind-protect
                   (if (with-current-buffer source (eq proc camp--flymake-proc))
                       (with-current-buffer (process-buffer proc)
                         (funcall report-fn (camp--flymake-diagnostics source tmp)))
                     (flymake-log :debug "Canceling obsolete check %s" proc))
                 (kill-buffer (process-buffer proc))
                 (delete-file tmp))))))))

;;;; The mode

;;;###autoload
(define-derived-mode camp-mode prog-mode "camp"
  "Major mode for camp batch-campaign files (*.camp).
\\{camp-mode-map}"
  :syntax-table camp-mode-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "\\(?://+\\|/\\*+\\)[ \t]*")
  (setq-local font-lock-defaults '(camp-font-lock-keywords))
  (setq-local indent-line-function #'camp-indent-line)
  (setq-local indent-tabs-mode nil)     ; `camp fmt' indents with spaces
  (setq-local electric-indent-chars (append "{}[]()" electric-indent-chars))
  (setq-local compile-command
              (concat camp-program " check "
                      (if buffer-file-name (shell-quote-argument buffer-file-name) "")))
  (add-hook 'flymake-diagnostic-functions #'camp-flymake nil t))

(define-key camp-mode-map (kbd "C-c C-c") #'camp-compile)

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.camp\\'" . camp-mode))

(provide 'camp-mode)
;;; camp-mode.el ends here
