/* commands.c — the table of camp's sub-commands and their options.  It is
 * the one source of truth: main() dispatches through it, cli_parse() accepts
 * exactly the options listed here, and `camp help`, the man page
 * (`camp help --man`) and the shell completions (`camp completion SHELL`)
 * are generated from it.  To add an option: list it here and in the
 * command's cli_parse call (a mismatch is an internal error on every call). */
#include <string.h>

#include "cli/cli.h"

/* Options several commands share, spelled once. */
#define O_DB(h) {"db", "DB", "file", h}
#define O_CAMPAIGN {"campaign", "NAME", NULL, "the campaign to use when the files hold several"}
#define O_NOW {"now", "TS", NULL, "the clock: YYYY-MM-DD[ HH:MM[:SS]] (default: the current UTC time)"}
#define O_INCLUDE {"I", "DIR", "dir", "also look for imports in DIR (repeatable)"}
#define O_ENGINE \
  {"engine", "ENGINE", "sql|interp|jit|auto", "rule engine: sql, interp, jit or auto (default auto)"}
#define O_EXPLAIN {"explain", NULL, NULL, "per step: the engine that ran it, why, and its time"}
#define O_DEBUG_JIT {"debug-jit", "DIR", "dir", "write libgccjit's dump and a reproducer into DIR"}
#define O_TEXT_JSON {"format", "FORMAT", "text|json", "output as text (default) or json"}
#define O_OUTPUT(h) {"output", "PATH", "file", h}
#define O_SEND \
  {"send", NULL, NULL, "send the run's messages now (else a later `camp send` does)"}, \
  {"channel", "C", "email|sms|push|mail", "with --send: only this channel"}, \
  {"limit", "N", NULL, "with --send: at most N messages"}, \
  {"lease", "SECONDS", NULL, "with --send: how long a claimed batch is this worker's (default 120)"}, \
  {"batch", "N", NULL, "with --send: messages claimed at a time"}
#define O_AS {"as", "NAME", NULL, "who does it, for the audit (default $USER)"}
#define O_REASON {"reason", "TEXT", NULL, "why, for the audit"}
#define O_TRACK_URL \
  {"track-url", "URL", NULL, "base URL of `camp track`: links and an open pixel are rewritten to it"}

