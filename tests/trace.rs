//! `dnscope trace` through the embedded lab: every scenario, with zone cuts, answers and
//! TTLs, the outcome of every server, nested glueless lookups, CNAME links, TC → TCP, negative
//! answers with their TTL, and each way a trace can fail or be stopped.

mod common;

use common::{LabProcess, dnscope, hop_of, hops_at, list, trace_json, trace_lab};
use serde_json::Value;

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("?").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn plain_three_level_delegation() {
    let (doc, code) = trace_lab(&["www.shop.test"]);
    assert_eq!(code, 0);
    assert_eq!(doc["schema"], "dnscope.trace/1");
    assert_eq!(doc["name"], "www.shop.test.");
    assert_eq!(doc["type"], "A");
    assert_eq!(doc["rcode"], "NOERROR");
    assert_eq!(doc["result"], "answer");
    assert_eq!(list(&doc["answer"]), ["www.shop.test. 300 A 192.0.2.80"]);
    assert_eq!(strs(&doc["zone_cuts"]), [".", "test.", "shop.test."]);
    assert_eq!(doc["start"]["from"], "lab");
    assert_eq!(
        strs(
            &doc["start"]["roots"]
                .as_array()
                .map(|r| r.iter().map(|x| x["name"].clone()).collect::<Vec<_>>())
                .map(Value::from)
                .unwrap_or_default()
        ),
        ["a.root-servers.test.", "b.root-servers.test."]
    );

    // Both root servers were asked and referred to test., with NS and glue and TTLs.
    let root = hops_at(&doc, ".", "www.shop.test.");
    assert_eq!(root.len(), 2);
    for h in &root {
        assert_eq!(h["outcome"], "referral");
        assert_eq!(h["rcode"], "NOERROR");
        assert_eq!(h["aa"], false);
        assert_eq!(h["transport"], "udp");
        assert!(h["rtt_ms"].as_f64().is_some_and(|r| r > 0.0));
        let ns: Vec<String> = h["ns"]
            .as_array()
            .expect("ns")
            .iter()
            .map(|n| format!("{} {}", n["name"].as_str().unwrap_or(""), n["ttl"]))
            .collect();
        assert_eq!(ns, ["ns1.nic.test. 172800", "ns2.nic.test. 172800"]);
        assert_eq!(
            list(&h["glue"]),
            [
                "ns1.nic.test. 172800 A 127.77.0.10",
                "ns2.nic.test. 172800 A 127.77.0.11"
            ]
        );
    }
    assert_eq!(root.iter().filter(|h| h["chosen"] == true).count(), 1);
    let tld = hops_at(&doc, "test.", "www.shop.test.");
    assert_eq!(tld.len(), 2);
    let auth = hops_at(&doc, "shop.test.", "www.shop.test.");
    assert_eq!(auth.len(), 2);
    let chosen = auth.iter().find(|h| h["chosen"] == true).expect("chosen");
    assert_eq!(chosen["outcome"], "answer");
    assert_eq!(chosen["aa"], true);
    assert_eq!(doc["queries"], 6);
    let (elapsed, cold) = (
        doc["elapsed_ms"].as_f64().unwrap_or(0.0),
        doc["cold_best_path_ms"].as_f64().unwrap_or(0.0),
    );
    assert!(
        cold > 0.0 && cold <= elapsed,
        "cold {cold} elapsed {elapsed}"
    );
}

#[test]
fn four_zone_cuts_deep() {
    let (doc, code) = trace_lab(&["www.paris.eu.shop.test"]);
    assert_eq!(code, 0);
    assert_eq!(
        strs(&doc["zone_cuts"]),
        [
            ".",
            "test.",
            "shop.test.",
            "eu.shop.test.",
            "paris.eu.shop.test."
        ]
    );
    assert_eq!(
        list(&doc["answer"]),
        ["www.paris.eu.shop.test. 120 A 192.0.2.91"]
    );
    // The parent handed down one NS for eu.shop.test (the child lists two).
    let shop = hops_at(&doc, "shop.test.", "www.paris.eu.shop.test.");
    let ns = shop[0]["ns"].as_array().expect("ns");
    assert_eq!(ns.len(), 1);
    assert_eq!(ns[0]["name"], "ns1.eu.shop.test.");
    assert_eq!(ns[0]["ttl"], 3600);
}

