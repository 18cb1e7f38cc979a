//! Helpers shared by the integration tests: a `dnscope` command with a clean, deterministic
//! environment, JSON helpers, and a `dnscope lab` process on a /24 of its own.
//!
//! No test here sends a packet beyond 127.0.0.0/8: `--lab` runs use the embedded lab on
//! loopback, and `DNSCOPE_RESOLV_CONF` points at a file that does not exist, so a test that
//! forgot `--lab` fails instead of asking the system resolver.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The binary, with colour off and no system resolver.
pub fn dnscope() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("dnscope");
    cmd.env("NO_COLOR", "1")
        .env("TERM", "dumb")
        // Wide enough that no test line wraps; the width tests set their own.
        .env("COLUMNS", "1000")
        .env("DNSCOPE_RESOLV_CONF", "/nonexistent/resolv.conf")
        // Belt and braces: the binary refuses any address outside loopback.
        .env("DNSCOPE_LOOPBACK_ONLY", "1")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG");
    cmd
}

/// Run `dnscope query ARGS --lab --json` and return the document and the exit code.
pub fn query_lab(args: &[&str]) -> (Value, i32) {
    json_of(&[&["query"], args, &["--lab"]].concat())
}

/// Run `dnscope ARGS --json` and return the document and the exit code.
pub fn json_of(args: &[&str]) -> (Value, i32) {
    let out = dnscope()
        .args(args)
        .arg("--json")
        .output()
        .expect("run dnscope");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out.status.code().unwrap_or(-1))
}

/// Run `dnscope trace ARGS --lab --json` and return the document and the exit code.
pub fn trace_lab(args: &[&str]) -> (Value, i32) {
    trace_json(&[args, &["--lab"]].concat())
}

/// Run `dnscope trace ARGS --json` and return the document and the exit code.
pub fn trace_json(args: &[&str]) -> (Value, i32) {
    json_of(&[&["trace"], args].concat())
}

/// The records of a JSON array as `"name ttl type data"` strings, in order.
pub fn list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    format!(
                        "{} {} {} {}",
                        r["name"].as_str().unwrap_or("?"),
                        r["ttl"],
                        r["type"].as_str().unwrap_or("?"),
                        r["data"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The hops of a trace document asked of `zone` for `qname`.
pub fn hops_at<'a>(doc: &'a Value, zone: &str, qname: &str) -> Vec<&'a Value> {
    doc["hops"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter(|h| h["zone"] == zone && h["qname"] == qname)
                .collect()
        })
        .unwrap_or_default()
}

/// The hop of a server name within hops.
pub fn hop_of<'a>(hops: &[&'a Value], server: &str) -> &'a Value {
    hops.iter()
        .find(|h| h["server"] == server)
        .copied()
        .unwrap_or_else(|| panic!("no hop for {server}"))
}

/// The first response of a query document.
pub fn first(doc: &Value) -> &Value {
    &doc["responses"][0]
}

/// A section as `"name ttl type data"` strings, sorted.
pub fn rrs(response: &Value, section: &str) -> Vec<String> {
    let mut v = list(&response[section]);
    v.sort();
    v
}

pub fn rcode(response: &Value) -> &str {
    response["header"]["rcode"].as_str().unwrap_or("?")
}

pub fn flag(response: &Value, f: &str) -> bool {
    response["header"]["flags"][f].as_bool().unwrap_or(false)
}

/// Run dnscope with bad input: exit 2, nothing on stdout, one line on stderr naming the problem.
pub fn assert_usage_error(args: &[&str], needle: &str) {
    let out = dnscope().args(args).output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err}");
    assert!(err.starts_with("dnscope: "), "{err}");
    assert!(
        err.contains(needle),
        "{args:?}: {err:?} should mention {needle:?}"
    );
}

/// A copy of fixtures/lab in a temp dir, for tests that change the lab's data.
pub fn lab_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lab");
    std::fs::create_dir(dir.path().join("zones")).expect("mkdir");
    std::fs::copy(src.join("lab.toml"), dir.path().join("lab.toml")).expect("copy");
    for entry in std::fs::read_dir(src.join("zones")).expect("zones") {
        let entry = entry.expect("entry");
        std::fs::copy(
            entry.path(),
            dir.path().join("zones").join(entry.file_name()),
        )
        .expect("copy");
    }
    dir
}

/// A `dnscope lab` process, killed on drop.
pub struct LabProcess {
    child: Child,
    /// Its `--json` plan.
    pub plan: Value,
    pub port: u16,
}

impl LabProcess {
    /// Start `dnscope lab --json --port 0 --net NET` and read its plan.
    pub fn start(net: &str) -> Self {
        Self::start_on(net, 0)
    }

    /// The same on a given port (53 for real resolvers to use it).
    pub fn start_on(net: &str, port: u16) -> Self {
        let bin = assert_cmd::cargo::cargo_bin!("dnscope");
        let port = port.to_string();
        let mut child = Command::new(bin)
            .args(["lab", "--json", "--port", &port, "--net", net])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dnscope lab");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).expect("read lab plan");
            assert!(n > 0, "dnscope lab exited before printing its plan: {text}");
            text.push_str(&line);
            if line == "}\n" {
                break;
            }
        }
        let plan: Value = serde_json::from_str(&text).expect("lab plan is JSON");
        let port = plan["port"]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .expect("port");
        Self { child, plan, port }
    }

    /// The address of a lab server by name.
    pub fn addr(&self, name: &str) -> String {
        self.plan["servers"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == name))
            .and_then(|s| s["address"].as_str())
            .unwrap_or_else(|| panic!("no lab server {name}"))
            .to_string()
    }
}

impl Drop for LabProcess {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Stop a `dnscope lab` as a user would: SIGTERM first, so that it removes its CA file, then
/// SIGKILL if it has not gone within two seconds.
pub fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}