const CliCommand cli_commands[] = {
    {"check", cmd_check, "FILE... [options]",
     "report every error and warning; exit 1 on errors", "camp",
     "Loads the files and what they import, type-checks schemas and campaigns and prints "
     "every diagnostic as `file:line:col: error: message` with the source line and a caret.",
     {{"format", "FORMAT", "text|json", "diagnostics as text on stderr (default) or json on stdout"},
      O_INCLUDE},
     "camp check examples/retail/campaigns/*.camp"},
    {"sql", cmd_sql, "FILE... [options]",
     "print the campaign (or one step) as a SQLite script", "camp", NULL,
     {O_CAMPAIGN,
      {"step", "NAME", NULL, "only this step (a step label or one of its outputs)"},
      {"dialect", "NAME", "sqlite", "SQL dialect (sqlite)"},
      {"grouped", "TABLES", NULL, "postgres: aggregates over these tables (comma-separated, or `all`) as "
                                  "grouped joins that shards compute (camp plan/run pick the partitioned "
                                  "and foreign tables)"},
      O_NOW,
      {"format", "FORMAT", "text|json", "diagnostics as text (default) or json"},
      O_INCLUDE},
     "camp sql examples/retail/campaigns/spring_sale.camp --step vip"},
    {"fmt", cmd_fmt, "FILE... [options]",
     "rewrite files in the canonical layout, comments kept", "camp",
     "Rewrites each file in place and names every file it changed.  The file `-` is read "
     "from stdin and written to stdout.  Durations keep the unit they were written in.",
     {{"check", NULL, NULL, "change nothing; list the files that are not formatted (exit 1 if any)"},
      {"diff", NULL, NULL, "also print a unified diff of what changes (with --check: would change)"},
      O_OUTPUT("write the result to PATH (`-`: stdout) instead of rewriting the file"),
      {"format", "FORMAT", "text|json", "syntax errors as text (default) or json"}},
     "camp fmt --check --diff campaigns/*.camp"},
    {"schema", cmd_schema, "--from-db DB | --from-ddl FILE.sql [options]",
     "write .camp schemas for an existing database or DDL file", "none",
     "Infers column types (dates and timestamps from declared types and sampled values, "
     "booleans, enums marked as a guess), address kinds from column names, keys and links "
     "from primary and foreign keys.",
     {{"from-db", "DB", "file", "read the tables of this SQLite database (`sqlite:` prefix allowed)"},
      {"from-ddl", "FILE", "sql", "read the CREATE TABLE statements of this SQL file"},
      O_OUTPUT("write to PATH instead of stdout (left untouched on failure)")},
     "camp schema --from-db crm.sqlite --output schemas/crm.camp"},
    {"plan", cmd_plan, "FILE --db DB [options]",
     "dry run: the exact count of every step; nothing saved or queued", "camp",
     "Warns about steps that will be slow because a link or collection has no index, "
     "and prints the CREATE INDEX that fixes it.",
     {O_DB("the database to read"), O_CAMPAIGN, O_NOW, O_TEXT_JSON, O_ENGINE, O_EXPLAIN,
      O_DEBUG_JIT, O_INCLUDE},
     "camp plan examples/retail/campaigns/spring_sale.camp --db build/demo/retail.db \\\n"
     "    --now \"2026-03-01 09:00\""},
    {"run", cmd_run, "FILE --db DB [options]",
     "start a run: steps in dependency order, outbox, waits", "camp", NULL,
     {O_DB("the database to run against (camp's tables are added to it)"), O_CAMPAIGN, O_NOW,
      O_TEXT_JSON, O_ENGINE, O_EXPLAIN, O_DEBUG_JIT, O_TRACK_URL, O_INCLUDE, O_SEND,
      {"test", NULL, NULL, "a test run: every step but save and channels, with rendered previews"},
      O_AS, O_REASON,
      {"new-run", NULL, NULL, "start even while an earlier run of the campaign is unfinished or "
                              "after one queued messages (it would message them again)"}},
     "camp run examples/retail/campaigns/spring_sale.camp --db build/demo/retail.db"},
    {"resume", cmd_resume, "--db DB [options]",
     "continue every run whose waits are due (for cron)", "none",
     "Prints one line when nothing is due, so a cron log stays short.",
     {O_DB("the database of the runs"), O_NOW,
      {"run", "ID", NULL, "only this run"},
      O_TEXT_JSON, O_ENGINE, O_EXPLAIN, O_DEBUG_JIT, O_TRACK_URL, O_INCLUDE, O_SEND},
     "*/10 * * * *  camp resume --db /srv/data/crm.sqlite >> /var/log/camp.log 2>&1"},
    {"status", cmd_status, "--db DB [RUN] [options]",
     "runs, or one run's steps, outbox and warnings; space camp uses", "none", NULL,
     {O_DB("the database of the runs"), O_TEXT_JSON,
      {"now", "TS", NULL, "the clock used for `overdue` (default: the current UTC time)"},
      O_CAMPAIGN},
     "camp status --db build/demo/retail.db 1"},
    {"gc", cmd_gc, "--db DB [options]",
     "drop the result tables of old finished runs", "none",
     "Keeps the result tables (camp_r<RUN>_*) of the newest N finished runs of every "
     "campaign; runs still running, waiting or failed are never touched.  Run rows, counts "
     "and the outbox stay.",
     {O_DB("the database of the runs"),
      {"keep", "N", NULL, "finished runs to keep per campaign (default 3)"},
      {"dry-run", NULL, NULL, "only list what would be dropped"}},
     "camp gc --db build/demo/retail.db --keep 1"},
    {"values", cmd_values, "FILE --db DB --step STEP COLUMN [options]",
     "the 20 most frequent values of a column in a step's population", "camp", NULL,
     {O_DB("the database to read"),
      {"step", "STEP", NULL, "the step output whose population is counted"}, O_CAMPAIGN, O_NOW,
      O_INCLUDE},
     "camp values examples/retail/campaigns/spring_sale.camp --db build/demo/retail.db \\\n"
     "    --step rich city"},
    {"graph", cmd_graph, "FILE... [options]",
     "the campaign as a Graphviz graph, with a run's counts", "camp", NULL,
     {O_CAMPAIGN, O_DB("read a run's counts from DB"),
      {"run", "ID", NULL, "the run to show (default: the campaign's latest)"},
      {"format", "FORMAT", "dot|svg", "dot (default) or svg (needs graphviz)"},
      O_OUTPUT("write to PATH instead of stdout"), O_INCLUDE},
     "camp graph examples/retail/campaigns/spring_sale.camp --format svg --output g.svg"},
    {"outbox", cmd_outbox, "--db DB [options]", "list or export queued messages", "none", NULL,
     {O_DB("the database of the runs"),
      {"run", "ID", NULL, "only this run"},
      {"step", "NAME", NULL, "only this channel step"},
      {"format", "FORMAT", "text|csv|json", "text (default), csv or json"},
      O_OUTPUT("write to PATH instead of stdout")},
     "camp outbox --db build/demo/retail.db --run 1 --format csv --output outbox.csv"},
    {"snapshot", cmd_snapshot, "--db DB [FILE...] [options]",
     "build or refresh the columnar snapshot the interp engine reads", "camp", NULL,
     {O_DB("the database whose tables are snapshot"), O_CAMPAIGN,
      {"check", NULL, NULL, "compare the snapshot with a full build"}, O_INCLUDE},
     "camp snapshot --db build/demo/retail.db"},
    {"keywords", cmd_keywords, "[options]", "the language's vocabulary (for editor grammars)",
     "none", NULL, {{"format", "FORMAT", "text|json", "text (default) or json"}},
     "camp keywords --format json"},
    {"send", cmd_send, "--db DB [options]  |  FILE --db DB --step S --proof ADDR[,ADDR...]",
     "send due messages through their providers (SMTP, HTTP, file)", "camp",
     "Claims queued messages in leased batches (two workers never send one message at once), "
     "sends them with retries and backoff, and records every state change.  Secrets come from "
     "the environment variables the provider declarations name.  With --proof, a channel "
     "step's first rendered messages go to the test addresses through the step's provider "
     "(subject prefixed [proof]); nothing is queued or stored.",
     {O_DB("the database of the runs"),
      {"run", "ID", NULL, "only this run"},
      {"channel", "C", "email|sms|push|mail", "only this channel"},
      {"limit", "N", NULL, "at most N messages"},
      {"dry-run", NULL, NULL, "render and count, send nothing"}, O_NOW,
      {"lease", "SECONDS", NULL, "how long a claimed batch is this worker's (default 120)"},
      {"batch", "N", NULL, "messages claimed at a time (default 200)"},
      {"proof", "ADDRS", NULL, "send proofs of FILE's --step to these addresses (comma-separated)"},
      {"proofs", "N", NULL, "with --proof: the step's first N messages (default 3)"},
      {"step", "STEP", NULL, "with --proof: the channel step"}, O_CAMPAIGN, O_INCLUDE},
     "camp send --db crm.sqlite"},
    {"deploy", cmd_deploy, "FILE --db DB [options]",
     "record a new version of a campaign; counts against the previous version's plan", "camp",
     "An unchanged file deploys nothing; a changed one becomes the next version and its plan "
     "is compared step by step with the previous version's (like terraform plan).",
     {O_DB("the database to deploy to"), O_CAMPAIGN, O_NOW, O_AS, O_REASON, O_ENGINE, O_INCLUDE},
     "camp deploy examples/retail/campaigns/weekly_picks.camp --db build/demo/retail.db"},
    {"start", cmd_start, "CAMPAIGN --db DB [options]", "schedule a deployed campaign (or go on after a pause)", "none", NULL,
     {O_DB("the database the campaign is deployed to"), O_AS, O_REASON, O_NOW},
     "camp start weekly_picks --db crm.sqlite --as ana --reason \"...\""},
    {"pause", cmd_pause, "CAMPAIGN --db DB [options]", "no launches and no resumes until started again", "none", NULL,
     {O_DB("the database the campaign is deployed to"), O_AS, O_REASON, O_NOW},
     "camp pause weekly_picks --db crm.sqlite --as ana --reason \"...\""},
    {"close", cmd_close, "CAMPAIGN --db DB [options]", "no new launches; running ones finish", "none", NULL,
     {O_DB("the database the campaign is deployed to"), O_AS, O_REASON, O_NOW},
     "camp close weekly_picks --db crm.sqlite --as ana --reason \"...\""},
    {"stop", cmd_stop, "CAMPAIGN --db DB [options]", "stop now: runs end, unsent messages are cancelled", "none", NULL,
     {O_DB("the database the campaign is deployed to"), O_AS, O_REASON, O_NOW},
     "camp stop weekly_picks --db crm.sqlite --as ana --reason \"...\""},
    {"archive", cmd_archive, "CAMPAIGN --db DB [options]", "put a finished campaign away", "none", NULL,
     {O_DB("the database the campaign is deployed to"), O_AS, O_REASON, O_NOW},
     "camp archive weekly_picks --db crm.sqlite --as ana --reason \"...\""},
    {"campaigns", cmd_campaigns, "--db DB [options]",
     "deployed campaigns: state, next launch, last run, counts", "none", NULL,
     {O_DB("the database the campaigns are deployed to"), O_NOW, O_TEXT_JSON},
     "camp campaigns --db build/demo/retail.db"},
    {"tasks", cmd_tasks, "--db DB [options]",
     "open tasks of deployed campaigns, due dates from date formulas; mark one done", "none",
     "Tasks are declared in campaigns (`task NAME { due \"10D\"; after OTHER; owner NAME }`) and "
     "stored by `camp deploy`.  Overdue tasks are also listed by `camp status`.",
     {O_DB("the database the campaigns are deployed to"),
      {"who", "NAME", NULL, "only tasks of this owner or team, or of a team NAME is a member of"},
      {"due-before", "DATE", NULL, "only tasks due before DATE (YYYY-MM-DD)"},
      {"done", "ID", NULL, "mark task ID done (audited)"}, O_CAMPAIGN, O_AS, O_NOW, O_TEXT_JSON},
     "camp tasks --db build/demo/retail.db --who lena --due-before 2026-04-01"},
    {"set-status", cmd_set_status, "CAMPAIGN CODE --db DB [options]",
     "move a campaign's business status to a declared status code", "none",
     "Only a code the campaign's `statuses` declaration allows after the current one is "
     "accepted; the change is audited.  `camp campaigns` shows the status next to the "
     "lifecycle state.",
     {O_DB("the database the campaign is deployed to"), O_AS, O_REASON, O_NOW},
     "camp set-status spring_sale approved --db build/demo/retail.db --as lena"},
    {"budget", cmd_budget, "--db DB [CAMPAIGN] [options]",
     "budgets against committed and actual cost, rolled up campaign -> program -> plan", "none",
     "Committed: fixed cost lines plus per-message and per-piece lines times the messages of the "
     "latest deployed plan.  Actual: fixed lines once the campaign ran, per-unit lines times the "
     "messages sent.  Remaining = budget - committed; OVER marks a budget exceeded.",
     {O_DB("the database the campaigns are deployed to"), O_TEXT_JSON},
     "camp budget --db build/demo/retail.db spring_sale"},
    {"stock", cmd_stock, "--db DB [order ITEM QUANTITY] [options]",
     "stock items: level, use by direct mail, alerts; order lines replenish", "none",
     "The level of an item is its declared quantity plus order lines minus what the messages "
     "of consuming steps use.  At or below the alert threshold a notification (kind "
     "stock_alert) is recorded once; `plan` shows the use, `run` warns or refuses "
     "(on_shortage block) when stock would run out.",
     {O_DB("the database the campaigns are deployed to"), O_AS, O_REASON, O_NOW, O_TEXT_JSON},
     "camp stock order vouchers 500 --db build/demo/retail.db --as omar"},
    {"offers", cmd_offers, "activate|deactivate CAMPAIGN --db DB | --db DB --contact KEY --item X [options]",
     "campaign prices and line discounts: activate per segment, look up a contact's price", "none",
     "`activate` makes a campaign's declared offers valid for the contacts of their segment in "
     "its latest run (or only those it messaged), between the campaign's dates; other systems "
     "read them from the view camp_offer_prices.  With --contact and --item: the prices and "
     "discounts that apply on a day, and the best of each.",
     {O_DB("the database the campaigns are deployed to"),
      {"contact", "KEY", NULL, "the contact (the key of the campaign's dimension)"},
      {"item", "ITEM", NULL, "the item number"},
      {"on", "DATE", NULL, "the day (YYYY-MM-DD; default: today, or the date of --now)"}, O_AS, O_NOW,
      O_TEXT_JSON},
     "camp offers --db build/demo/retail.db --contact 42 --item TENT-2 --on 2026-03-20"},
    {"stats", cmd_stats, "CAMPAIGN --db DB [options]",
     "a campaign's reach, interactions, successes, cost and cost per success, per step", "none",
     "Interactions are logged by camp itself (view camp_interactions: messages sent and their "
     "delivery events); a success is a contact with the campaign's `success` event; cost comes "
     "from the cost lines and the interaction templates.",
     {O_DB("the database the campaign ran in"),
      {"format", "FORMAT", "text|json|csv", "text (default), json or csv"},
      O_OUTPUT("also write a bar chart of reach and successes per step (SVG) to PATH")},
     "camp stats winback --db build/demo/retail.db --output winback.svg"},
    {"segment", cmd_segment,
     "create NAME FILE --of DIM | add|reduce|refine NAME --where RULE | reapply|show|log NAME | diff NAME V1 V2 | apply FILE --db DB",
     "segments as in Dynamics 365: edited by criteria, saved, re-applied, each version logged", "none",
     "`create` makes an empty segment of the schema DIM declared in FILE (its rules are checked "
     "with that file).  `add` puts the contacts matching a camp rule in, `reduce` takes them out, "
     "`refine` keeps only them; each saves its rule as the next criterion and writes a new "
     "version with its members.  `reapply` runs every saved criterion again on today's data.  "
     "`show [VERSION]` lists the criteria and members, `log` the versions, `diff V1 V2` who "
     "came and went.  `apply FILE` stores the segments declared in FILE (`segment NAME on SCHEMA "
     "{ add where RULE ... }`, checked at compile time) and computes their members: a new version "
     "only when the criteria or the members changed; a name made by `create` is refused.  Offers "
     "name a segment with `saved_segment`.",
     {O_DB("the database the segment lives in"),
      {"of", "DIM", NULL, "create: the schema (dimension) the segment's contacts come from"},
      {"where", "RULE", NULL, "add/reduce/refine: a camp rule over the dimension"}, O_AS, O_NOW, O_TEXT_JSON},
     "camp segment create gold_se examples/retail/schemas/retail.camp --of customers --db build/demo/retail.db\n"
     "camp segment add gold_se --where 'tier = gold and loyalty > 1000' --db build/demo/retail.db"},
    {"interactions", cmd_interactions, "import FILE --db DB [options]",
     "import calls and meetings (CSV) as interactions; they count in `camp stats`", "none",
     "The header names the columns contact, template (a deployed `interaction`), date "
     "(YYYY-MM-DD[ HH:MM[:SS]]), campaign, and optionally cost (overrides the template's "
     "unit_cost) and minutes (overrides unit_minutes).  Every record is checked and every "
     "problem reported as FILE:LINE; with any, nothing is imported.",
     {O_DB("the database the campaigns are deployed to"), O_AS, O_NOW},
     "camp interactions import calls.csv --db build/demo/retail.db --as lena"},
    {"schedule", cmd_schedule, "FILE [options]", "preview a campaign's next launch times", "camp",
     NULL,
     {O_CAMPAIGN, {"next", "N", NULL, "how many launch times (default 10)"}, O_NOW, O_TEXT_JSON,
      O_INCLUDE},
     "camp schedule examples/retail/campaigns/weekly_picks.camp --next 5"},
    {"tick", cmd_tick, "--db DB [options]",
     "start due launches, resume due waits, approvals' reminders and deadlines, send", "none",
     "The one entry point for a scheduler (contrib/: systemd timer, cron line); idempotent and "
     "safe to run concurrently.",
     {O_DB("the database of the campaigns"), O_NOW, O_AS, O_ENGINE},
     "camp tick --db /srv/data/crm.sqlite   (from cron or contrib/camp-tick.timer)"},
    {"approve", cmd_approve, "RUN --db DB --as NAME [options]",
     "release messages waiting for approval", "none", NULL,
     {O_DB("the database of the run"), {"step", "NAME", NULL, "only this channel step"}, O_AS,
      O_REASON, O_NOW},
     "camp approve 12 --db crm.sqlite --as ana"},
    {"reject", cmd_reject, "RUN --db DB --as NAME [options]",
     "cancel messages waiting for approval", "none", NULL,
     {O_DB("the database of the run"), {"step", "NAME", NULL, "only this channel step"}, O_AS,
      O_REASON, O_NOW},
     "camp reject 12 --db crm.sqlite --as ana --reason \"wrong offer\""},
    {"packages", cmd_packages, "sync|list|order|unsubscribe|approve|reject|passwd|approve-contacts|remove-contacts|costs|children|edit-child ... --db DB [options]",
     "distributed marketing: entities, campaign packages, orders, local approvals", "camp",
     "`sync FILE...` stores the entities, operators and packages the files declare; `list` "
     "prints packages, offers and orders; `order PKG` / `unsubscribe PKG` act for the --as "
     "operator's entity (--params: the form values as a JSON object); `approve PKG --entity E` "
     "/ `reject` decide an order (central approvers); `passwd LOGIN` sets an operator's "
     "password from $CAMP_PASSWORD or the first line of stdin (stored as a libsodium "
     "crypto_pwhash hash, never printed); `approve-contacts RUN` / `remove-contacts RUN` "
     "decide contacts of a local approval (--step, --keys K,K or --all; --entity GROUP for an "
     "operator group); `costs PKG` prints each entity's share of the package's cost from the "
     "messages sent (--entity: only that entity); `children` lists the child campaigns of "
     "`variant campaign` packages with their counts per entity (--run, --entity); `edit-child PKG "
     "--run R --params JSON` changes the --as operator's child campaign's parameters (those the "
     "package declares) before its deadline.  See docs/distributed.md.",
     {O_DB("the database"), O_AS, O_NOW, O_INCLUDE,
      {"entity", "ENTITY", NULL, "an entity (list: only its packages; approve/reject: whose order; "
                                 "approve-contacts/remove-contacts: the operator group to act for)"},
      {"params", "JSON", NULL, "order: the form values, e.g. {\"discount\": 15}"},
      {"step", "STEP", NULL, "approve-contacts/remove-contacts: the local approval step"},
      {"keys", "K,K", NULL, "approve-contacts/remove-contacts: these contacts' keys"},
      {"all", NULL, NULL, "approve-contacts/remove-contacts: every pending contact of the entity"},
      {"run", "ID", NULL, "children: only this run; edit-child: the run of the child campaign"}},
     "camp packages order spring_kit --db crm.sqlite --as m07 --params '{\"discount\": 15}'"},
    {"serve", cmd_serve, "--db DB --listen HOST:PORT [options]",
     "the web page of distributed marketing for local and central operators", "none",
     "Local managers log in, order or unsubscribe packages, fill form values and approve or "
     "remove their contacts before the deadline; central operators approve orders and follow "
     "the approvals per entity.  Server-rendered HTML, no external assets; sessions in HttpOnly "
     "SameSite cookies, a CSRF token in every form.  Stops on SIGINT or SIGTERM.",
     {O_DB("the database"),
      {"listen", "HOST:PORT", NULL, "where to listen (loopback, e.g. 127.0.0.1:8080)"}, O_NOW,
      {"login-limit", "N", NULL, "failed logins per account or client address before 429 (default 5; 0: no limit)"},
      {"login-window", "SECONDS", NULL, "the window of --login-limit (default 900)"}},
     "camp serve --db crm.sqlite --listen 127.0.0.1:8080"},
    {"track", cmd_track, "--db DB --listen HOST:PORT",
     "the tracking server: open pixels, click redirects, unsubscribe", "none",
     "Serves the signed links `camp run --track-url` rewrote (key in $CAMP_TRACK_KEY); every "
     "hit becomes a camp_feedback row, an unsubscribe also an opt-out.  Port 0 picks a free "
     "port.  Stops cleanly on SIGINT or SIGTERM.",
     {O_DB("the database of the runs"),
      {"listen", "HOST:PORT", NULL, "where to listen (loopback, e.g. 127.0.0.1:8080)"}},
     "camp track --db crm.sqlite --listen 127.0.0.1:8080   (CAMP_TRACK_KEY in the environment)"},
    {"feedback", cmd_feedback, "import FILE --db DB [options]",
     "import delivery events from an ESP (CSV or JSON lines)", "file",
     "Events (delivered, bounced hard/soft, complaint) are matched by outbox id, message id "
     "or provider id; the whole file is one transaction, every bad row is reported as "
     "FILE:LINE and nothing is imported then.",
     {O_DB("the database of the runs"), O_NOW}, "camp feedback import events.csv --db crm.sqlite"},
    {"policy", cmd_policy, "apply FILE --db DB | show --db DB",
     "install or show the database's pressure (frequency) rules", "camp",
     "`apply` checks FILE and installs its `pressure CHANNEL|all max N per DURATION` "
     "declarations as the database's rules, replacing the ones before; every plan and run of "
     "every campaign on the database then applies them (docs/policy.md).  `show` prints them.",
     {O_DB("the database of the runs"), O_NOW, O_INCLUDE},
     "camp policy apply policy.camp --db crm.sqlite"},
    {"report", cmd_report, "CAMPAIGN --db DB [options]",
     "treated against the control group on the campaign's conversion metric", "none",
     "For the campaign's latest run (or --run): recipients messaged against those held out by "
     "`holdout N%` (or, with --holdout STEP, one step's holdout: a channel step's recipients against "
     "those it held out, an audience holdout's treated members against its control group), converted by the campaign's `conversion \"filter\"` (a filter with one "
     "timestamp parameter, given the run's start): conversion per group, absolute and relative "
     "uplift and a 95% confidence interval; and for each A/B content test of the run (`test \"cells "
     "10%; ...\"` on a channel step) each cell's figures (sent, opened, clicked, rate) and the winner "
     "against each other cell (two-proportion z-test: p-value, 95% interval) (docs/policy.md).",
     {O_DB("the database of the runs"),
      {"run", "ID", NULL, "this run instead of the latest"},
      {"holdout", "LABEL", NULL, "which control group: `campaign` (the header `holdout N%`) or the label of a "
                                 "step with one (`holdout N% of INPUT`, or `holdout N%` in a channel step); "
                                 "needed when the campaign has several"},
      {"format", "FORMAT", "text|json|svg", "text (default), json, or an SVG chart"},
      O_OUTPUT("write to PATH instead of stdout"), O_INCLUDE},
     "camp report spring_sale --db crm.sqlite --format svg --output uplift.svg"},
    {"suppress", cmd_suppress, "add|remove ADDRESS... --db DB --channel C | list --db DB",
     "manual entries of the suppression list (contact policy)", "none",
     "`add` puts addresses on the channel's suppression list (reason `manual` unless --reason), "
     "`remove` takes them off (any reason), `list` prints the list.  Addresses are compared as "
     "the runtime does: trimmed, e-mail lower-cased.  Runs skip suppressed recipients and "
     "`camp send` stops their queued messages (docs/policy.md).",
     {O_DB("the database of the runs"),
      {"channel", "C", "email|sms|push|mail", "the channel of the addresses (add, remove; list: a filter)"},
      {"reason", "TEXT", NULL, "add: the reason recorded (default manual)"}, O_NOW,
      {"format", "FORMAT", "text|csv", "list: text (default) or csv"}},
     "camp suppress add ann@example.com --db crm.sqlite --channel email"},
    {"preview", cmd_preview, "FILE --db DB --step STEP [options]",
     "render a step's messages without queueing anything", "camp", NULL,
     {O_DB("the database to read"), O_CAMPAIGN,
      {"step", "STEP", NULL, "the channel step to render"},
      {"recipient", "KEY", NULL, "only this recipient"},
      {"format", "FORMAT", "text|html|json|eml", "text (default), html, json, or eml (MIME as sent; an mbox for several)"}, O_NOW, O_INCLUDE},
     "camp preview examples/retail/campaigns/spring_sale.camp --db build/demo/retail.db --step vip"},
    {"lsp", cmd_lsp, "[options]", "the language server (LSP over stdio) for editors", "none", NULL,
     {{"stdio", NULL, NULL, "talk over stdin/stdout (the default; what clients pass)"}},
     "camp lsp --stdio"},
    {"help", cmd_help, "[COMMAND] [options]",
     "a command's usage, options and an example; the man page", "command", NULL,
     {{"man", NULL, NULL, "print the man page camp.1 (groff)"}}, "camp help run"},
    {"completion", cmd_completion, "bash|zsh|fish", "print a shell completion script", "shell",
     "Generated from the same table as the help.  `make install` installs them.",
     {{0}},
     "source <(camp completion bash)"},
};

const int cli_ncommands = (int)(sizeof cli_commands / sizeof cli_commands[0]);

const CliCommand *cli_command(const char *name) {
  for (int i = 0; i < cli_ncommands; i++)
    if (!strcmp(cli_commands[i].name, name)) return &cli_commands[i];
  return NULL;
}