#[test]
fn glueless_delegation_is_resolved_in_nested_steps() {
    let (doc, code) = trace_lab(&["www.cdn.example"]);
    assert_eq!(code, 0);
    assert_eq!(list(&doc["answer"]), ["www.cdn.example. 300 A 192.0.2.100"]);
    assert_eq!(strs(&doc["zone_cuts"]), [".", "example.", "cdn.example."]);
    let steps = doc["steps"].as_array().expect("steps");
    let (idx, cdn) = steps
        .iter()
        .enumerate()
        .find(|(_, s)| s["zone"] == "cdn.example." && s["depth"] == 0)
        .expect("the cdn.example step");
    let referral = hops_at(&doc, "example.", "www.cdn.example.");
    assert!(
        referral
            .iter()
            .all(|h| h["glue"].as_array().is_some_and(Vec::is_empty)),
        "no glue"
    );
    let lookups = cdn["ns_lookups"].as_array().expect("lookups");
    assert_eq!(lookups[0]["ns"], "ns1.dns-host.test.");
    assert_eq!(strs(&lookups[0]["addresses"]), ["127.77.0.51"]);
    // The nested steps hang under the cdn.example step, one level deeper.
    let nested: Vec<&Value> = steps.iter().filter(|s| s["parent"] == idx).collect();
    assert!(nested.len() >= 3, "{nested:?}");
    assert!(nested.iter().all(|s| s["depth"] == 1
        && s["purpose"] == "ns_address"
        && s["for_zone"] == "cdn.example."));
    let zones: Vec<&str> = nested
        .iter()
        .filter(|s| s["qname"] == "ns1.dns-host.test.")
        .filter_map(|s| s["zone"].as_str())
        .collect();
    assert_eq!(zones, [".", "test.", "dns-host.test."]);
    // The chosen server is the one looked up first; the other was looked up and asked too.
    let auth = hops_at(&doc, "cdn.example.", "www.cdn.example.");
    assert_eq!(hop_of(&auth, "ns1.dns-host.test.")["chosen"], true);
}

#[test]
fn cname_chain_across_zones_and_tlds() {
    let (doc, code) = trace_lab(&["blog.shop.test"]);
    assert_eq!(code, 0);
    assert_eq!(
        list(&doc["cnames"]),
        [
            "blog.shop.test. 600 CNAME blog.media.example.",
            "blog.media.example. 900 CNAME edge.cdn.example."
        ]
    );
    assert_eq!(
        list(&doc["answer"]),
        [
            "edge.cdn.example. 60 A 192.0.2.101",
            "edge.cdn.example. 60 A 192.0.2.102"
        ]
    );
    assert_eq!(
        strs(&doc["zone_cuts"]),
        [
            ".",
            "test.",
            "shop.test.",
            "example.",
            "media.example.",
            "cdn.example."
        ]
    );
    // The second link restarts from the closest cut already known: example. is not asked
    // from the root again for edge.cdn.example.
    assert!(hops_at(&doc, ".", "edge.cdn.example.").is_empty());
    assert_eq!(hops_at(&doc, "example.", "edge.cdn.example.").len(), 2);
    let link = hops_at(&doc, "shop.test.", "blog.shop.test.");
    assert!(link.iter().any(|h| h["outcome"] == "cname"));
}

