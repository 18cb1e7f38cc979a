#!/bin/bash
# Build a tiny signed DNS hierarchy on 127.91.0.0/24 port 53, signed by the real tools
# (dnssec-keygen/dnssec-signzone from BIND, ldns-signzone above 150 NSEC3 iterations),
# some zones broken on purpose, and start NSD (authoritative), Unbound (.100) and BIND
# named (.101) as validating resolvers, and a non-validating Unbound (.102) for delv.
# tests/interop_dnssec.rs runs it (as root, for port 53) and compares dnscope's verdicts
# with the resolvers' and delv's.
# Everything lives in $D; teardown.sh stops the daemons (by PID) and removes
# the loopback addresses this script added.
set -euo pipefail
shopt -s inherit_errexit   # a failing signer inside $(...) must stop the script
T0=$(date +%s.%N)
HERE=$(cd "$(dirname "$0")" && pwd)
D=${D:?set D to a scratch directory}
NET=127.91.0
ALG=ECDSAP256SHA256

# idempotent-ish: stop a previous run first
[ -f "$D/pids" ] && bash "$HERE/teardown.sh" >/dev/null 2>&1 || true
rm -rf "$D"
mkdir -p "$D"/{keys,zones,nsd-root,nsd-test,nsd-kids,nsd-ins,unbound,bind}
cd "$D"
: > pids
: > added

# Signature validity: dnssec-signzone's default (now-1h .. now+30d), or with LONG_VALIDITY=1
# 2020-01-01 .. 2070-01-01 (signed zones that could be committed as fixtures; future.test
# then gets 2070-01-01 .. 2075-01-01). RRSIG times are 32-bit serial numbers (RFC 4034 3.1.5):
# inception..expiration and now..either must stay under 68 years, or they wrap
# (a 2020..2099 window makes dnssec-signzone fail with "No self-signed DNSKEY found").
SZ_DATES=(); LDNS_DATES=(); FUTURE=(-s +604800 -e +2592000)
if [ "${LONG_VALIDITY:-0}" = 1 ]; then
    SZ_DATES=(-s 20200101000000 -e 20700101000000); LDNS_DATES=(-i 20200101 -e 20700101)
    FUTURE=(-s 20700101000000 -e 20750101000000)
fi

keygen() { # zone [KSK] -> prints key base name (keys/K...)
    local f=()
    [ "${2:-}" = KSK ] && f=(-f KSK)
    echo "keys/$(dnssec-keygen -q -K keys -a $ALG "${f[@]}" "$1")"
}
ds_of() { dnssec-dsfromkey -2 "$1.key"; }   # SHA-256 DS of a key file

soa() { # zone ns
    printf '$TTL 300\n$ORIGIN %s\n@ SOA %s hostmaster.%s 1 3600 600 86400 300\n' "$1" "$2" "$2"
}

# ---------------------------------------------------------------- children of test.
# All served by one NSD at .20 ("ns-kids.test."), ins.optout.test by NSD at .21.
child_zone() { # zone -> zones/<zone>.zone (unsigned text)
    { soa "$1." ns-kids.test.; echo "@ NS ns-kids.test."; echo "www A 192.0.2.1"; } > "zones/$1.zone"
}
TEST_DELEG=""   # delegation + DS records to add to test.
deleg() { TEST_DELEG+="$1. NS ns-kids.test."$'\n'; }

# secure.test: NSEC, one CSK (flags 257) signing everything (-z)
sign_csk() { # zone extra-signzone-args...
    local z=$1; shift
    local k; k=$(keygen "$z" KSK)
    cat "$k.key" >> "zones/$z.zone"
    dnssec-signzone -q -d keys -z "${SZ_DATES[@]}" "$@" -o "$z" -f "zones/$z.signed" "zones/$z.zone" "$k" >/dev/null
    echo "$k"
}
for z in secure.test; do
    child_zone $z; k=$(sign_csk $z); deleg $z; TEST_DELEG+="$(ds_of "$k")"$'\n'
