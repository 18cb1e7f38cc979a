//! `dnscope query` against the embedded lab: every scenario of fixtures/lab, with exact
//! answers, TTLs, flags and referrals. Each test starts its own lab (`--lab` picks a free port).

mod common;

use common::{first, flag, query_lab, rcode, rrs};

#[test]
fn authoritative_answer_has_aa_and_ttl() {
    let (doc, code) = query_lab(&["www.shop.test", "A"]);
    assert_eq!(code, 0);
    assert_eq!(doc["schema"], "dnscope.query/2");
    assert_eq!(doc["question"]["name"], "www.shop.test.");
    assert_eq!(doc["question"]["type"], "A");
    let r = first(&doc);
    assert_eq!(r["server"]["label"], "ns1.shop.test.");
    assert_eq!(r["server"]["address"], "127.77.0.40");
    assert_eq!(r["server"]["source"], "lab");
    assert_eq!(r["transport"], "udp");
    assert_eq!(rcode(r), "NOERROR");
    assert!(flag(r, "aa") && flag(r, "qr"));
    assert!(!flag(r, "tc") && !flag(r, "ra"));
    assert_eq!(rrs(r, "answer"), ["www.shop.test. 300 A 192.0.2.80"]);
    assert_eq!(r["edns"]["udp_payload"], 1232);
    assert!(r["rtt_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    assert!(r["request_bytes"].as_u64().is_some_and(|b| b > 12));
}

#[test]
fn root_sends_a_referral_with_glue() {
    let (doc, _) = query_lab(&["www.shop.test", "@a.root-servers.test", "--no-rd"]);
    let r = first(&doc);
    assert_eq!(rcode(r), "NOERROR");
    assert!(!flag(r, "aa"), "a referral is not authoritative");
    assert!(!flag(r, "rd"));
    assert!(rrs(r, "answer").is_empty());
    assert_eq!(
        rrs(r, "authority"),
        [
            "test. 172800 NS ns1.nic.test.",
            "test. 172800 NS ns2.nic.test."
        ]
    );
    assert_eq!(
        rrs(r, "additional"),
        [
            "ns1.nic.test. 172800 A 127.77.0.10",
            "ns2.nic.test. 172800 A 127.77.0.11"
        ]
    );
}

#[test]
fn tld_refers_to_the_zone_with_glue() {
    let (doc, _) = query_lab(&["www.shop.test", "@ns1.nic.test", "--no-rd"]);
    let r = first(&doc);
    assert!(!flag(r, "aa"));
    assert_eq!(
        rrs(r, "authority"),
        [
            "shop.test. 172800 NS ns1.shop.test.",
            "shop.test. 172800 NS ns2.shop.test."
        ]
    );
    assert_eq!(
        rrs(r, "additional"),
        [
            "ns1.shop.test. 172800 A 127.77.0.40",
            "ns2.shop.test. 172800 A 127.77.0.41"
        ]
    );
}

#[test]
fn glueless_delegation_has_no_additional() {
    let (doc, _) = query_lab(&["www.cdn.example", "@ns1.nic.example", "--no-rd"]);
    let r = first(&doc);
    assert!(!flag(r, "aa"));
    assert_eq!(
        rrs(r, "authority"),
        [
            "cdn.example. 172800 NS ns1.dns-host.test.",
            "cdn.example. 172800 NS ns2.dns-host.test."
        ]
    );
    assert!(
        rrs(r, "additional").is_empty(),
        "out-of-bailiwick NS get no glue"
    );
    // The NS names resolve in dns-host.test, and the zone answers there.
    let (doc, _) = query_lab(&["ns1.dns-host.test", "@ns.dns-host.test", "--no-rd"]);
    assert_eq!(
        rrs(first(&doc), "answer"),
        ["ns1.dns-host.test. 3600 A 127.77.0.51"]
    );
    let (doc, _) = query_lab(&["www.cdn.example", "@ns1.dns-host.test", "--no-rd"]);
    assert_eq!(
        rrs(first(&doc), "answer"),
        ["www.cdn.example. 300 A 192.0.2.100"]
    );
}

#[test]
fn cname_chain_crosses_zones_and_tlds() {
    let (doc, _) = query_lab(&["blog.shop.test"]);
    let r = first(&doc);
    assert!(flag(r, "aa"));
    assert_eq!(
        rrs(r, "answer"),
        ["blog.shop.test. 600 CNAME blog.media.example."]
    );
    let (doc, _) = query_lab(&["blog.media.example"]);
    assert_eq!(
        rrs(first(&doc), "answer"),
        ["blog.media.example. 900 CNAME edge.cdn.example."]
    );
    let (doc, _) = query_lab(&["edge.cdn.example"]);
    assert_eq!(
        rrs(first(&doc), "answer"),
        [
            "edge.cdn.example. 60 A 192.0.2.101",
            "edge.cdn.example. 60 A 192.0.2.102"
        ]
    );
}

#[test]
fn nxdomain_carries_the_soa() {
    let (doc, code) = query_lab(&["nope.shop.test"]);
    assert_eq!(code, 0, "a response was received, whatever its rcode");
    let r = first(&doc);
    assert_eq!(rcode(r), "NXDOMAIN");
    assert!(flag(r, "aa"));
    assert!(rrs(r, "answer").is_empty());
    let soa = rrs(r, "authority");
    assert_eq!(soa.len(), 1);
    assert!(
        soa[0]
            .ends_with("SOA ns1.shop.test. hostmaster.shop.test. 2026112801 7200 3600 1209600 300"),
        "{soa:?}"
    );
}

#[test]
fn nodata_is_noerror_with_soa_and_no_answer() {
    let (doc, _) = query_lab(&["www.shop.test", "MX"]);
    let r = first(&doc);
    assert_eq!(rcode(r), "NOERROR");
    assert!(flag(r, "aa"));
    assert!(rrs(r, "answer").is_empty());
    assert!(rrs(r, "authority")[0].contains(" SOA ns1.shop.test. "));
}

#[test]
fn dead_blackholed_and_live_servers_side_by_side() {
    let (doc, code) = query_lab(&[
        "www.flaky.test",
        "@ns1.flaky.test",
        "@ns2.flaky.test",
        "@ns3.flaky.test",
        "--timeout",
        "300ms",
        "--retries",
        "0",
    ]);
    assert_eq!(code, 1, "some servers did not reply");
    let rs = doc["responses"].as_array().expect("responses");
    assert_eq!(rs.len(), 3);
    assert_eq!(rs[0]["ok"], false);
    assert_eq!(rs[0]["error"]["kind"], "unreachable");
    assert_eq!(rs[1]["ok"], false);
    assert_eq!(rs[1]["error"]["kind"], "timeout");
    assert_eq!(rs[2]["ok"], true);
    assert_eq!(rrs(&rs[2], "answer"), ["www.flaky.test. 300 A 192.0.2.70"]);
}

#[test]
fn no_reply_at_all_exits_3() {
    let (doc, code) = query_lab(&[
        "www.flaky.test",
        "@ns1.flaky.test",
        "@ns2.flaky.test",
        "--timeout",
        "200ms",
        "--retries",
        "0",
    ]);
    assert_eq!(code, 3);
    assert_eq!(doc["responses"][1]["error"]["kind"], "timeout");
}

#[test]
fn a_lame_server_refuses() {
    let (doc, code) = query_lab(&[
        "www.lame.test",
        "@ns1.lame.test",
        "@ns2.lame.test",
        "--no-rd",
    ]);
    assert_eq!(code, 0);
    let rs = doc["responses"].as_array().expect("responses");
    assert_eq!(rcode(&rs[0]), "REFUSED");
    assert!(!flag(&rs[0], "aa"));
    assert_eq!(rcode(&rs[1]), "NOERROR");
    assert!(flag(&rs[1], "aa"));
}

#[test]
fn large_rrset_truncates_then_tcp() {
    let (doc, _) = query_lab(&["big.shop.test", "TXT"]);
    let r = first(&doc);
    assert_eq!(r["transport"], "tcp");
    assert!(!flag(r, "tc"));
    assert_eq!(rrs(r, "answer").len(), 8);
    let t = &r["truncated"];
    assert!(t["bytes"].as_u64().is_some_and(|b| b <= 1232), "{t}");
    assert!(r["response_bytes"].as_u64().is_some_and(|b| b > 1232));

    let (doc, _) = query_lab(&["big.shop.test", "TXT", "--no-tcp-fallback"]);
    let r = first(&doc);
    assert_eq!(r["transport"], "udp");
    assert!(flag(r, "tc"));
    assert!(rrs(r, "answer").len() < 8);
}

#[test]
fn tcp_on_request() {
    let (doc, _) = query_lab(&["www.shop.test", "--tcp"]);
    let r = first(&doc);
    assert_eq!(r["transport"], "tcp");
    assert_eq!(r["udp_attempts"], 0);
    assert_eq!(rrs(r, "answer"), ["www.shop.test. 300 A 192.0.2.80"]);
}

#[test]
fn stale_secondary_serves_an_older_serial_and_old_data() {
    let (doc, _) = query_lab(&[
        "news.example",
        "SOA",
        "@ns1.news.example",
        "@ns2.news.example",
    ]);
    let rs = doc["responses"].as_array().expect("responses");
    assert!(rrs(&rs[0], "answer")[0].contains(" 2026112802 "));
    assert!(rrs(&rs[1], "answer")[0].contains(" 2026112801 "));
    let (doc, _) = query_lab(&["www.news.example", "@ns1.news.example", "@ns2.news.example"]);
    let rs = doc["responses"].as_array().expect("responses");
    assert_eq!(
        rrs(&rs[0], "answer"),
        ["www.news.example. 300 A 192.0.2.81"]
    );
    assert_eq!(rrs(&rs[1], "answer"), ["www.news.example. 300 A 192.0.2.8"]);
}

#[test]
fn four_zone_cuts_deep_and_parent_child_ns_mismatch() {
    let (doc, _) = query_lab(&["www.paris.eu.shop.test"]);
    let r = first(&doc);
    assert_eq!(r["server"]["label"], "ns1.paris.eu.shop.test.");
    assert_eq!(
        rrs(r, "answer"),
        ["www.paris.eu.shop.test. 120 A 192.0.2.91"]
    );
    // The parent (shop.test) delegates eu.shop.test to one server...
    let (doc, _) = query_lab(&["www.paris.eu.shop.test", "@ns1.shop.test", "--no-rd"]);
    assert_eq!(
        rrs(first(&doc), "authority"),
        ["eu.shop.test. 3600 NS ns1.eu.shop.test."]
    );
    // ...the child's own NS set names two.
    let (doc, _) = query_lab(&["eu.shop.test", "NS", "@ns1.eu.shop.test"]);
    assert_eq!(
        rrs(first(&doc), "answer"),
        [
            "eu.shop.test. 3600 NS ns1.eu.shop.test.",
            "eu.shop.test. 3600 NS ns2.eu.shop.test."
        ]
    );
}

#[test]
fn record_types_in_presentation_form() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "shop.test",
            "MX",
            &[
                "shop.test. 3600 MX 10 mail.shop.test.",
                "shop.test. 3600 MX 20 backup-mail.shop.test.",
            ],
        ),
        (
            "_imaps._tcp.shop.test",
            "SRV",
            &["_imaps._tcp.shop.test. 3600 SRV 0 5 993 mail.shop.test."],
        ),
        (
            "shop.test",
            "CAA",
            &[
                "shop.test. 3600 CAA 0 iodef \"mailto:security@shop.test\"",
                "shop.test. 3600 CAA 0 issue \"ca.example\"",
            ],
        ),
        (
            "www.shop.test",
            "AAAA",
            &["www.shop.test. 300 AAAA 2001:db8::80"],
        ),
        (
            "shop.test",
            "TXT",
            &["shop.test. 3600 TXT \"v=spf1 mx -all\""],
        ),
        (
            "www.shop.test",
            "HTTPS",
            &["www.shop.test. 300 HTTPS 1 . alpn=h2,h3"],
        ),
        (
            "shop.test",
            "NAPTR",
            &["shop.test. 3600 NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.shop.test."],
        ),
        (
            "shop.test",
            "SOA",
            &[
                "shop.test. 3600 SOA ns1.shop.test. hostmaster.shop.test. 2026112801 7200 3600 1209600 300",
            ],
        ),
        (
            "shop.test",
            "TYPE2",
            &[
                "shop.test. 3600 NS ns1.shop.test.",
                "shop.test. 3600 NS ns2.shop.test.",
            ],
        ),
    ];
    for (name, rtype, want) in cases {
        let (doc, _) = query_lab(&[name, rtype]);
        assert_eq!(rrs(first(&doc), "answer"), *want, "{name} {rtype}");
    }
}

