//! Bad input and broken servers: one line on stderr, a documented exit code, never a panic
//! or a hang.

mod common;

use common::dnscope;

/// Run and return (exit code, stdout, stderr), checking that nothing panicked.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = dnscope().args(args).output().expect("run dnscope");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

fn one_line_error(args: &[&str], code: i32, needle: &str) {
    let (got, stdout, stderr) = run(args);
    assert_eq!(got, code, "{args:?}: stderr={stderr}");
    assert!(
        stdout.is_empty(),
        "{args:?}: nothing on stdout, got {stdout}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "{args:?}: one line, got {stderr}"
    );
    assert!(stderr.starts_with("dnscope: "), "{stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: {stderr:?} should mention {needle:?}"
    );
}

#[test]
fn invalid_names() {
    let long_label = format!("{}.test", "a".repeat(64));
    one_line_error(&["query", &long_label, "--lab"], 2, "limit is 63");
    let long_name = vec!["b".repeat(60); 5].join(".");
    one_line_error(&["query", &long_name, "--lab"], 2, "limit is 255");
    one_line_error(&["query", "www..shop.test", "--lab"], 2, "empty label");
    one_line_error(&["query", "--lab"], 2, "no name given");
}

#[test]
fn unknown_types_and_extra_arguments() {
    one_line_error(
        &["query", "www.shop.test", "BOGUS", "--lab"],
        2,
        "unknown record type \"BOGUS\"",
    );
    one_line_error(
        &["query", "www.shop.test", "TYPE99999", "--lab"],
        2,
        "unknown record type",
    );
    one_line_error(
        &["query", "www.shop.test", "A", "extra", "--lab"],
        2,
        "unexpected argument",
    );
    one_line_error(
        &["query", "www.shop.test", "A", "-t", "MX", "--lab"],
        2,
        "given twice",
    );
    one_line_error(
        &["query", "-x", "not-an-ip", "--lab"],
        2,
        "not an IPv4 or IPv6 address",
    );
}

#[test]
fn unparsable_servers() {
    one_line_error(
        &["query", "www.shop.test", "@300.1.1.1", "--lab"],
        2,
        "not a valid IPv4 address",
    );
    one_line_error(
        &["query", "www.shop.test", "@127.0.0.1:99999", "--lab"],
        2,
        "not a port number",
    );
    one_line_error(&["query", "www.shop.test", "@", "--lab"], 2, "empty server");
    one_line_error(
        &["query", "www.shop.test", "@ns9.nowhere.test", "--lab"],
        2,
        "no lab server",
    );
    one_line_error(
        &["query", "www.shop.test", "--lab", "--timeout", "soon"],
        2,
        "duration",
    );
}

#[test]
fn usage_errors_from_clap_exit_2() {
    let (code, _, stderr) = run(&["query", "--no-such-flag"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--no-such-flag"));
}

#[test]
fn help_documents_exit_codes() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for needle in [
        "Exit status:",
        "  3   no server replied",
        "  4   the lab could not start",
    ] {
        assert!(stdout.contains(needle), "{needle}");
    }
}

#[test]
fn the_readme_exit_table_is_the_one_in_the_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    assert!(
        readme.contains(&dnscope::exit::markdown()),
        "README's exit-code table differs from src/exit.rs; paste:\n{}",
        dnscope::exit::markdown()
    );
}

#[test]
fn a_server_that_never_answers_times_out_cleanly() {
    let (code, stdout, _) = run(&[
        "query",
        "www.flaky.test",
        "@ns2.flaky.test",
        "--lab",
        "--timeout",
        "200ms",
        "--retries",
        "1",
    ]);
    assert_eq!(code, 3);
    assert!(
        stdout.contains("no reply over UDP after 2 attempt(s) of 200 ms each"),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["query", "www.flaky.test", "@ns1.flaky.test", "--lab"]);
    assert_eq!(code, 3);
    assert!(
        stdout.contains("connection refused over UDP (nothing listens there)"),
        "{stdout}"
    );
}

use common::lab_copy;