done
# nsec3.test: NSEC3, SHA-1, 0 extra iterations, no salt
child_zone nsec3.test; k=$(sign_csk nsec3.test -3 - -H 0)
deleg nsec3.test; TEST_DELEG+="$(ds_of "$k")"$'\n'
# optout.test: NSEC3 opt-out, with an unsigned delegation ins.optout.test (NSD .21)
child_zone optout.test
printf 'ins NS ns.ins\nns.ins A %s.21\n' $NET >> zones/optout.test.zone
k=$(sign_csk optout.test -3 - -H 0 -A); deleg optout.test; TEST_DELEG+="$(ds_of "$k")"$'\n'
{ soa ins.optout.test. ns.ins.optout.test.; echo "@ NS ns"; echo "ns A $NET.21"; echo "www A 192.0.2.1"; } > zones/ins.optout.test.zone
# iter51.test: NSEC3 with 51 iterations (dnssec-signzone allows at most 150)
child_zone iter51.test; k=$(sign_csk iter51.test -3 - -H 51)
deleg iter51.test; TEST_DELEG+="$(ds_of "$k")"$'\n'
# iter150.test: 150 iterations, the most dnssec-signzone 9.18 accepts ("-H 151": fatal)
child_zone iter150.test; k=$(sign_csk iter150.test -3 - -H 150)
deleg iter150.test; TEST_DELEG+="$(ds_of "$k")"$'\n'
# iter151.test: 151 iterations, signed by ldns-signzone (no upper limit, only a warning >100)
child_zone iter151.test
k=$(keygen iter151.test KSK)
ldns-signzone "${LDNS_DATES[@]}" -n -t 151 -o iter151.test -f zones/iter151.test.signed zones/iter151.test.zone "$k" 2>/dev/null
deleg iter151.test; TEST_DELEG+="$(ds_of "$k")"$'\n'
# highiter.test: NSEC3 with 200 iterations -> dnssec-signzone refuses (>150): use ldns-signzone
child_zone highiter.test
k=$(keygen highiter.test KSK)
ldns-signzone "${LDNS_DATES[@]}" -n -t 200 -o highiter.test -f zones/highiter.test.signed zones/highiter.test.zone "$k" 2>/dev/null
deleg highiter.test; TEST_DELEG+="$(ds_of "$k")"$'\n'
# expired.test: every RRSIG expired (needs -P: the post-signing verification rejects it)
child_zone expired.test
k=$(sign_csk expired.test -P -s 20200101000000 -e 20200201000000)
deleg expired.test; TEST_DELEG+="$(ds_of "$k")"$'\n'
# future.test: inception 7 days ahead (beyond any validator's clock-skew allowance)
child_zone future.test
k=$(sign_csk future.test -P "${FUTURE[@]}")
deleg future.test; TEST_DELEG+="$(ds_of "$k")"$'\n'
# dsmismatch.test: signed with key A, parent's DS is of key B (never published)
child_zone dsmismatch.test; sign_csk dsmismatch.test >/dev/null
kb=$(keygen dsmismatch.test KSK)
deleg dsmismatch.test; TEST_DELEG+="$(ds_of "$kb")"$'\n'
# unsigned.test: zone unsigned, parent has a DS
child_zone unsigned.test; cp zones/unsigned.test.zone zones/unsigned.test.signed
k=$(keygen unsigned.test KSK)
deleg unsigned.test; TEST_DELEG+="$(ds_of "$k")"$'\n'
# insecure.test: unsigned, no DS (parent's NSEC proves it)
child_zone insecure.test; cp zones/insecure.test.zone zones/insecure.test.signed
deleg insecure.test

# ---------------------------------------------------------------- test. (KSK + ZSK, NSEC)
{
    soa test. ns.test.
    echo "@ NS ns.test."
    echo "ns A $NET.10"
    echo "ns-kids A $NET.20"
    printf '%s' "$TEST_DELEG"
} > zones/test.zone
tk=$(keygen test KSK); tz=$(keygen test)
cat "$tk.key" "$tz.key" >> zones/test.zone
dnssec-signzone -q -d keys "${SZ_DATES[@]}" -o test -f zones/test.signed zones/test.zone "$tk" "$tz" >/dev/null

# ---------------------------------------------------------------- root (KSK + ZSK, NSEC)
{
    soa . root-ns.
    echo "@ NS root-ns."
    echo "root-ns. A $NET.2"
    echo "test. NS ns.test."
    echo "ns.test. A $NET.10"
    ds_of "$tk"
} > zones/root.zone
rk=$(keygen . KSK); rz=$(keygen .)
cat "$rk.key" "$rz.key" >> zones/root.zone
dnssec-signzone -q -d keys "${SZ_DATES[@]}" -o . -f zones/root.signed zones/root.zone "$rk" "$rz" >/dev/null

