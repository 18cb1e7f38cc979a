//! Many names at once against the lab: `compare --zone` with the intended state of
//! news.example (fixtures/intended/), `compare --names`, `trace --names`; every status, the
//! causes, the shared delegation cache (query counts), and bad input.

mod common;

use std::io::Write;

use common::dnscope;
use serde_json::Value;

/// Run `dnscope ARGS --json` (JSON Lines): the documents, the exit code and stderr.
fn lines(args: &[&str], stdin: Option<&str>) -> (Vec<Value>, i32, String) {
    let mut cmd = dnscope();
    cmd.args(args).arg("--json");
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_string());
    }
    let out = cmd.output().expect("run dnscope");
    let docs = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {l}"))
        })
        .collect();
    (
        docs,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The rows (every document but the last) and the summary (the last).
fn split(docs: &[Value]) -> (&[Value], &Value) {
    let (summary, rows) = docs.split_last().expect("at least the summary");
    (rows, summary)
}

fn row<'a>(rows: &'a [Value], name: &str, rtype: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["name"] == name && r["type"] == rtype)
        .unwrap_or_else(|| panic!("no row {name} {rtype}"))
}

fn check<'a>(row: &'a Value, server: &str) -> &'a str {
    row["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["server"] == server))
        .and_then(|c| c["check"].as_str())
        .unwrap_or_else(|| panic!("no check of {server} in {row}"))
}

fn cause<'a>(summary: &'a Value, kind: &str) -> &'a Value {
    summary["causes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["kind"] == kind))
        .unwrap_or_else(|| panic!("no {kind} cause in {summary}"))
}

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(text.as_bytes()).expect("write");
    f
}

const INTENDED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/intended/news.example.zone"
);

