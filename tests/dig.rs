//! Cross-check against BIND's `dig`: asking the lab's servers hop by hop, dig sees the same
//! rcode, AA flag and sections (referrals and answers) that dnscope shows.
//!
//! Needs `dig` (Debian `bind9-dnsutils`). Without it the test prints that it was skipped;
//! with `DNSCOPE_REQUIRE_DIG=1` (set by `.ci/run`) a missing dig is a failure.

mod common;

use std::process::Command;

use common::{LabProcess, dnscope};

/// `(name, type, server)`: every lab scenario, asked of the server on its path.
const CASES: &[(&str, &str, &str)] = &[
    // www.shop.test, hop by hop: root → test. → shop.test.
    ("www.shop.test", "A", "a.root-servers.test"),
    ("www.shop.test", "A", "ns1.nic.test"),
    ("www.shop.test", "A", "ns1.shop.test"),
    // four cuts deep, with the parent/child NS mismatch at eu.shop.test
    ("www.paris.eu.shop.test", "A", "ns1.shop.test"),
    ("www.paris.eu.shop.test", "A", "ns1.eu.shop.test"),
    ("www.paris.eu.shop.test", "A", "ns1.paris.eu.shop.test"),
    ("eu.shop.test", "NS", "ns1.eu.shop.test"),
    // glueless: the example. servers give no addresses for cdn.example's NS
    ("www.cdn.example", "A", "ns1.nic.example"),
    ("ns1.dns-host.test", "A", "ns.dns-host.test"),
    ("www.cdn.example", "A", "ns2.dns-host.test"),
    // the CNAME chain
    ("blog.shop.test", "A", "ns2.shop.test"),
    ("blog.media.example", "A", "ns1.media.example"),
    ("edge.cdn.example", "A", "ns1.dns-host.test"),
    // negative answers
    ("nope.shop.test", "A", "ns1.shop.test"),
    ("www.shop.test", "MX", "ns1.shop.test"),
    // lame, stale secondary, records of every kind
    ("www.lame.test", "A", "ns1.lame.test"),
    ("www.lame.test", "A", "ns2.lame.test"),
    ("news.example", "SOA", "ns1.news.example"),
    ("news.example", "SOA", "ns2.news.example"),
    ("shop.test", "MX", "ns1.shop.test"),
    ("shop.test", "TXT", "ns1.shop.test"),
    ("shop.test", "CAA", "ns1.shop.test"),
    ("shop.test", "NAPTR", "ns1.shop.test"),
    ("_imaps._tcp.shop.test", "SRV", "ns1.shop.test"),
    ("www.shop.test", "AAAA", "ns1.shop.test"),
    ("80.2.0.192.in-addr.arpa", "PTR", "ns1.nic.arpa"),
    ("80.2.0.192.in-addr.arpa", "PTR", "ns1.shop.test"),
    ("www.flaky.test", "A", "ns3.flaky.test"),
    // a truncated answer: both retry over TCP and get all 8 strings
    ("big.shop.test", "TXT", "ns1.shop.test"),
];

#[derive(Debug, PartialEq)]
struct Seen {
    rcode: String,
    aa: bool,
    answer: Vec<String>,
    authority: Vec<String>,
    additional: Vec<String>,
}

fn norm(name: &str, ttl: &str, rtype: &str, data: &str) -> String {
    let data = data.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{} {ttl} {rtype} {data}", name.to_ascii_lowercase())
}