#[test]
fn a_lab_dir_copy_works_like_the_embedded_lab() {
    let dir = lab_copy();
    let lab_dir = dir.path().to_string_lossy().into_owned();
    let (code, stdout, _) = run(&["query", "www.shop.test", "--lab-dir", &lab_dir]);
    assert_eq!(code, 0);
    assert!(stdout.contains("192.0.2.80"));
}

#[test]
fn an_invalid_zone_file_is_named_with_its_line() {
    let dir = lab_copy();
    let zone = dir.path().join("zones/shop.test.zone");
    let text = std::fs::read_to_string(&zone).expect("read");
    let broken = text.replace(
        "www                     300     IN A    192.0.2.80",
        "www 300 IN A 192.0.2.800",
    );
    assert_ne!(text, broken);
    std::fs::write(&zone, broken).expect("write");
    let lab_dir = dir.path().to_string_lossy().into_owned();
    let (code, _, stderr) = run(&["query", "www.shop.test", "--lab-dir", &lab_dir]);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("shop.test.zone line 16"), "{stderr}");
    assert!(stderr.contains("www 300 IN A 192.0.2.800"), "{stderr}");
}

#[test]
fn a_missing_zone_file_or_dir_is_named() {
    let dir = lab_copy();
    std::fs::remove_file(dir.path().join("zones/media.example.zone")).expect("rm");
    let lab_dir = dir.path().to_string_lossy().into_owned();
    let (code, _, stderr) = run(&["query", "www.shop.test", "--lab-dir", &lab_dir]);
    assert_eq!(code, 4);
    assert!(stderr.contains("media.example.zone"), "{stderr}");
    let (code, _, stderr) = run(&["query", "www.shop.test", "--lab-dir", "/nonexistent/lab"]);
    assert_eq!(code, 4);
    assert!(stderr.contains("/nonexistent/lab/lab.toml"), "{stderr}");
}

#[test]
fn a_broken_manifest_is_named_with_its_line() {
    let dir = lab_copy();
    let manifest = dir.path().join("lab.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(
        &manifest,
        text.replace("fault = \"down\"", "fault = \"sleepy\""),
    )
    .expect("write");
    let lab_dir = dir.path().to_string_lossy().into_owned();
    let (code, _, stderr) = run(&["query", "www.shop.test", "--lab-dir", &lab_dir]);
    assert_eq!(code, 4);
    assert!(stderr.contains("lab.toml line "), "{stderr}");
    assert!(stderr.contains("sleepy"), "{stderr}");
}

#[test]
fn the_lab_refuses_nets_off_loopback_or_in_127_0_0() {
    let (code, _, stderr) = run(&["query", "www.shop.test", "--lab-net", "10.1.2.0"]);
    assert_eq!(code, 4);
    assert!(stderr.contains("only runs on loopback"), "{stderr}");
    let (code, _, stderr) = run(&["query", "www.shop.test", "--lab-net", "127.0.0.0"]);
    assert_eq!(code, 4);
    assert!(stderr.contains("127.0.0.53"), "{stderr}");
}

#[test]
fn without_a_server_the_system_resolvers_are_used() {
    // No resolv.conf: a clear error, not a guess; the machine's problem, not bad input.
    let (code, _, stderr) = run(&["query", "www.shop.test"]);
    assert_eq!(code, 6);
    assert!(
        stderr.contains("cannot read /nonexistent/resolv.conf"),
        "{stderr}"
    );

    // A resolv.conf that names a lab server (on its own /24, on loopback).
    let lab = common::LabProcess::start("127.78.5.0");
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("resolv.conf");
    std::fs::write(&conf, "search example.invalid\nnameserver 127.78.5.40\n").expect("write");
    let port = lab.port.to_string();
    let out = dnscope()
        .env("DNSCOPE_RESOLV_CONF", &conf)
        .args(["query", "www.shop.test", "-p", &port, "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let r = &doc["responses"][0];
    assert_eq!(r["server"]["source"], "system");
    assert_eq!(r["server"]["address"], "127.78.5.40");
    assert_eq!(r["answer"][0]["data"], "192.0.2.80");
}