#[test]
fn a_zone_file_is_checked_rrset_by_rrset_with_every_status_and_cause() {
    let (docs, code, _) = lines(&["compare", "--zone", INTENDED, "--lab"], None);
    assert_eq!(code, 1, "not everything matches");
    let (rows, summary) = split(&docs);
    assert_eq!(rows.len(), 12);
    assert!(
        rows.iter()
            .all(|r| r["schema"] == "dnscope.compare.rrset/1")
    );
    let status = |name, rtype| row(rows, name, rtype)["status"].as_str().unwrap_or("?");
    // Changed in the file, loaded nowhere: every server differs, the primary included.
    assert_eq!(status("news.example.", "SOA"), "differs");
    assert_eq!(status("ftp.news.example.", "A"), "differs");
    let ftp = row(rows, "ftp.news.example.", "A");
    assert_eq!(check(ftp, "ns1.news.example."), "differs");
    assert_eq!(ftp["intended_data"], "A 192.0.2.94");
    // Served by the primary, not yet by the lagging secondary.
    let www = row(rows, "www.news.example.", "A");
    assert_eq!(www["status"], "differs");
    assert_eq!(check(www, "ns1.news.example."), "matches");
    assert_eq!(check(www, "ns2.news.example."), "differs");
    let api = row(rows, "api.news.example.", "A");
    assert_eq!(api["status"], "missing");
    assert_eq!(check(api, "ns1.news.example."), "matches");
    assert_eq!(check(api, "ns2.news.example."), "missing");
    // In the file, served by nobody.
    let shop = row(rows, "shop.news.example.", "A");
    assert_eq!(shop["status"], "missing");
    assert_eq!(check(shop, "ns1.news.example."), "missing");
    // The servers still have mx2.
    let mx = row(rows, "news.example.", "MX");
    assert_eq!(mx["status"], "extra");
    assert_eq!(check(mx, "ns1.news.example."), "extra");
    // Same data, another TTL at the source.
    let mail = row(rows, "mail.news.example.", "A");
    assert_eq!(mail["status"], "differs");
    let ns1 = mail["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["server"] == "ns1.news.example."))
        .expect("ns1");
    assert_eq!(
        (ns1["ttl_intended"].as_u64(), ns1["ttl_served"].as_u64()),
        (Some(600), Some(3600))
    );
    for (name, rtype) in [
        ("news.example.", "NS"),
        ("news.example.", "TXT"),
        ("static.news.example.", "CNAME"),
    ] {
        assert_eq!(status(name, rtype), "matches", "{name} {rtype}");
    }
    // Each row carries the whole comparison, as compare --json gives it.
    assert_eq!(www["compare"]["schema"], "dnscope.compare/2");
    assert_eq!(www["compare"]["zone"], "news.example.");

    assert_eq!(summary["schema"], "dnscope.compare.summary/1");
    assert_eq!(
        summary["counts"],
        serde_json::json!({"matches": 5, "differs": 4, "missing": 2, "extra": 1, "error": 0})
    );
    assert_eq!(summary["file_serial"], 2026112803);
    let not_loaded = cause(summary, "not_loaded");
    assert_eq!(not_loaded["rrsets"], 2);
    assert!(
        not_loaded["text"].as_str().is_some_and(|t| t.contains(
            "your file has serial 2026112803; the servers serve 2026112801 and 2026112802"
        )),
        "{not_loaded}"
    );
    let lagging = cause(summary, "lagging_secondary");
    assert_eq!(lagging["server"], "ns2.news.example.");
    assert_eq!(lagging["rrsets"], 3);
    assert_eq!(
        lagging["examples"],
        serde_json::json!([
            "news.example. SOA",
            "api.news.example. A",
            "www.news.example. A"
        ])
    );
    assert_eq!(
        cause(summary, "not_served")["examples"],
        serde_json::json!(["shop.news.example. A"])
    );
    assert_eq!(cause(summary, "not_in_file")["rrsets"], 1);
    assert_eq!(cause(summary, "ttl_differs")["rrsets"], 1);
    assert_eq!(summary["exit_code"], 1);
    let zone = &summary["zones"][0];
    assert_eq!(zone["zone"], "news.example.");
    assert_eq!(zone["servers"].as_array().map(Vec::len), Some(2));
}

#[test]
fn the_text_summary_collapses_identical_rows_and_fits_80_columns() {
    let out = dnscope()
        .args(["compare", "--zone", INTENDED, "--lab"])
        .env("COLUMNS", "80")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for l in text.lines() {
        assert!(l.chars().count() <= 80, "too wide: {l}");
    }
    // The five matching RRsets are one row.
    assert!(text.contains("5 RRsets:"), "{text}");
    assert_eq!(text.matches("matches").count(), 1, "{text}");
    assert!(text.contains("Why they differ:"), "{text}");
    assert!(
        text.contains("12 RRsets: 5 match, 4 differ, 2 missing, 1 extra"),
        "{text}"
    );
    assert!(
        text.contains("not served, not even by the primary"),
        "{text}"
    );
}

#[test]
fn the_error_status_and_a_list_of_names_without_a_file() {
    let names = file("# two zones\nwww.shop.test\nwww.flaky.test A\nnope.shop.test\n");
    let path = names.path().to_str().expect("utf-8 path");
    let (docs, code, _) = lines(
        &["compare", "--names", path, "--lab", "--timeout", "300ms"],
        None,
    );
    assert_eq!(code, 1);
    let (rows, summary) = split(&docs);
    assert_eq!(rows.len(), 3);
    // Without a file, the primary's answer is the intended data.
    let www = row(rows, "www.shop.test.", "A");
    assert_eq!(www["status"], "matches");
    assert!(www["intended"].is_null());
    assert_eq!(www["intended_data"], "A 192.0.2.80");
    assert_eq!(www["line"], 2);
    let nope = row(rows, "nope.shop.test.", "A");
    assert_eq!(
        nope["status"], "matches",
        "NXDOMAIN everywhere is as intended"
    );
    // flaky.test: one server refuses, one never answers.
    let flaky = row(rows, "www.flaky.test.", "A");
    assert_eq!(flaky["status"], "error");
    assert_eq!(check(flaky, "ns1.flaky.test."), "error");
    assert_eq!(check(flaky, "ns3.flaky.test."), "matches");
    assert_eq!(cause(summary, "failed")["rrsets"], 1);
    assert_eq!(summary["counts"]["error"], 1);
    assert_eq!(summary["zones"].as_array().map(Vec::len), Some(2));
}

#[test]
fn the_delegation_cache_makes_the_descent_a_one_time_cost() {
    let run = |n: usize| {
        let list: String = (0..n).map(|i| format!("h{i}.shop.test\n")).collect();
        let (docs, code, _) = lines(&["compare", "--names", "-", "--lab"], Some(&list));
        assert_eq!(code, 0);
        docs.last().cloned().expect("summary")
    };
    let one = run(1);
    let many = run(25);
    let q = |s: &Value, k: &str| s["queries"][k].as_u64().expect("count");
    // 3 resolvers and 2 authoritative servers per name.
    let servers = 5;
    assert_eq!(
        q(&many, "descent"),
        q(&one, "descent"),
        "the descent is not repeated"
    );
    assert!(
        q(&many, "sent") <= 25 * servers + q(&many, "descent"),
        "{many}"
    );
    assert_eq!(q(&many, "sent"), q(&many, "rrsets") + q(&many, "descent"));
    // Each name costs one question per server, no more.
    assert_eq!(q(&many, "rrsets") - q(&one, "rrsets"), 24 * servers);
}

#[test]
fn traces_share_one_delegation_cache() {
    let run = |n: usize| {
        let list: String = (0..n).map(|i| format!("h{i}.shop.test\n")).collect();
        let (docs, code, _) = lines(&["trace", "--names", "-", "--lab"], Some(&list));
        assert_eq!(code, 0);
        assert_eq!(docs.len(), n + 1);
        docs
    };
    let one = run(1);
    let many = run(10);
    let summary = many.last().expect("summary");
    assert_eq!(summary["schema"], "dnscope.trace.summary/1");
    assert_eq!(summary["names"], 10);
    assert_eq!(summary["endings"]["nxdomain"], 10);
    let sent = |docs: &[Value]| {
        docs.last()
            .and_then(|s| s["queries"]["sent"].as_u64())
            .expect("sent")
    };
    // After the first trace, each name costs only the question to shop.test's two servers.
    assert_eq!(sent(&many), sent(&one) + 9 * 2, "{summary}");
    assert!(summary["queries"]["asked"].as_u64() > Some(sent(&many) * 4));
    // Each trace is whole: its steps from the root, the cached ones included.
    let t = &many[3];
    assert_eq!(
        t["schema"]
            .as_str()
            .map(|s| s.starts_with("dnscope.trace/")),
        Some(true)
    );
    assert_eq!(t["steps"][0]["zone"], ".");
}

#[test]
fn trace_names_shows_one_table() {
    let names = file("www.shop.test\nnope.shop.test\nwww.expired.test\nwww.shop.test\n");
    let out = dnscope()
        .args(["trace", "--names"])
        .arg(names.path())
        .arg("--lab")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bogus answer is a failure: {text}"
    );
    assert!(text.contains("www.shop.test."), "{text}");
    assert!(text.contains("NXDOMAIN"), "{text}");
    assert!(text.contains("bogus"), "{text}");
    assert!(
        text.contains("3 names traced: 2 answers, 1 NXDOMAIN"),
        "{text}"
    );
    assert!(
        text.contains("1 input line repeated a name and type"),
        "{text}"
    );
}

