//! Teaching features: `explain` for every type and concept, `--explain` readings on query,
//! trace and compare, the lab exercises with solutions worked out from the live lab, the
//! picture of a trace, and the completions and man page.

mod common;

use std::process::Command;

use common::dnscope;

fn stdout(args: &[&str]) -> (String, i32) {
    let out = dnscope().args(args).output().expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn explain_every_record_type_with_fields_example_rfc_and_mistakes() {
    let cases: &[(&str, &[&str])] = &[
        ("A", &["IPv4", "RFC 1035"]),
        ("AAAA", &["IPv6", "RFC 3596"]),
        ("NS", &["zone cut", "glue"]),
        ("CNAME", &["alias", "CNAME at the zone apex"]),
        (
            "SOA",
            &[
                "MNAME", "RNAME", "SERIAL", "REFRESH", "RETRY", "EXPIRE", "MINIMUM", "RFC 2308",
            ],
        ),
        (
            "MX",
            &["PREFERENCE", "lower is tried first", "pointing to a CNAME"],
        ),
        ("TXT", &["SPF", "255 bytes"]),
        ("SRV", &["PRIORITY", "WEIGHT", "PORT", "TARGET", "RFC 2782"]),
        ("CAA", &["FLAGS", "issue", "iodef", "RFC 8659"]),
        ("PTR", &["in-addr.arpa"]),
        ("DS", &["KEY TAG", "ALGORITHM", "DIGEST TYPE", "parent"]),
        ("DNSKEY", &["257", "256", "key-signing key"]),
        ("RRSIG", &["TYPE COVERED", "EXPIRATION"]),
        ("NSEC", &["NEXT DOMAIN NAME"]),
        ("NSEC3", &["ITERATIONS", "RFC 9276"]),
        ("SVCB", &["alias mode", "alpn"]),
        ("HTTPS", &["alpn=h2,h3", "RFC 9460"]),
        (
            "NAPTR",
            &[
                "ORDER",
                "PREFERENCE",
                "FLAGS",
                "SERVICES",
                "REGEXP",
                "REPLACEMENT",
            ],
        ),
        ("TLSA", &["DANE"]),
        ("SSHFP", &["FINGERPRINT"]),
        ("DNAME", &["subtree"]),
        ("HINFO", &["CPU"]),
        ("CDS", &["RFC 7344"]),
        ("CDNSKEY", &["RFC 8078"]),
        ("NSEC3PARAM", &["ITERATIONS"]),
        ("OPENPGPKEY", &["RFC 7929"]),
        ("SMIMEA", &["RFC 8162"]),
        ("ANY", &["RFC 8482"]),
    ];
    for (t, needles) in cases {
        let (text, code) = stdout(&["explain", t]);
        assert_eq!(code, 0, "{t}");
        for section in [
            "Fields, in the order they are written:",
            "Example (zone-file form):",
            "Defined in: RFC",
            "Common mistakes:",
        ] {
            assert!(text.contains(section), "{t}: {section} missing");
        }
        for n in *needles {
            assert!(text.contains(n), "{t}: {n:?} missing in\n{text}");
        }
    }
    let (list, _) = stdout(&["explain"]);
    for (t, _) in cases {
        assert!(list.contains(&format!("  {t} ")), "{t} not listed");
    }
}

#[test]
fn explain_concepts() {
    let cases: &[(&str, &[&str])] = &[
        ("ttl", &["cache", "cache age"]),
        ("glue", &["additional section", "glueless"]),
        ("referral", &["AA=0", "authority section"]),
        (
            "negative-caching",
            &["min(SOA TTL, SOA MINIMUM)", "RFC 2308"],
        ),
        ("zone-cut", &["parent", "child"]),
        ("authoritative", &["AA=1", "lame"]),
    ];
    for (c, needles) in cases {
        let (text, code) = stdout(&["explain", c]);
        assert_eq!(code, 0, "{c}");
        assert!(text.contains("See it in the lab: dnscope"), "{c}");
        for n in *needles {
            assert!(text.contains(n), "{c}: {n:?} missing in\n{text}");
        }
    }
    let out = dnscope()
        .args(["explain", "nonsense"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let (json, _) = stdout(&["explain", "MX", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(doc["fields"][0]["field"], "PREFERENCE");
}

#[test]
fn query_explain_reads_every_record() {
    let (text, _) = stdout(&["query", "shop.test", "MX", "--lab", "--explain"]);
    assert!(
        text.contains(
            "↳ mail for shop.test. goes to mail.shop.test. (10): the lowest preference number, so it is preferred; the other is a backup, tried in order of number when the preferred cannot be reached: backup-mail.shop.test. (20)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "↳ The server is authoritative for the name (AA flag); it answered the question."
        ),
        "{text}"
    );
    let (text, _) = stdout(&[
        "query",
        "www.shop.test",
        "@a.root-servers.test",
        "--no-rd",
        "--lab",
        "--explain",
    ]);
    assert!(text.contains("this is a referral"), "{text}");
    assert!(
        text.contains("↳ the zone test. is served by the name server ns1.nic.test."),
        "{text}"
    );
    let (text, _) = stdout(&["query", "shop.test", "SOA", "--lab", "--explain"]);
    assert!(text.contains("contact hostmaster@shop.test"), "{text}");
    let (text, _) = stdout(&["query", "www.shop.test", "HTTPS", "--lab", "--explain"]);
    assert!(text.contains("speaking HTTP/2 and HTTP/3 (QUIC)"), "{text}");
}

#[test]
fn trace_explain_says_what_happened_at_each_hop() {
    let (text, _) = stdout(&["trace", "www.cdn.example", "--lab", "--explain"]);
    for needle in [
        "↳ The root does not hold www.cdn.example. itself; it refers you to the 2 servers of example. and gives their addresses (glue), so no extra lookup is needed.",
        "they refer you to the 2 servers of cdn.example.: ns1.dns-host.test., ns2.dns-host.test. lie outside cdn.example., the zone being delegated, and outside example., whose servers answered: they cannot vouch for their addresses (no glue is possible), so they must be looked up first.",
        "(this lookup only finds the address of a server of cdn.example., whose delegation came without glue)",
        "↳ www.cdn.example. has the IPv4 address 192.0.2.100",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in\n{text}");
    }
    let (text, _) = stdout(&["trace", "nope.shop.test", "--lab", "--explain"]);
    assert!(
        text.contains(
            "say nope.shop.test. does not exist (NXDOMAIN); resolvers may remember that for 300 s"
        ),
        "{text}"
    );
}

#[test]
fn compare_explain_reads_the_answers() {
    let (text, _) = stdout(&["compare", "www.shop.test", "--lab", "--explain"]);
    assert!(
        text.contains("↳ www.shop.test. has the IPv4 address 192.0.2.80"),
        "{text}"
    );
}

#[test]
fn exercises_are_listed_and_solved_from_the_live_lab() {
    let (list, code) = stdout(&["lab", "exercises"]);
    assert_eq!(code, 0);
    for title in [
        "Trace a glueless delegation",
        "Find the lagging secondary",
        "Work out when a cache expires",
        "Read an SOA",
        "Why does mail fail?",
    ] {
        assert!(list.contains(title), "{title}");
    }
    let expect: &[(&str, &[&str])] = &[
        (
            "1",
            &[
                ". -> test. -> shop.test.",
                "www.shop.test. 300 A 192.0.2.80",
            ],
        ),
        (
            "2",
            &[
                "ns1.dns-host.test. had to be looked up first: . -> test. -> dns-host.test. -> 127.77.0.51",
                "ns1.dns-host.test., ns2.dns-host.test. lie outside cdn.example., the zone being delegated, and outside example., whose servers answered",
            ],
        ),
        (
            "3",
            &[
                "ns2.news.example. serves serial 2026112801, behind the primary ns1.news.example. (2026112802)",
                "every 600 s",
            ],
        ),
        (
            "4",
            &[
                "Answer #1: A 192.0.2.20 (the authoritative answer).",
                "Answer #2: A 192.0.2.10.",
                "isp-a still serves the old answer #2 (A 192.0.2.10) from its cache, fetched about",
                "ns2.cafe.example. serves serial 2026112801, behind the primary",
            ],
        ),
        (
            "5",
            &[
                "Contact (RNAME): hostmaster@shop.test",
                "MINIMUM 300) = 300 s",
            ],
        ),
        ("6", &["points to mx.promo.shop.test.", "ends in NXDOMAIN"]),
        ("7", &["ns1.lame.test. is lame: it answers REFUSED"]),
    ];
    for (n, needles) in expect {
        let (text, code) = stdout(&["lab", "exercises", n, "--solution"]);
        assert_eq!(code, 0, "exercise {n}");
        assert!(
            text.contains("Solution (worked out from the lab just now):"),
            "{n}"
        );
        for needle in *needles {
            assert!(
                text.contains(needle),
                "exercise {n}: {needle:?} missing in\n{text}"
            );
        }
    }
    let (text, _) = stdout(&["lab", "exercises", "3"]);
    assert!(text.contains("--solution shows the answer") && !text.contains("Solution ("));
    let out = dnscope()
        .args(["lab", "exercises", "99"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_solution_follows_the_fixtures() {
    // Change the lab's data: the solution must change with it, not repeat a stored answer.
    let dir = common::lab_copy();
    let zone = dir.path().join("zones/shop.test.zone");
    let text = std::fs::read_to_string(&zone).expect("read");
    std::fs::write(
        &zone,
        text.replace(
            "www                     300     IN A    192.0.2.80",
            "www 120 IN A 192.0.2.123",
        ),
    )
    .expect("write");
    let lab_dir = dir.path().to_string_lossy().into_owned();
    let (text, code) = stdout(&["lab", "exercises", "1", "--solution", "--lab-dir", &lab_dir]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("www.shop.test. 120 A 192.0.2.123"), "{text}");
}

fn have_dot() -> bool {
    let found = Command::new("dot").arg("-V").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("DNSCOPE_REQUIRE_GRAPHVIZ").is_none(),
            "DNSCOPE_REQUIRE_GRAPHVIZ is set but Graphviz is not installed"
        );
    }
    found
}

#[test]
fn the_delegation_path_as_a_graph() {
    let (dot, code) = stdout(&["trace", "www.flaky.test", "--lab", "--format", "dot"]);
    assert_eq!(code, 0);
    assert!(dot.starts_with("digraph dnscope_trace {"));
    assert!(dot.contains("zone flaky.test.") && dot.contains("unreachable: nothing listens"));
    assert!(dot.contains("#228822"), "the path taken is highlighted");
    assert!(dot.contains("#f8c8c8"), "dead servers are marked");
    let (glueless, _) = stdout(&["trace", "www.cdn.example", "--lab", "--format", "dot"]);
    assert!(
        glueless.contains("(NS lookup) zone dns-host.test.") && glueless.contains("style=dashed")
    );
    if !have_dot() {
        return;
    }
    for graph in [&dot, &glueless] {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("dot");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), graph.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("dot");
        assert!(
            out.status.success(),
            "dot rejected the graph: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
    }
    let (svg, code) = stdout(&["trace", "www.shop.test", "--lab", "--format", "svg"]);
    assert_eq!(code, 0);
    assert!(svg.contains("<svg") && svg.contains("www.shop.test. A 192.0.2.80"));
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (text, code) = stdout(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(
            text.contains("dnscope") && text.contains("trace"),
            "{shell}"
        );
    }
    let (man, code) = stdout(&["man"]);
    assert_eq!(code, 0);
    assert!(man.contains(".TH dnscope"), "{man}");
    assert!(
        man.contains("Exit status"),
        "the man page documents the exit codes"
    );
}