# ---------------------------------------------------------------- trust anchors
ds_of "$rk" > root.ds.anchor                      # Unbound trust-anchor-file (". IN DS ...")
read -r _ _ _ RFLAGS RPROTO RALG RKEY <<<"$(grep -v '^;' "$rk.key")"
read -r _ _ _ RTAG _ _ RDIGEST <<<"$(cat root.ds.anchor)"
RKEY=${RKEY// /}
printf 'trust-anchors {\n  . static-key %s %s %s "%s";\n};\n' "$RFLAGS" "$RPROTO" "$RALG" "$RKEY" > root.delv.anchor
printf 'trust-anchors {\n  . static-ds %s %s 2 "%s";\n};\n' "$RTAG" "$RALG" "$RDIGEST" > root.bind.anchor
printf '. 3600000 NS root-ns.\nroot-ns. 3600000 A %s.2\n' $NET > root.hints

el() { awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $T0}"; }
echo "keys and signed zones ready after $(el) s"

# ---------------------------------------------------------------- daemons
start() { # name cmd... (foreground daemon, own session, stderr to log)
    setsid "${@:2}" </dev/null >"$D/$1.log" 2>&1 &
    echo "$1 $!" >> "$D/pids"
}
add_lo() { # BIND only listens on addresses configured on an interface
    if ip addr add "$1/32" dev lo 2>/dev/null; then echo "$1/32" >> "$D/added"; fi
}
nsd_conf() { # dir address zone...
    local d=$D/$1 a=$2; shift 2
    {
        printf 'server:\n  ip-address: %s\n  port: 53\n  do-ip6: no\n  username: ""\n  chroot: ""\n' "$a"
        printf '  zonesdir: "%s"\n  database: ""\n  pidfile: "%s/nsd.pid"\n  xfrdfile: "%s/xfrd.state"\n' "$d" "$d" "$d"
        printf '  zonelistfile: "%s/zone.list"\n  server-count: 1\n  verbosity: 1\n  refuse-any: no\n' "$d"
        printf 'remote-control:\n  control-enable: no\n'
        for z in "$@"; do printf 'zone:\n  name: "%s"\n  zonefile: "%s/zones/%s.signed"\n' "$z" "$D" "$z"; done
    } > "$d/nsd.conf"
}
nsd_conf nsd-root $NET.2 root
sed -i 's|name: "root"|name: "."|' nsd-root/nsd.conf
nsd_conf nsd-test $NET.10 test
nsd_conf nsd-kids $NET.20 secure.test nsec3.test optout.test iter51.test iter150.test iter151.test highiter.test \
    expired.test future.test dsmismatch.test unsigned.test insecure.test
cp zones/ins.optout.test.zone zones/ins.optout.test.signed
nsd_conf nsd-ins $NET.21 ins.optout.test
for n in root test kids ins; do start nsd-$n nsd -d -c "$D/nsd-$n/nsd.conf"; done

cat > unbound/unbound.conf <<EOF
server:
  interface: $NET.100
  port: 53
  do-ip6: no
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$D/unbound"
  pidfile: "$D/unbound/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  val-log-level: 2
  num-threads: 1
  root-hints: "$D/root.hints"
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  outgoing-interface: $NET.100
  module-config: "validator iterator"
  trust-anchor-file: "$D/root.ds.anchor"
  ede: yes
  local-zone: "test." nodefault
remote-control:
  control-enable: no
EOF
start unbound unbound -d -c "$D/unbound/unbound.conf"

# A NON-validating Unbound at .102: delv needs one, because it sends its queries without CD
# and a validating resolver answers SERVFAIL (delv then only says "resolution failed: failure").
mkdir -p unbound-nv
sed -e "s/$NET.100/$NET.102/g" -e "s|$D/unbound|$D/unbound-nv|g" \
    -e 's/"validator iterator"/"iterator"/' -e '/trust-anchor-file/d' \
    unbound/unbound.conf > unbound-nv/unbound.conf
start unbound-nv unbound -d -c "$D/unbound-nv/unbound.conf"

add_lo $NET.101
cat > bind/named.conf <<EOF
options {
  directory "$D/bind";
  pid-file "$D/bind/named.pid";
  session-keyfile "$D/bind/session.key";
  managed-keys-directory "$D/bind";
  listen-on port 53 { $NET.101; };
  listen-on-v6 { none; };
  query-source address $NET.101;
  recursion yes;
  allow-recursion { 127.0.0.0/8; };
  allow-query { 127.0.0.0/8; };
  dnssec-validation yes;
  empty-zones-enable no;
  notify no;
};
controls { };
include "$D/root.bind.anchor";
zone "." { type hint; file "$D/root.hints"; };
EOF
start bind named -4 -g -c "$D/bind/named.conf"

# ---------------------------------------------------------------- wait until all answer
ready() { dig @"$1" +time=1 +tries=1 ${3:-+norec} "$2" SOA 2>/dev/null | grep -q 'status: NOERROR'; }
deadline=$(( $(date +%s) + 30 ))
for s in "$NET.2 ." "$NET.10 test." "$NET.20 secure.test." "$NET.21 ins.optout.test." "$NET.100 . +rec" "$NET.101 . +rec" "$NET.102 . +rec"; do
    set -- $s
    until ready "$@"; do
        if [ "$(date +%s)" -gt "$deadline" ]; then echo "not ready: $s" >&2; tail -n 20 "$D"/*.log >&2; exit 1; fi
        sleep 0.2
    done
done
echo "all servers answer after $(el) s; dir $D"