#[test]
fn bad_lines_are_named_and_the_rest_is_checked() {
    let names =
        file("www.shop.test\nbad name here\nx.shop.test NOTATYPE\n\n# fine\nwww.shop.test\n");
    let path = names.path().to_str().expect("utf-8 path");
    let (docs, code, stderr) = lines(&["compare", "--names", path, "--lab"], None);
    assert_eq!(code, 2, "bad input, even though the rest matched");
    let (rows, summary) = split(&docs);
    assert_eq!(rows.len(), 1, "the good line, once");
    assert_eq!(summary["duplicates"], 1);
    assert_eq!(summary["bad_lines_total"], 2);
    assert_eq!(summary["bad_lines"][0]["line"], 2);
    assert_eq!(summary["bad_lines"][1]["line"], 3);
    assert!(stderr.contains(&format!("{path} line 2: ")), "{stderr}");
    assert!(
        stderr.contains(&format!("{path} line 3: unknown record type")),
        "{stderr}"
    );
}

#[test]
fn bad_and_empty_input_is_one_line_and_exit_2() {
    let empty = file("# nothing\n\n");
    let broken = file("$ORIGIN t.\n$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\nwww IN A 300.1.1.1\n");
    let no_origin = file("$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\nwww IN A 192.0.2.1\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "compare",
                "--names",
                empty.path().to_str().unwrap_or("?"),
                "--lab",
            ],
            "nothing to check",
        ),
        (
            vec![
                "trace",
                "--names",
                empty.path().to_str().unwrap_or("?"),
                "--lab",
            ],
            "nothing to trace",
        ),
        (
            vec![
                "compare",
                "--zone",
                broken.path().to_str().unwrap_or("?"),
                "--lab",
            ],
            " line 4: ",
        ),
        (
            vec![
                "compare",
                "--zone",
                no_origin.path().to_str().unwrap_or("?"),
                "--lab",
            ],
            "--origin",
        ),
        (
            vec!["compare", "--names", "/nonexistent/names.txt", "--lab"],
            "cannot read /nonexistent/names.txt",
        ),
        (
            vec!["compare", "www.shop.test", "--names", "-", "--lab"],
            "cannot be used with",
        ),
        (
            vec!["compare", "--names", "-", "--concurrency", "0", "--lab"],
            "--concurrency 0",
        ),
        (
            vec!["trace", "--names", "-", "-x", "192.0.2.1", "--lab"],
            "-x traces one address",
        ),
    ];
    for (args, wanted) in cases {
        let out = dnscope().args(&args).write_stdin("").output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(wanted), "{args:?}: {stderr}");
        // clap's own usage errors add a usage block; dnscope's errors are one line.
        if !stderr.starts_with("error:") {
            assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        }
    }
}