fn parse_dig(text: &str) -> Seen {
    let mut seen = Seen {
        rcode: String::new(),
        aa: false,
        answer: vec![],
        authority: vec![],
        additional: vec![],
    };
    let mut section: Option<&str> = None;
    for line in text.lines() {
        if let Some(rest) = line.split("status: ").nth(1) {
            seen.rcode = rest.split(',').next().unwrap_or("").to_string();
        } else if let Some(flags) = line.strip_prefix(";; flags: ") {
            seen.aa = flags
                .split(';')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .any(|f| f == "aa");
        } else if line.starts_with(";; ANSWER SECTION") {
            section = Some("answer");
        } else if line.starts_with(";; AUTHORITY SECTION") {
            section = Some("authority");
        } else if line.starts_with(";; ADDITIONAL SECTION") {
            section = Some("additional");
        } else if line.trim().is_empty() || line.starts_with(';') {
            section = None;
        } else if let Some(s) = section {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 5 {
                continue;
            }
            let rr = norm(f[0], f[1], f[3], &f[4..].join(" "));
            match s {
                "answer" => seen.answer.push(rr),
                "authority" => seen.authority.push(rr),
                _ => seen.additional.push(rr),
            }
        }
    }
    seen.answer.sort();
    seen.authority.sort();
    seen.additional.sort();
    seen
}

