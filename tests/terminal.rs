//! dnscope in a real terminal and in pipes (issue 11): real-world names, the width of an
//! 80- or 120-column terminal (in a pseudo-terminal, with `script`) and of a pipe, closed
//! pipes, live progress, terse output, dig habits, CHAOS and NSID. Each defect of the issue
//! has a test named after it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{assert_usage_error, dnscope, json_of};
use serde_json::Value;

fn stdout_of(args: &[&str]) -> (String, i32) {
    let out = dnscope().args(args).output().expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The widest line, in terminal columns (escape codes have no width here: colour is off).
fn widest(text: &str) -> usize {
    text.lines()
        .map(unicode_width::UnicodeWidthStr::width)
        .max()
        .unwrap_or(0)
}

/// Run dnscope in a pseudo-terminal of `cols` columns (util-linux `script`), or None when
/// `script` is missing. The terminal's own width must win over COLUMNS.
#[allow(clippy::print_stderr)] // a visible skip is the point
fn in_terminal(cols: u16, args: &[&str]) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: util-linux script is not installed");
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin!("dnscope");
    let command = format!(
        "stty cols {cols} rows 50; {} {}",
        bin.display(),
        args.join(" ")
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .env("COLUMNS", "1000")
        .env("DNSCOPE_LOOPBACK_ONLY", "1")
        .env("DNSCOPE_RESOLV_CONF", "/nonexistent/resolv.conf")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .expect("run script");
    // The pty turns \n into \r\n; progress notes use \r and ESC[K: keep what is left of a
    // line after its last carriage return.
    let text = String::from_utf8_lossy(&out.stdout)
        .split('\n')
        .map(|l| {
            let l = l.trim_end_matches('\r');
            l.rsplit('\r').next().unwrap_or(l).replace("\x1b[K", "")
        })
        .collect::<Vec<_>>()
        .join("\n");
    Some(text)
}

#[test]
fn names_with_underscores_are_names() {
    // See: issue 11, defect 1: a DKIM selector was "invalid" (and leaked Rust debug text).
    let (text, code) = stdout_of(&[
        "query",
        "s1_2024._domainkey.shop.test",
        "TXT",
        "--lab",
        "--short",
    ]);
    assert_eq!(code, 0);
    assert!(text.starts_with("\"v=DKIM1;"), "{text}");
    for name in ["www_x.shop.test", "foo_bar.example", "_dmarc.shop.test"] {
        let (doc, code) = json_of(&["query", name, "--lab"]);
        assert_eq!(code, 0, "{name}: {doc}");
    }
    let out = dnscope()
        .args(["query", &format!("{}.test", "a".repeat(64)), "--lab"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("Err(") && err.contains("limit is 63"),
        "{err}"
    );
}

#[test]
fn tables_and_prose_fit_80_and_120_columns() {
    // See: issue 11, defect 2: 82-column tables, names split mid-label, prose cut mid-word.
    for cols in [80u16, 120] {
        for (args, whole) in [
            (
                &["trace", "www.flaky.test", "--lab"][..],
                &["a.root-servers.test.", "ns3.flaky.test.", "www.flaky.test."][..],
            ),
            (
                &["compare", "--lab", "--scenario", "propagation"][..],
                &[
                    "ns2.cafe.example.",
                    "ns1.cafe.example.",
                    "menu.cafe.example.",
                ][..],
            ),
            (
                &["query", "big.shop.test", "TXT", "--lab"][..],
                &["big.shop.test."][..],
            ),
            (
                &["trace", "www.cdn.example", "--lab", "--explain"][..],
                &["ns1.dns-host.test.", "ns2.dns-host.test."][..],
            ),
            (&["lab", "exercises"][..], &["www.shop.test"][..]),
        ] {
            let Some(text) = in_terminal(cols, args) else {
                return;
            };
            assert!(
                widest(&text) <= usize::from(cols),
                "{args:?} at {cols}: {} columns\n{text}",
                widest(&text)
            );
            // Names are never split across lines.
            for name in whole {
                assert!(text.contains(name), "{name} split at {cols}:\n{text}");
            }
        }
    }
    // Piped: COLUMNS, else 80.
    let out = dnscope()
        .env("COLUMNS", "80")
        .args(["compare", "--lab", "--scenario", "propagation"])
        .output()
        .expect("run");
    assert!(widest(&String::from_utf8_lossy(&out.stdout)) <= 80);
    let out = dnscope()
        .env_remove("COLUMNS")
        .args(["trace", "www.flaky.test", "--lab"])
        .output()
        .expect("run");
    assert!(widest(&String::from_utf8_lossy(&out.stdout)) <= 80);
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    // See: issue 11, defect 3: `--json | head -1` exited 10 with "Broken pipe".
    for args in [
        &["trace", "www.shop.test", "--lab", "--json"][..],
        &["query", "www.shop.test", "--lab", "--json"][..],
        &["compare", "www.shop.test", "--lab", "--json"][..],
        &["trace", "www.shop.test", "--lab"][..],
    ] {
        let bin = assert_cmd::cargo::cargo_bin!("dnscope");
        let mut child = Command::new(bin)
            .args(args)
            .env("DNSCOPE_LOOPBACK_ONLY", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("a line");
        // The reader is gone: the rest of the output meets a closed pipe.
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_sprawl_trace_says_a_repeated_failure_once() {
    // See: issue 11, defect 4: 302 KB and lines of 7,936 characters.
    let out = dnscope()
        .env("COLUMNS", "80")
        .args(["trace", "www.sprawl.test", "--lab"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.len() < 40_000, "{} bytes", text.len());
    assert!(widest(&text) <= 80);
    let words = text
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words.contains("more lookups failed the same way"), "{text}");
}

#[test]
fn idn_shows_the_a_label_and_warns_of_homographs() {
    // See: issue 11, defect 5.
    let (text, _) = stdout_of(&["query", "xn--80ak6aa92e.example", "--lab"]);
    assert!(
        text.contains("QUESTION: xn--80ak6aa92e.example. (аррӏе.example.) IN A"),
        "{text}"
    );
    assert!(text.contains("looks like \"apple\""), "{text}");
    let (doc, _) = json_of(&["query", "xn--80ak6aa92e.example", "--lab"]);
    assert_eq!(doc["question"]["name"], "xn--80ak6aa92e.example.");
    assert_eq!(doc["question"]["name_unicode"], "аррӏе.example.");
    assert!(doc["question"]["homograph"].is_string());
    let (doc, _) = json_of(&["query", "xn--bcher-kva.example", "--lab"]);
    assert_eq!(doc["question"]["name_unicode"], "bücher.example.");
    assert!(doc["question"]["homograph"].is_null());
    assert_eq!(
        doc["responses"][0]["answer"][0]["name"],
        "xn--bcher-kva.example."
    );
}

#[test]
fn ipv6_only_with_no_ipv6_is_the_flags_doing() {
    // See: issue 11, defect 6: "-6" read as "SERVFAIL: no address ...".
    assert_usage_error(
        &["trace", "www.shop.test", "--lab", "-6"],
        "-6 leaves no root server to ask",
    );
    assert_usage_error(
        &["query", "www.shop.test", "--lab", "-6"],
        "-6 leaves no server to ask",
    );
    let (doc, code) = json_of(&["query", "www.shop.test", "--lab", "-4"]);
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn server_syntax_takes_brackets_and_refuses_port_0() {
    // See: issue 11, defect 7.
    let (doc, _) = json_of(&[
        "query",
        "www.shop.test",
        "@[::1]:9",
        "--timeout",
        "200ms",
        "--retries",
        "0",
    ]);
    assert_eq!(doc["responses"][0]["server"]["address"], "::1");
    assert_eq!(doc["responses"][0]["server"]["port"], 9);
    assert_usage_error(&["query", "x.test", "@127.77.0.40:0", "--lab"], "port 0");
    assert_usage_error(
        &["query", "x.test", "-p", "0", "@127.77.0.40", "--lab"],
        "-p 0",
    );
    assert_usage_error(&["query", "x.test", "@[::1", "--lab"], "[::1]:53");
    let out = dnscope()
        .args([
            "query",
            "www.shop.test",
            "@::1:53",
            "--timeout",
            "200ms",
            "--retries",
            "0",
        ])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("read as the IPv6 address ::1:53"), "{err}");
}

#[test]
fn messages_escape_control_characters_and_name_the_flag() {
    // See: issue 11, defect 8.
    let out = dnscope()
        .args(["query", "a\x1b[31mb..test", "--lab"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\x1b') && err.contains("\\u{1b}"), "{err:?}");
    assert_usage_error(
        &["trace", "x.test", "--root", "300.1.1.1"],
        "--root \"300.1.1.1\"",
    );
    assert_usage_error(&["trace", "x.test", "--root", ""], "after --root");
    let dir = tempfile::tempdir().expect("tempdir");
    let hints = dir.path().join("hints");
    std::fs::write(&hints, "; nothing\n").expect("write");
    let out = dnscope()
        .args(["trace", "x.test", "--root-hints"])
        .arg(&hints)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("line 0") && err.contains("no root server"),
        "{err}"
    );
}

#[test]
fn json_and_explain_flags_are_never_ignored() {
    // See: issue 11, defect 9.
    let (doc, _) = json_of(&["explain"]);
    assert!(doc["types"].as_array().is_some_and(|t| t.len() > 20));
    let (doc, _) = json_of(&["lab", "exercises"]);
    assert_eq!(doc["schema"], "dnscope.exercises/1");
    let (doc, _) = json_of(&["lab", "exercises", "5", "--solution"]);
    assert!(doc["solution"].as_array().is_some_and(|s| !s.is_empty()));
    let (doc, _) = json_of(&["query", "shop.test", "SOA", "--lab", "--explain"]);
    let r = &doc["responses"][0];
    assert!(
        r["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("authoritative"))
    );
    assert!(
        r["answer"][0]["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("serial"))
    );
    let (doc, _) = json_of(&["trace", "www.shop.test", "--lab", "--explain"]);
    assert!(
        doc["steps"][0]["explanation"]
            .as_str()
            .is_some_and(|e| e.starts_with("The root"))
    );
}

#[test]
fn the_deadline_bounds_the_wait_for_late_servers() {
    // See: issue 11, defect 10: --deadline 20ms --wait-all ran for 4 s. The black-holed
    // server was waited for only until the deadline: it has no reply, not a timeout.
    let (doc, _) = json_of(&[
        "trace",
        "www.flaky.test",
        "--lab",
        "--deadline",
        "20ms",
        "--wait-all",
    ]);
    let outcomes: Vec<&Value> = doc["hops"]
        .as_array()
        .expect("hops")
        .iter()
        .filter(|h| h["server"] == "ns2.flaky.test.")
        .map(|h| &h["outcome"])
        .collect();
    assert!(outcomes.iter().all(|o| *o != "timeout"), "{outcomes:?}");
}

#[test]
fn deleting_nothing_leaves_the_serial_alone() {
    // See: issue 11, defect 11.
    let bin = assert_cmd::cargo::cargo_bin!("dnscope");
    let mut child = Command::new(bin)
        .args(["lab", "--port", "0", "--net", "127.78.11.0"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("lab");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    use std::io::Write;
    writeln!(stdin, "serials cafe.example").expect("write");
    writeln!(stdin, "delete nothere.cafe.example A").expect("write");
    writeln!(stdin, "serials cafe.example").expect("write");
    let mut seen = Vec::new();
    let mut line = String::new();
    while out.read_line(&mut line).unwrap_or(0) > 0 {
        if line.starts_with("ns1.cafe.example.") || line.starts_with("error:") {
            seen.push(line.trim().to_string());
        }
        line.clear();
        if seen.len() == 3 {
            break;
        }
    }
    common::stop(&mut child);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen[1].contains("nothing to delete"), "{seen:?}");
    assert_eq!(seen[0], seen[2], "the serial did not move");
}

#[test]
fn text_details_count_list_and_align() {
    // See: issue 11, defect 12.
    let (text, _) = stdout_of(&["trace", "blog.shop.test", "--lab"]);
    assert!(
        text.contains("2 answer records after 2 CNAME links"),
        "{text}"
    );
    let (doc, _) = json_of(&["compare", "--lab", "--scenario", "propagation"]);
    let events = doc["scenario"]["events"].to_string();
    assert!(
        events.contains("isp-a was asked") && !events.contains("isp-a. "),
        "{events}"
    );
    let (text, _) = stdout_of(&["explain"]);
    let columns: Vec<usize> = text
        .lines()
        .filter(|l| {
            l.starts_with("  NSEC3PARAM ")
                || l.starts_with("  A ")
                || l.starts_with("  OPENPGPKEY ")
        })
        .map(|l| {
            l[2..].find(' ').unwrap_or(0)
                + l[2..]
                    .chars()
                    .skip_while(|c| *c != ' ')
                    .take_while(|c| *c == ' ')
                    .count()
        })
        .collect();
    assert_eq!(columns.len(), 3);
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "summaries start in one column: {columns:?}"
    );
    let (man, _) = stdout_of(&["man", "trace"]);
    assert!(man.contains(".TH dnscope-trace 1"), "{man}");
}

#[test]
fn the_trace_prints_each_step_while_it_runs() {
    // See: issue 11, item 13: a blank screen until the end. The first step is read while
    // the trace still waits for a black-holed server (one at a time, 2 s timeout).
    let bin = assert_cmd::cargo::cargo_bin!("dnscope");
    let mut child = Command::new(bin)
        .args([
            "trace",
            "www.flaky.test",
            "--lab",
            "--one",
            "--wait-all",
            "--timeout",
            "2s",
            "--retries",
            "0",
        ])
        .env("DNSCOPE_LOOPBACK_ONLY", "1")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let mut lines = Vec::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        lines.push(line.clone());
        if line.starts_with("[2]") {
            break;
        }
        line.clear();
    }
    assert!(
        lines[0].starts_with("Tracing www.flaky.test. A"),
        "{lines:?}"
    );
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "step [2] arrived before the trace ended"
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).expect("the rest");
    let _ = child.wait();
    assert!(
        rest.contains("[3] zone flaky.test.") && rest.contains("Result: NOERROR"),
        "{rest}"
    );
}

#[test]
fn short_output_is_the_answer_data_alone() {
    // See: issue 11, item 14.
    let (text, code) = stdout_of(&["query", "shop.test", "MX", "--lab", "--short"]);
    assert_eq!(code, 0);
    assert_eq!(text, "10 mail.shop.test.\n20 backup-mail.shop.test.\n");
    let (text, _) = stdout_of(&["trace", "blog.shop.test", "--lab", "--short"]);
    assert_eq!(
        text,
        "blog.media.example.\nedge.cdn.example.\n192.0.2.101\n192.0.2.102\n"
    );
    let (text, _) = stdout_of(&["compare", "www.shop.test", "--lab", "--short"]);
    assert!(text.lines().count() >= 5, "{text}");
    assert!(text.lines().all(|l| l.ends_with(" 192.0.2.80")), "{text}");
}

#[test]
fn dig_habits_work_or_say_what_to_type() {
    // See: issue 11, item 15.
    let (text, code) = stdout_of(&["query", "MX", "shop.test", "+short", "--lab"]);
    assert_eq!(code, 0);
    assert!(text.starts_with("10 mail.shop.test."), "{text}");
    let (doc, _) = json_of(&[
        "query",
        "www.shop.test",
        "+norec",
        "+tcp",
        "+dnssec",
        "--lab",
    ]);
    let r = &doc["responses"][0];
    assert_eq!(r["transport"], "tcp");
    assert_eq!(r["header"]["flags"]["rd"], false);
    assert_eq!(r["edns"]["do"], true);
    assert_usage_error(
        &["query", "www.shop.test", "+trace", "--lab"],
        "dnscope trace NAME",
    );
    assert_usage_error(&["query", "www.shop.test", "+bogus", "--lab"], "+short");
}

#[test]
fn ascii_borders_under_a_c_locale_or_ascii() {
    // See: issue 11, item 16.
    for (env, flag) in [(Some("C"), None), (None, Some("--ascii"))] {
        let mut cmd = dnscope();
        cmd.args(["trace", "www.shop.test", "--lab"]);
        if let Some(lang) = env {
            cmd.env("LANG", lang)
                .env_remove("LC_ALL")
                .env_remove("LC_CTYPE");
        }
        if let Some(f) = flag {
            cmd.arg(f);
        }
        let out = cmd.output().expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.is_ascii(), "{env:?} {flag:?}: {text}");
        assert!(text.contains("-> referral to test."), "{text}");
    }
}

#[test]
fn chaos_and_nsid_name_the_server() {
    // See: issue 11, item 17.
    let (text, _) = stdout_of(&[
        "query",
        "version.bind",
        "TXT",
        "CH",
        "@ns1.shop.test",
        "--lab",
        "--short",
    ]);
    assert!(text.starts_with("\"dnscope lab"), "{text}");
    let (text, _) = stdout_of(&[
        "query",
        "hostname.bind",
        "TXT",
        "-c",
        "CH",
        "@ns2.shop.test",
        "--lab",
        "--short",
    ]);
    assert_eq!(text, "\"ns2.shop.test.\"\n");
    let (doc, _) = json_of(&[
        "query",
        "www.shop.test",
        "@ns2.shop.test",
        "@isp-a",
        "--lab",
        "--nsid",
    ]);
    assert_eq!(doc["responses"][0]["edns"]["nsid_text"], "ns2.shop.test.");
    assert_eq!(doc["responses"][1]["edns"]["nsid_text"], "isp-a.");
    let (doc, _) = json_of(&["trace", "www.shop.test", "--lab", "--nsid"]);
    let hop = doc["hops"]
        .as_array()
        .and_then(|h| h.last())
        .expect("a hop");
    assert_eq!(hop["nsid"], hop["server"]);
}

#[test]
fn query_takes_ipv4_or_ipv6_only() {
    // See: issue 11, item 18.
    assert_usage_error(
        &["query", "x.test", "@127.77.0.40", "-6", "--lab"],
        "IPv4 addresses only",
    );
    let (doc, _) = json_of(&[
        "query",
        "x.test",
        "@127.0.0.1:9",
        "@[::1]:9",
        "-6",
        "--timeout",
        "100ms",
        "--retries",
        "0",
    ]);
    let servers: Vec<&Value> = doc["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| &r["server"]["address"])
        .collect();
    assert_eq!(servers, ["::1"]);
}

#[test]
#[allow(clippy::print_stderr)] // a visible skip is the point
fn a_local_network_error_is_not_an_rcode() {
    // See: issue 11, defect 6: `unshare -n dnscope trace ...` said "SERVFAIL". In a network
    // namespace of its own even loopback is down: nothing can be sent.
    let bin = assert_cmd::cargo::cargo_bin!("dnscope");
    let out = Command::new("unshare")
        .arg("-n")
        .arg(bin)
        .args(["trace", "www.example.com", "--root", "127.0.0.1", "--json"])
        .env("DNSCOPE_LOOPBACK_ONLY", "1")
        .output();
    let usable = out
        .ok()
        .filter(|o| !String::from_utf8_lossy(&o.stderr).starts_with("unshare:"));
    let Some(out) = usable else {
        eprintln!("SKIPPED: unshare -n is not allowed here (it needs root)");
        return;
    };

    assert_eq!(out.status.code(), Some(3));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(doc["rcode"].is_null(), "{doc}");
    assert_eq!(doc["failure"]["kind"], "local");
}