#[test]
fn an_origin_from_the_command_line_and_delegations_checked_at_the_child() {
    // shop.test's zone file, without its $ORIGIN: the delegation of eu.shop.test and its
    // glue are left out unless --with-glue, and then asked of eu.shop.test's own servers.
    let text = include_str!("../fixtures/lab/zones/shop.test.zone")
        .lines()
        .filter(|l| !l.starts_with("$ORIGIN"))
        .collect::<Vec<_>>()
        .join("\n");
    let zone = file(&text);
    let path = zone.path().to_str().expect("utf-8 path");
    let (plain, _, _) = lines(
        &["compare", "--zone", path, "--origin", "shop.test", "--lab"],
        None,
    );
    let (with_glue, _, _) = lines(
        &[
            "compare",
            "--zone",
            path,
            "--origin",
            "shop.test",
            "--with-glue",
            "--lab",
        ],
        None,
    );
    let (rows, summary) = split(&with_glue);
    let (plain_rows, _) = split(&plain);
    assert!(rows.len() > plain_rows.len(), "glue adds rows");
    let eu = row(rows, "eu.shop.test.", "NS");
    assert_eq!(
        eu["zone"], "eu.shop.test.",
        "asked of the child zone's servers"
    );
    let zones: Vec<&str> = summary["zones"]
        .as_array()
        .map(|z| z.iter().filter_map(|z| z["zone"].as_str()).collect())
        .unwrap_or_default();
    assert!(zones.contains(&"eu.shop.test."), "{zones:?}");
}

#[test]
fn a_signed_zone_file_is_read_and_its_keys_checked_when_asked() {
    // The lab signs shop.test in memory: its keys, as a signer's zone file would hold them.
    let (keys, _) = common::query_lab(&["shop.test", "DNSKEY"]);
    let mut text = include_str!("../fixtures/lab/zones/shop.test.zone").to_string();
    for r in keys["responses"][0]["answer"].as_array().expect("keys") {
        text.push_str(&format!(
            "{} {} IN {} {}\n",
            r["name"].as_str().unwrap_or("?"),
            r["ttl"],
            r["type"].as_str().unwrap_or("?"),
            r["data"].as_str().unwrap_or("?")
        ));
    }
    text.push_str(
        "www 300 IN RRSIG A 15 3 300 (\n 20261230000000 20261130000000\n 1234 shop.test. AAAA )\n",
    );
    let zone = file(&text);
    let path = zone.path().to_str().expect("utf-8 path");
    let (plain, code, _) = lines(&["compare", "--zone", path, "--lab"], None);
    assert_eq!(code, 0, "the lab serves its own zone file");
    let (_, summary) = split(&plain);
    assert!(summary["counts"]["differs"] == 0);
    let (with, code, _) = lines(&["compare", "--zone", path, "--with-dnssec", "--lab"], None);
    assert_eq!(code, 0);
    let (rows, _) = split(&with);
    assert_eq!(row(rows, "shop.test.", "DNSKEY")["status"], "matches");
    assert_eq!(rows.len(), split(&plain).0.len() + 1);
}

#[test]
fn progress_is_shown_on_a_terminal_only() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin!("dnscope");
    let command = format!(
        "{} compare --zone {INTENDED} --lab >/dev/null",
        bin.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .env("DNSCOPE_LOOPBACK_ONLY", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script");
    let tty = String::from_utf8_lossy(&out.stdout);
    assert!(tty.contains(" of 12 RRsets · "), "{tty:?}");
    assert!(tty.contains("left"), "{tty:?}");
    // Piped, no note at all.
    let piped = dnscope()
        .args(["compare", "--zone", INTENDED, "--lab"])
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("RRsets ·"));
}
