# bench/campaigns.sh (sourced by bench/pg.sh and bench/sharded.sh) — the
# campaigns the PostgreSQL benchmarks time, written once so that both time
# the same rules: R1 (a filter), R2 (R1 and a 90-day sum per customer), the
# 10-way overlapping split, and the retail spring_sale campaign.
#
# bench_campaigns DIR — copies examples/retail's schemas, campaigns and
# templates into DIR and writes DIR/r1.camp, DIR/r2.camp, DIR/split10.camp
# and DIR/campaigns/spring.camp (spring_sale).  Run from the repository root.
bench_campaigns() {
  mkdir -p "$1"
  cp -R examples/retail/schemas examples/retail/campaigns examples/retail/templates examples/retail/*.camp "$1/"
  bench_rule "$1" r1 '  r1 = customers where loyalty >= 500 and country in ["SE", "NO"] and store_id > 3 and email like "%@example.se"'
  bench_rule "$1" r2 '  r2 = customers where loyalty >= 500 and country in ["SE", "NO"] and store_id > 3 and email like "%@example.se"
         and sum(purchases.amount where at > now() - 90d) > 100'
  bench_rule "$1" split10 '  all = customers where true
  gold, silver800, se, dkno, mid, store50, old, dotcom, big, push, rest = split all overlap {
    gold when tier = gold
    silver800 when tier = silver and loyalty > 800
    se when country = "SE"
    dkno when country in ["DK", "NO"]
    mid when loyalty between 100 and 300
    store50 when store_id > 50
    old when birthdate < 1970-01-01
    dotcom when email like "%@example.com"
    big when loyalty >= 2000 or tier = bronze
    push when push_token is not null
    else
  }'
  cp "$1/campaigns/spring_sale.camp" "$1/campaigns/spring.camp"
}

# bench_rule DIR NAME BODY — DIR/NAME.camp: campaign NAME holding BODY.
bench_rule() {
  printf 'import "schemas/retail"\ncampaign %s {\n%s\n}\n' "$2" "$3" > "$1/$2.camp"
}