#[test]
fn nxdomain_with_the_negative_ttl() {
    let (doc, code) = trace_lab(&["nope.shop.test"]);
    assert_eq!(code, 0);
    assert_eq!(doc["rcode"], "NXDOMAIN");
    assert_eq!(doc["result"], "nxdomain");
    assert_eq!(doc["negative"]["ttl"], 300);
    assert!(
        doc["negative"]["soa"]["data"]
            .as_str()
            .is_some_and(|d| d.ends_with(" 300"))
    );
    let human = dnscope()
        .args(["trace", "nope.shop.test", "--lab"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains(
            "cache this negative answer for 300 s (5m) = min(SOA TTL 3600, SOA MINIMUM 300)"
        ),
        "{text}"
    );
}

#[test]
fn nodata_with_the_negative_ttl() {
    let (doc, code) = trace_lab(&["www.shop.test", "MX"]);
    assert_eq!(code, 0);
    assert_eq!(doc["rcode"], "NOERROR");
    assert_eq!(doc["result"], "nodata");
    assert_eq!(doc["negative"]["ttl"], 300);
    assert!(doc["answer"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn dead_and_blackholed_servers_are_marked_and_skipped() {
    let (doc, code) = trace_lab(&[
        "www.flaky.test",
        "--wait-all",
        "--timeout",
        "300ms",
        "--retries",
        "0",
    ]);
    assert_eq!(code, 0);
    assert_eq!(list(&doc["answer"]), ["www.flaky.test. 300 A 192.0.2.70"]);
    let hops = hops_at(&doc, "flaky.test.", "www.flaky.test.");
    assert_eq!(hop_of(&hops, "ns1.flaky.test.")["outcome"], "unreachable");
    assert_eq!(hop_of(&hops, "ns2.flaky.test.")["outcome"], "timeout");
    let ns3 = hop_of(&hops, "ns3.flaky.test.");
    assert_eq!(ns3["outcome"], "answer");
    assert_eq!(ns3["chosen"], true);
    // Without --wait-all the blackholed server does not hold the trace up: the trace is
    // reported before its 2 s timeout, so it has no reply yet rather than a timeout.
    let (doc, _) = trace_lab(&["www.flaky.test", "--timeout", "2s"]);
    let hops = hops_at(&doc, "flaky.test.", "www.flaky.test.");
    assert_eq!(hop_of(&hops, "ns2.flaky.test.")["outcome"], "no_reply");
}

#[test]
fn one_server_at_a_time_waits_for_the_blackhole() {
    let (doc, code) = trace_lab(&[
        "www.flaky.test",
        "--one",
        "--timeout",
        "200ms",
        "--retries",
        "0",
    ]);
    assert_eq!(code, 0);
    let hops = hops_at(&doc, "flaky.test.", "www.flaky.test.");
    assert_eq!(hops.len(), 3);
    let ns2 = hop_of(&hops, "ns2.flaky.test.");
    assert_eq!(ns2["outcome"], "timeout");
    assert_eq!(
        ns2["detail"], "timeout (1×200 ms)",
        "waited the whole timeout"
    );
    // One server per level otherwise.
    assert_eq!(hops_at(&doc, ".", "www.flaky.test.").len(), 1);
}

#[test]
fn a_lame_server_is_marked_and_the_other_used() {
    let (doc, code) = trace_lab(&["www.lame.test"]);
    assert_eq!(code, 0);
    let hops = hops_at(&doc, "lame.test.", "www.lame.test.");
    let ns1 = hop_of(&hops, "ns1.lame.test.");
    assert_eq!(ns1["outcome"], "refused");
    assert_eq!(ns1["rcode"], "REFUSED");
    assert_eq!(hop_of(&hops, "ns2.lame.test.")["chosen"], true);
}

#[test]
fn truncation_retries_over_tcp_on_the_hop() {
    let (doc, code) = trace_lab(&["big.shop.test", "TXT"]);
    assert_eq!(code, 0);
    assert_eq!(doc["answer"].as_array().map(Vec::len), Some(8));
    let hops = hops_at(&doc, "shop.test.", "big.shop.test.");
    let chosen = hops.iter().find(|h| h["chosen"] == true).expect("chosen");
    assert!(
        chosen["tc"] == true && chosen["transport"] == "tcp",
        "{chosen}"
    );
    assert!(
        hops.iter()
            .all(|h| h["outcome"] != "answer" || h["transport"] == "tcp")
    );
    // Every TCP retry counts as a query of its own.
    let retries = doc["hops"]
        .as_array()
        .map_or(0, |h| h.iter().filter(|h| h["tc"] == true).count());
    assert_eq!(doc["queries"].as_u64(), Some(6 + retries as u64));
}

#[test]
fn reverse_trace() {
    let (doc, code) = trace_lab(&["-x", "192.0.2.80"]);
    assert_eq!(code, 0);
    assert_eq!(doc["type"], "PTR");
    assert_eq!(
        list(&doc["answer"]),
        ["80.2.0.192.in-addr.arpa. 3600 PTR www.shop.test."]
    );
    assert_eq!(
        strs(&doc["zone_cuts"]),
        [".", "arpa.", "2.0.192.in-addr.arpa."]
    );
}

#[test]
fn referral_loop_ends_with_a_verdict() {
    let (doc, code) = trace_lab(&["www.loop.test"]);
    assert_eq!(code, 1);
    assert_eq!(doc["rcode"], "SERVFAIL");
    assert_eq!(doc["result"], "failed");
    assert_eq!(doc["failure"]["kind"], "unusable");
    assert_eq!(doc["failure"]["zone"], "loop.test.");
    let hops = hops_at(&doc, "loop.test.", "www.loop.test.");
    let ns1 = hop_of(&hops, "ns1.loop.test.");
    assert_eq!(ns1["outcome"], "lame");
    assert!(
        ns1["detail"]
            .as_str()
            .is_some_and(|d| d.contains("sideways referral"))
    );
    assert!(
        hop_of(&hops, "ns2.loop.test.")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("upward referral"))
    );
}

#[test]
fn glueless_cycle_ends_with_a_verdict() {
    let (doc, code) = trace_lab(&["www.cycle.test"]);
    assert_eq!(code, 1);
    assert_eq!(doc["failure"]["kind"], "glueless_cycle");
    assert_eq!(doc["failure"]["zone"], "cycle.test.");
    assert!(
        doc["failure"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("ns.cycle.example.") && d.contains("ns.cycle.test."))
    );
    assert!(doc["queries"].as_u64().is_some_and(|q| q < 20));
}

#[test]
fn a_wide_glueless_cycle_is_one_cycle_not_an_explosion() {
    // Four NS names on each side: every path loops; it must end at once, not branch.
    let (doc, code) = trace_lab(&["www.tangle.test"]);
    assert_eq!(code, 1);
    assert_eq!(doc["failure"]["kind"], "glueless_cycle");
    assert!(
        doc["steps"].as_array().is_some_and(|s| s.len() < 40),
        "{}",
        doc["steps"].as_array().map_or(0, Vec::len)
    );
    assert!(doc["queries"].as_u64().is_some_and(|q| q < 40));
}

#[test]
fn a_server_named_inside_its_own_zone_without_glue() {
    let (doc, code) = trace_lab(&["www.selfish.test"]);
    assert_eq!(code, 1);
    assert_eq!(doc["failure"]["kind"], "glueless_cycle");
    let detail = doc["failure"]["detail"].as_str().unwrap_or("");
    assert!(detail.contains("ns.selfish.test."), "{detail}");
    assert!(!detail.contains("needs ,"), "{detail}");
}

#[test]
fn cname_loop_ends_with_a_verdict() {
    let (doc, code) = trace_lab(&["cname-loop.shop.test"]);
    assert_eq!(code, 1);
    assert_eq!(doc["failure"]["kind"], "cname_loop");
    assert_eq!(list(&doc["cnames"]).len(), 2);
}

#[test]
fn the_query_budget_stops_a_sprawl() {
    let (doc, code) = trace_lab(&["www.sprawl.test"]);
    assert_eq!(code, 5);
    assert_eq!(doc["result"], "limit");
    assert_eq!(doc["failure"]["kind"], "budget");
    assert_eq!(doc["queries"], 150);
    let (doc, code) = trace_lab(&["www.shop.test", "--budget", "3"]);
    assert_eq!(code, 5);
    assert_eq!(doc["queries"], 3);
    // Partial results are kept: the referral to shop.test. came, nothing could ask it.
    assert_eq!(strs(&doc["zone_cuts"]), [".", "test.", "shop.test."]);
    assert!(
        doc["failure"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("before asking shop.test."))
    );
}

#[test]
fn the_depth_limit_stops_nested_lookups() {
    let (doc, code) = trace_lab(&["www.cdn.example", "--max-depth", "0"]);
    assert_eq!(code, 5);
    assert_eq!(doc["failure"]["kind"], "depth");
}

#[test]
fn no_server_replying_exits_3() {
    // Nothing listens on this loopback address: the kernel refuses at once.
    let (doc, code) = trace_json(&["www.shop.test", "--root", "127.66.0.9:9"]);
    assert_eq!(code, 3);
    assert_eq!(doc["failure"]["kind"], "no_reply");
    assert_eq!(doc["start"]["from"], "given");
    assert_eq!(doc["hops"][0]["outcome"], "unreachable");
}

#[test]
fn root_hints_file_and_root_addresses() {
    let lab = LabProcess::start("127.78.6.0");
    let port = lab.port.to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let hints = dir.path().join("named.root");
    std::fs::write(
        &hints,
        ".   3600000  NS  a.root-servers.test.\na.root-servers.test. 3600000 A 127.78.6.2\n",
    )
    .expect("write");
    let hints_arg = hints.to_string_lossy().into_owned();
    let (doc, code) = trace_json(&["www.shop.test", "--root-hints", &hints_arg, "--port", &port]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["start"]["from"], "hints_file");
    assert_eq!(list(&doc["answer"]), ["www.shop.test. 300 A 192.0.2.80"]);
    // Another root than the built-in one: no built-in trust anchor applies.
    assert_eq!(doc["dnssec"]["verdict"], "indeterminate", "{doc}");
    assert_eq!(doc["dnssec"]["code"], "no-trust-anchor");
    let root = format!("127.78.6.3:{port}");
    let (doc, code) = trace_json(&["www.shop.test", "--root", &root, "--port", &port]);
    assert_eq!(code, 0);
    assert_eq!(doc["start"]["from"], "given");
    assert_eq!(doc["hops"][0]["address"], "127.78.6.3");
}

#[test]
fn the_start_is_printed_first_and_bad_input_is_one_line() {
    let out = dnscope()
        .args(["trace", "www.shop.test", "--lab"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("Tracing www.shop.test. A"));
    assert!(lines.next().is_some_and(|l| {
        l.starts_with("Starting from the lab's root servers: a.root-servers.test. 127.77.0.2")
    }));
    assert!(text.contains("Zone cuts: . → test. → shop.test."));
    for (args, needle) in [
        (vec!["trace", "a..b", "--lab"], "empty label"),
        (
            vec!["trace", "www.shop.test", "BOGUS", "--lab"],
            "unknown record type",
        ),
        (vec!["trace", "www.shop.test", "@127.0.0.1"], "--root"),
        (
            vec![
                "trace",
                "www.shop.test",
                "--root-hints",
                "/nonexistent/named.root",
            ],
            "cannot read root hints",
        ),
        (
            vec!["trace", "www.shop.test", "--root", "nonsense:port"],
            "not a port number",
        ),
    ] {
        common::assert_usage_error(&args, needle);
    }
}

#[test]
fn loopback_only_refuses_other_addresses() {
    // With DNSCOPE_LOOPBACK_ONLY (set for every test) a root outside loopback is not asked.
    let (doc, code) = trace_json(&["www.shop.test", "--root", "192.0.2.1", "--timeout", "200ms"]);
    assert_eq!(code, 3);
    assert_eq!(doc["hops"][0]["outcome"], "forbidden");
}

#[test]
fn network_text_is_escaped_for_the_terminal() {
    let out = dnscope()
        .args(["trace", "odd.shop.test", "TXT", "--lab"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(text.contains("\"\\027[31mred\\007\""), "{text}");
}

#[test]
fn verbose_shows_every_response() {
    let out = dnscope()
        .args(["trace", "www.shop.test", "--lab", "-v"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("-- response from 127.77.0.2"), "{text}");
    // With DNSSEC (the default) the root's referral carries test.'s DS and its RRSIG too.
    assert!(text.contains("AUTHORITY (4)"), "{text}");
    assert!(text.contains("ADDITIONAL (2)"));
    let out = dnscope()
        .args(["trace", "www.shop.test", "--lab", "-v", "--no-dnssec"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("AUTHORITY (2)"), "{text}");
}