/// A JSON array of records in the same normalised, sorted form as dig's sections.
fn json_records(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    norm(
                        x["name"].as_str().unwrap_or(""),
                        &x["ttl"].to_string(),
                        x["type"].as_str().unwrap_or(""),
                        x["data"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn parse_dnscope(doc: &serde_json::Value) -> Seen {
    let r = &doc["responses"][0];
    let section = |s: &str| json_records(&r[s]);
    Seen {
        rcode: r["header"]["rcode"].as_str().unwrap_or("").to_string(),
        aa: r["header"]["flags"]["aa"].as_bool().unwrap_or(false),
        answer: section("answer"),
        authority: section("authority"),
        additional: section("additional"),
    }
}

#[allow(clippy::print_stderr)] // a visible skip is the point
fn dig_available() -> bool {
    let found = Command::new("dig").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("DNSCOPE_REQUIRE_DIG").is_none(),
            "DNSCOPE_REQUIRE_DIG is set but dig is not installed (apt-get install bind9-dnsutils)"
        );
        eprintln!("SKIPPED: dig is not installed (Debian package bind9-dnsutils)");
    }
    found
}

#[test]
fn dig_sees_what_dnscope_shows_hop_by_hop() {
    if !dig_available() {
        return;
    }
    let lab = LabProcess::start("127.79.0.0");
    let port = lab.port.to_string();
    let mut records = 0;
    for (name, rtype, server) in CASES {
        let addr = lab.addr(&format!("{server}."));
        let dig = Command::new("dig")
            .args([
                &format!("@{addr}"),
                "-p",
                &port,
                "+norec",
                "+time=2",
                "+tries=1",
                name,
                rtype,
            ])
            .output()
            .expect("run dig");
        let dig_text = String::from_utf8_lossy(&dig.stdout);
        let ours = dnscope()
            .args([
                "query",
                name,
                rtype,
                &format!("@{addr}:{port}"),
                "--no-rd",
                "--json",
            ])
            .output()
            .expect("run dnscope");
        let doc: serde_json::Value = serde_json::from_slice(&ours.stdout).expect("json");
        let (theirs, mine) = (parse_dig(&dig_text), parse_dnscope(&doc));
        assert!(
            !theirs.rcode.is_empty(),
            "dig got no answer for {name} {rtype} @{server}: {dig_text}"
        );
        assert_eq!(theirs, mine, "{name} {rtype} @{server}\n{dig_text}");
        records += theirs.answer.len() + theirs.authority.len() + theirs.additional.len();
    }
    // The comparison compared something: the cases above hold 60-odd records in all.
    assert!(records > 50, "only {records} records compared");
}

#[test]
fn the_printed_dig_commands_walk_the_delegation() {
    if !dig_available() {
        return;
    }
    // The human `dnscope lab` output lists dig commands; run the ones for www.shop.test.
    let bin = assert_cmd::cargo::cargo_bin!("dnscope");
    let mut child = Command::new(bin)
        .args(["lab", "--port", "0", "--net", "127.79.1.0"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start lab");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let mut commands = Vec::new();
    let mut in_walk = false;
    for line in lines.by_ref() {
        let line = line.expect("line");
        if line.starts_with("# www.shop.test. A") {
            in_walk = true;
        } else if in_walk && line.starts_with("dig ") {
            commands.push(line);
        } else if in_walk {
            break;
        }
    }
    assert_eq!(commands.len(), 3, "{commands:?}");
    let mut last = String::new();
    for (i, cmd) in commands.iter().enumerate() {
        let words: Vec<&str> = cmd
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        assert_eq!(words[0], "dig");
        let out = Command::new("dig")
            .args(&words[1..])
            .arg("+time=2")
            .output()
            .expect("dig");
        last = String::from_utf8_lossy(&out.stdout).into_owned();
        let seen = parse_dig(&last);
        assert_eq!(seen.rcode, "NOERROR", "{cmd}: {last}");
        if i < 2 {
            assert!(
                !seen.aa && seen.answer.is_empty() && !seen.authority.is_empty(),
                "{cmd}: referral expected: {last}"
            );
        }
    }
    assert!(last.contains("192.0.2.80"), "{last}");
    common::stop(&mut child);
}

#[test]
fn each_trace_hop_matches_dig_asking_the_same_server() {
    if !dig_available() {
        return;
    }
    let lab = LabProcess::start("127.79.2.0");
    let port = lab.port.to_string();
    let root = format!("{}:{port}", lab.addr("a.root-servers.test."));
    let mut checked = 0;
    for (name, rtype) in [
        ("www.shop.test", "A"),
        ("www.paris.eu.shop.test", "A"),
        ("www.cdn.example", "A"),
        ("blog.shop.test", "A"),
        ("nope.shop.test", "A"),
        ("www.shop.test", "MX"),
        ("www.lame.test", "A"),
        ("80.2.0.192.in-addr.arpa", "PTR"),
    ] {
        let out = dnscope()
            .args([
                "trace", name, rtype, "--root", &root, "--port", &port, "--json",
            ])
            .output()
            .expect("run dnscope");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        for hop in doc["hops"].as_array().expect("hops") {
            // Every server that answered: dig must see the same rcode, AA and delegation.
            let Some(rcode) = hop["rcode"].as_str() else {
                continue;
            };
            let (addr, qname, qtype) = (
                hop["address"].as_str().unwrap_or(""),
                hop["qname"].as_str().unwrap_or(""),
                hop["qtype"].as_str().unwrap_or(""),
            );
            let dig = Command::new("dig")
                .args([
                    &format!("@{addr}"),
                    "-p",
                    &port,
                    "+norec",
                    "+time=2",
                    "+tries=1",
                    qname,
                    qtype,
                ])
                .output()
                .expect("run dig");
            let text = String::from_utf8_lossy(&dig.stdout);
            let seen = parse_dig(&text);
            let context = format!("{name} {rtype}: hop {hop}\n{text}");
            assert_eq!(seen.rcode, rcode, "{context}");
            assert_eq!(seen.aa, hop["aa"] == true, "{context}");
            if hop["outcome"] == "referral" {
                let mut ns: Vec<String> = hop["ns"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|n| format!("{} {}", n["name"].as_str().unwrap_or(""), n["ttl"]))
                            .collect()
                    })
                    .unwrap_or_default();
                ns.sort();
                let mut dig_ns: Vec<String> = seen
                    .authority
                    .iter()
                    .filter(|r| r.split_whitespace().nth(2) == Some("NS"))
                    .map(|r| {
                        let f: Vec<&str> = r.split_whitespace().collect();
                        format!("{} {}", f[3], f[1])
                    })
                    .collect();
                dig_ns.sort();
                assert_eq!(ns, dig_ns, "{context}");
                let glue = json_records(&hop["glue"]);
                assert_eq!(glue, seen.additional, "{context}");
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} hops checked");
}
