//! `dnscope compare` against the lab: its caching resolvers (hickory's recursor) and the
//! zone's authoritative servers, with the propagation scenarios played for real.

mod common;

use common::dnscope;
use serde_json::Value;

fn compare(args: &[&str]) -> (Value, i32) {
    common::json_of(&[&["compare"], args].concat())
}

fn server<'a>(doc: &'a Value, label: &str) -> &'a Value {
    doc["servers"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["server"] == label))
        .unwrap_or_else(|| panic!("no server {label} in {doc}"))
}

/// The kinds of the findings, in order.
fn kinds(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["kind"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The sentence of the first finding of a kind.
fn finding<'a>(doc: &'a Value, kind: &str) -> &'a str {
    doc["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["kind"] == kind))
        .and_then(|f| f["text"].as_str())
        .unwrap_or_else(|| panic!("no {kind} finding in {doc}"))
}

fn explanation(doc: &Value) -> String {
    doc["explanation"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[test]
fn everyone_agrees_on_a_stable_record() {
    let (doc, code) = compare(&["www.shop.test", "--lab"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["schema"], "dnscope.compare/2");
    assert_eq!(doc["consistent"], true);
    assert_eq!(doc["zone"], "shop.test.");
    assert_eq!(doc["authoritative_ttl"], 300);
    let servers = doc["servers"].as_array().expect("servers");
    assert_eq!(servers.len(), 5);
    for s in servers {
        assert_eq!(s["status"], "agrees", "{s}");
        assert_eq!(
            s["group"], "#1",
            "groups are numbered, never lettered like a type"
        );
        assert_eq!(s["answer"][0]["data"], "192.0.2.80");
    }
    let isp = server(&doc, "isp-a");
    assert_eq!(isp["kind"], "resolver");
    assert_eq!(isp["cache_age_s"], 0);
    assert_eq!(isp["expires_in_s"], 300);
    let ns1 = server(&doc, "ns1.shop.test.");
    assert_eq!(ns1["kind"], "authoritative");
    assert_eq!(ns1["serial"], 2026112801);
}

#[test]
fn propagation_old_cached_answer_with_its_age_and_a_lagging_secondary() {
    let (doc, code) = compare(&["--lab", "--scenario", "propagation"]);
    assert_eq!(code, 1, "servers differ");
    assert_eq!(doc["name"], "menu.cafe.example.");
    assert_eq!(doc["consistent"], false);
    assert_eq!(doc["authoritative_ttl"], 8);
    // isp-a cached the old answer 2 s before the change: age about 2 s, about 6 s left.
    let a = server(&doc, "isp-a");
    assert_eq!(a["status"], "cached");
    assert_eq!(a["group"], "#2");
    // Its age is inferred from the TTL the lagging secondary still serves the old record with.
    assert_eq!(a["cache_age_inferred"], true, "{a}");
    assert_eq!(a["answer"][0]["data"], "192.0.2.10");
    let age = a["cache_age_s"].as_i64().expect("age");
    assert!(
        (0..=4).contains(&age),
        "cache age {age} not within 2 s of 2"
    );
    let left = a["expires_in_s"].as_i64().expect("left");
    assert!((4..=8).contains(&left), "expires in {left}");
    assert_eq!(
        age + left,
        8,
        "age + remaining = the TTL it was fetched with"
    );
    // isp-b asked after the change: the new answer, fresh.
    let b = server(&doc, "isp-b");
    assert_eq!(b["status"], "agrees");
    assert_eq!(b["answer"][0]["data"], "192.0.2.20");
    // The primary has the new serial; the secondary, found via the zone's own NS set, the old.
    let ns1 = server(&doc, "ns1.cafe.example.");
    assert_eq!(
        (ns1["status"].as_str(), ns1["serial"].as_u64()),
        (Some("agrees"), Some(2026112802))
    );
    let ns2 = server(&doc, "ns2.cafe.example.");
    assert_eq!(
        (ns2["status"].as_str(), ns2["serial"].as_u64()),
        (Some("lagging"), Some(2026112801))
    );
    let found = kinds(&doc);
    for kind in [
        "child_only_ns",
        "reference",
        "cached_old",
        "lagging_secondary",
        "worst_case",
    ] {
        assert!(found.iter().any(|k| k == kind), "{kind} missing: {found:?}");
    }
    assert!(
        finding(&doc, "lagging_secondary")
            .starts_with("ns2.cafe.example. serves serial 2026112801")
    );
    let cached = finding(&doc, "cached_old");
    assert!(
        cached.starts_with("isp-a still serves the old answer #2 (A 192.0.2.10)"),
        "{cached}"
    );
    // The age is said with the assumption it rests on.
    assert!(
        cached.contains(
            "(it was cached with TTL 8, the TTL ns2.cafe.example. still serves the old record with)"
        ),
        "{cached}"
    );
    // The primary is named, and why it is the primary.
    let reference = finding(&doc, "reference");
    assert!(
        reference.contains("from ns1.cafe.example., the primary (the zone's SOA names it"),
        "{reference}"
    );
    // ns2 is not in the delegation: the explanation never says a resolver may be sent there.
    let all = explanation(&doc);
    assert!(all.contains("resolvers are never sent there"), "{all}");
    assert!(!all.contains("may get the old data again"), "{all}");
    assert!(finding(&doc, "child_only_ns").starts_with("ns2.cafe.example."));
    // The explanation is the findings' sentences, in the same order.
    let texts: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["text"].as_str())
        .collect();
    assert_eq!(explanation(&doc), texts.join("\n"));
    assert_eq!(doc["scenario"]["name"], "propagation");
}

#[test]
fn new_name_hidden_by_negative_caching() {
    let (doc, code) = compare(&["--lab", "--scenario", "new-name"]);
    assert_eq!(code, 1);
    let campus = server(&doc, "campus");
    assert_eq!(campus["status"], "cached");
    assert_eq!(campus["rcode"], "NXDOMAIN");
    let left = campus["expires_in_s"].as_i64().expect("left");
    assert!((1..=5).contains(&left), "{left}");
    assert_eq!(server(&doc, "isp-b")["answer"][0]["data"], "192.0.2.30");
    assert_eq!(server(&doc, "ns2.cafe.example.")["rcode"], "NXDOMAIN");
    assert!(kinds(&doc).iter().any(|k| k == "negative_cache"));
    let text = finding(&doc, "negative_cache");
    assert!(
        text.starts_with("campus cached that the name did not exist"),
        "{text}"
    );
    assert!(
        text.contains("the zone allows 5 s: min(SOA TTL, SOA MINIMUM)"),
        "{text}"
    );
}

#[test]
fn a_dead_resolver_is_a_row_and_the_rest_still_shows() {
    let (doc, code) = compare(&[
        "www.shop.test",
        "--lab",
        "--resolver",
        "isp-b",
        "--resolver",
        "dead=127.77.0.199",
        "--timeout",
        "300ms",
    ]);
    assert_eq!(code, 1);
    let dead = server(&doc, "dead");
    assert_eq!(dead["status"], "error");
    assert_eq!(dead["error_kind"], "unreachable", "{dead}");
    assert_eq!(server(&doc, "isp-b")["status"], "agrees");
    assert!(finding(&doc, "failed").starts_with("dead (resolver) gave no usable answer"));
}

#[test]
fn a_blackholed_resolver_is_a_timeout_and_the_others_still_answer() {
    // How long it costs is bench/compare.py's to measure; here, what it is.
    let (doc, _) = compare(&[
        "www.shop.test",
        "--lab",
        "--resolver",
        "isp-a",
        "--resolver",
        "hole=127.77.0.71",
        "--timeout",
        "600ms",
        "--retries",
        "1",
    ]);
    let hole = server(&doc, "hole");
    assert_eq!(hole["status"], "error");
    assert_eq!(hole["error_kind"], "timeout", "{hole}");
    assert_eq!(server(&doc, "isp-a")["status"], "agrees");
}

#[test]
fn watch_ends_when_everyone_agrees() {
    let out = dnscope()
        .args([
            "compare",
            "--lab",
            "--scenario",
            "propagation",
            "--watch",
            "1",
            "--json",
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rounds: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON document per line"))
        .collect();
    assert!(rounds.len() >= 3, "{} rounds", rounds.len());
    assert_eq!(rounds[0]["consistent"], false);
    assert_eq!(rounds[0]["round"], 1);
    let last = rounds.last().expect("last");
    assert_eq!(last["consistent"], true);
    assert_eq!(server(last, "isp-a")["answer"][0]["data"], "192.0.2.20");
    assert_eq!(server(last, "ns2.cafe.example.")["serial"], 2026112802);
    assert_eq!(last["watch_end"]["kind"], "consistent", "{last}");
    let end = last["watch_end"]["text"].as_str().unwrap_or_default();
    assert!(end.starts_with("Consistent after "), "{end}");
    assert!(rounds[0]["watch_end"].is_null());
    // The old cached answer counts down from round to round.
    let left: Vec<i64> = rounds
        .iter()
        .filter_map(|r| server(r, "isp-a")["expires_in_s"].as_i64())
        .collect();
    assert!(left.windows(2).take(2).all(|w| w[1] < w[0]), "{left:?}");
}

#[test]
fn human_output_shows_the_table_the_groups_and_the_explanation() {
    let out = dnscope()
        .args(["compare", "--lab", "--scenario", "propagation"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Scenario: propagation",
        "Comparing menu.cafe.example. A",
        "SERVER",
        "lagging secondary",
        "old answer cached",
        "Answers:",
        "#1  A 192.0.2.20",
        "#2  A 192.0.2.10",
        "Why they differ:",
        "Not consistent: 2 of 3 resolvers and 1 of 2 authoritative servers agree",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in\n{text}");
    }
}

#[test]
fn authoritative_servers_given_and_resolvers_from_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("resolvers");
    std::fs::write(
        &file,
        "# lab resolvers\nfirst=isp-a\ncampus  # the campus one\n",
    )
    .expect("write");
    let file = file.to_string_lossy().into_owned();
    let (doc, code) = compare(&[
        "www.shop.test",
        "--lab",
        "--resolvers",
        &file,
        "--auth",
        "ns2.shop.test",
    ]);
    assert_eq!(code, 0, "{doc}");
    let labels: Vec<&str> = doc["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .filter_map(|s| s["server"].as_str())
        .collect();
    assert_eq!(labels, ["first", "campus", "ns2.shop.test."]);
    assert_eq!(doc["zone"], "shop.test.");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    for (args, needle) in [
        (vec!["compare", "--scenario", "propagation"], "add --lab"),
        (
            vec!["compare", "--lab", "--scenario", "nope"],
            "unknown scenario",
        ),
        (vec!["compare", "--lab"], "no name given"),
        (
            vec!["compare", "x.test", "--lab", "--resolver", "=1.2.3.4"],
            "empty label",
        ),
        (
            vec!["compare", "x.test", "--lab", "--public"],
            "does not mix with --lab",
        ),
    ] {
        common::assert_usage_error(&args, needle);
    }
}

#[test]
fn an_alias_into_another_zone_compares_the_alias() {
    // See: review of the compare engine — resolvers return the whole chain, the zone only the alias.
    let (doc, code) = compare(&["blog.shop.test", "--lab"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["consistent"], true);
    assert!(kinds(&doc).iter().any(|k| k == "alias_only"));
}

#[test]
fn watch_stops_when_waiting_cannot_help() {
    let out = dnscope()
        .args([
            "compare",
            "www.shop.test",
            "--lab",
            "--resolver",
            "dead=127.77.0.199",
            "--watch",
            "1",
            "--json",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        1,
        "one round: nothing will expire"
    );
}

#[test]
fn the_worst_case_counts_a_lagging_secondary_only_when_resolvers_are_sent_there() {
    // news.example: ns2 lags and is in the delegation, so resolvers can fetch the old data
    // there until it catches up, and keep it for a whole TTL more.
    let (doc, _) = compare(&["www.news.example", "--lab"]);
    let text = finding(&doc, "worst_case");
    assert!(
        text.contains("while a secondary that resolvers are sent to still hands out the old data"),
        "{text}"
    );
    assert!(
        text.contains("about 900 s (15m) after the change"),
        "{text}"
    );
    // cafe.example (the propagation scenario): ns2 lags but the parent does not name it.
    let (doc, _) = compare(&["--lab", "--scenario", "propagation"]);
    let text = finding(&doc, "worst_case");
    assert!(!text.contains("while a secondary"), "{text}");
    assert!(
        text.contains("keeps it up to 8 s after the change"),
        "{text}"
    );
}

#[test]
fn a_fresh_copy_from_a_lagging_secondary_is_not_an_old_cache() {
    let (doc, code) = compare(&["www.news.example", "--lab"]);
    assert_eq!(code, 1, "{doc}");
    // Whichever lab resolver was sent to the lagging ns2 holds the old answer with its whole
    // TTL: it has just fetched it there.
    let old: Vec<&Value> = doc["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .filter(|s| s["kind"] == "resolver" && s["answer"][0]["data"] == "192.0.2.8")
        .collect();
    for s in &old {
        assert_eq!(s["status"], "from_lagging", "{s}");
        assert_eq!(s["cache_age_s"], 0, "{s}");
    }
    if !old.is_empty() {
        let text = finding(&doc, "fresh_from_lagging");
        assert!(
            text.contains("has just fetched the old answer #2 (A 192.0.2.8) — from ns2.news.example., the secondary that lags"),
            "{text}"
        );
        assert!(!kinds(&doc).iter().any(|k| k == "cached_old"), "{doc}");
    }
}

#[test]
fn the_lab_resolvers_get_past_the_dead_servers_of_flaky_test() {
    let (doc, _) = compare(&["www.flaky.test", "--lab"]);
    for label in ["isp-a", "isp-b", "campus"] {
        let s = server(&doc, label);
        assert_eq!(s["status"], "agrees", "{s}");
        assert_eq!(s["answer"][0]["data"], "192.0.2.70", "{s}");
    }
    // The dead authoritative servers are rows of their own, with why.
    assert_eq!(server(&doc, "ns1.flaky.test.")["error_kind"], "unreachable");
    assert_eq!(server(&doc, "ns2.flaky.test.")["error_kind"], "timeout");
    // Resolvers and authoritative servers are counted apart.
    assert_eq!(doc["agreement"]["resolvers"]["agree"], 3);
    assert_eq!(doc["agreement"]["authoritative"]["agree"], 1);
    assert_eq!(doc["agreement"]["authoritative"]["of"], 3);
    let verdict = doc["verdict"]["text"].as_str().unwrap_or_default();
    assert!(
        verdict.contains("3 of 3 resolvers and 1 of 3 authoritative servers"),
        "{doc}"
    );
}

#[test]
fn a_watch_limit_says_it_was_reached_and_the_timeline_stays() {
    let out = dnscope()
        .args([
            "compare",
            "--lab",
            "--scenario",
            "propagation",
            "--watch",
            "1",
            "--watch-limit",
            "2s",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("Stopped at the watch limit of 2 s after"),
        "{text}"
    );
    assert!(text.contains("not consistent yet"), "{text}");
    // Every round shows where the scenario stands, not only the first.
    let rounds = text.matches("Comparing menu.cafe.example. A").count();
    assert!(rounds >= 2, "{text}");
    assert!(
        text.matches("Scenario: propagation").count() >= rounds,
        "{text}"
    );
}

#[test]
fn a_later_round_keeps_after_the_change_and_from_now_apart() {
    // Round 3 or so: the change was several seconds ago, isp-a has little left.
    let out = dnscope()
        .args([
            "compare",
            "--lab",
            "--scenario",
            "propagation",
            "--watch",
            "1",
            "--json",
        ])
        .output()
        .expect("run");
    let rounds: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let later = rounds
        .iter()
        .find(|r| r["round"].as_u64() >= Some(3))
        .unwrap_or_else(|| panic!("{} rounds", rounds.len()));
    let worst = finding(later, "worst_case");
    // After the change: 8 s, the TTL; the wall-clock time of the change is given.
    assert!(
        worst.contains("keeps it up to 8 s after the change"),
        "{worst}"
    );
    assert!(worst.contains("(it changed at "), "{worst}");
    let cached = later["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["kind"] == "cached_old"))
        .and_then(|f| f["text"].as_str());
    if let Some(cached) = cached {
        assert!(cached.contains(" s from now, by "), "{cached}");
    }
}