#[test]
fn reverse_lookups_v4_and_v6() {
    let (doc, _) = query_lab(&["-x", "192.0.2.80"]);
    assert_eq!(doc["question"]["name"], "80.2.0.192.in-addr.arpa.");
    assert_eq!(doc["question"]["type"], "PTR");
    assert_eq!(
        rrs(first(&doc), "answer"),
        ["80.2.0.192.in-addr.arpa. 3600 PTR www.shop.test."]
    );
    let (doc, _) = query_lab(&["-x", "2001:db8::80"]);
    let r = first(&doc);
    assert_eq!(r["server"]["label"], "ns1.shop.test.");
    assert_eq!(rrs(r, "answer").len(), 1);
    assert!(rrs(r, "answer")[0].ends_with("8.b.d.0.1.0.0.2.ip6.arpa. 3600 PTR www.shop.test."));
    // The arpa. server refers to shop.test's servers without glue (they are not under arpa.).
    let (doc, _) = query_lab(&["-x", "192.0.2.80", "@ns1.nic.arpa", "--no-rd"]);
    let r = first(&doc);
    assert!(!flag(r, "aa"));
    assert!(rrs(r, "additional").is_empty());
}

#[test]
fn edns_flags_follow_the_options() {
    let (doc, _) = query_lab(&["www.shop.test", "--dnssec"]);
    assert_eq!(first(&doc)["edns"]["do"], true);
    let (doc, _) = query_lab(&["www.shop.test", "--no-edns"]);
    assert!(first(&doc)["edns"].is_null());
    let (doc, _) = query_lab(&["www.shop.test", "--no-rd"]);
    assert!(!flag(first(&doc), "rd"));
}

#[test]
fn servers_by_address_with_the_lab_port() {
    let (doc, code) = query_lab(&["www.shop.test", "@127.77.0.40", "@127.77.0.41"]);
    assert_eq!(code, 0);
    let rs = doc["responses"].as_array().expect("responses");
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[0]["server"]["label"], "ns1.shop.test.");
    assert_eq!(rs[1]["server"]["label"], "ns2.shop.test.");
    assert_eq!(rs[0]["server"]["port"], rs[1]["server"]["port"]);
}

#[test]
fn the_lab_moves_to_another_net_glue_included() {
    let (doc, _) = query_lab(&[
        "www.shop.test",
        "@a.root-servers.test",
        "--lab-net",
        "127.88.1.0",
    ]);
    let r = first(&doc);
    assert_eq!(r["server"]["address"], "127.88.1.2");
    assert_eq!(
        rrs(r, "additional"),
        [
            "ns1.nic.test. 172800 A 127.88.1.10",
            "ns2.nic.test. 172800 A 127.88.1.11"
        ]
    );
}
