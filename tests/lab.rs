//! `dnscope lab` as a process: its plan, and the control commands typed on its standard input
//! that change the running lab (a record changed on the primary, a secondary left behind).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use common::dnscope;

fn answer(server: &str, port: u16) -> String {
    let out = dnscope()
        .args([
            "query",
            "menu.cafe.example",
            &format!("@{server}:{port}"),
            "--no-rd",
            "--json",
        ])
        .output()
        .expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    doc["responses"][0]["answer"][0]["data"]
        .as_str()
        .unwrap_or("?")
        .to_string()
}

#[test]
fn control_commands_change_the_running_lab() {
    let bin = assert_cmd::cargo::cargo_bin!("dnscope");
    let mut child = Command::new(bin)
        .args(["lab", "--json", "--port", "0", "--net", "127.78.7.0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start lab");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut plan = String::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        plan.push_str(&line);
        plan.push('\n');
        if line == "}" {
            break;
        }
    }
    let plan: serde_json::Value = serde_json::from_str(&plan).expect("plan");
    let port = u16::try_from(plan["port"].as_u64().expect("port")).expect("port");
    let kinds: Vec<&str> = plan["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "resolver").count(), 3);

    let mut say = |command: &str, n: usize| -> Vec<String> {
        writeln!(stdin, "{command}").expect("write");
        stdin.flush().expect("flush");
        (0..n)
            .map(|_| lines.next().expect("an answer").expect("line"))
            .collect()
    };
    assert_eq!(answer("127.78.7.90", port), "192.0.2.10");
    assert!(say("lag ns2.cafe.example", 1)[0].starts_with("ok: ns2.cafe.example. lags"));
    assert_eq!(
        say("set menu.cafe.example A 8 192.0.2.99", 1),
        ["ok: changed on ns1.cafe.example. (serial 2026112802)"]
    );
    assert_eq!(
        answer("127.78.7.90", port),
        "192.0.2.99",
        "the primary has the change"
    );
    assert_eq!(
        answer("127.78.7.91", port),
        "192.0.2.10",
        "the lagging secondary does not"
    );
    assert!(say("catch-up ns2.cafe.example", 1)[0].contains("caught up (1 change(s) replayed)"));
    assert_eq!(answer("127.78.7.91", port), "192.0.2.99");
    assert_eq!(
        say("serials cafe.example", 2),
        [
            "ns1.cafe.example. 2026112802",
            "ns2.cafe.example. 2026112802"
        ]
    );
    assert!(
        say("set menu.cafe.example A 8 not-an-address", 1)[0]
            .starts_with("error: A \"not-an-address\"")
    );
    assert!(say("frobnicate", 1)[0].starts_with("error: unknown command"));
    // A change the zone cannot take leaves it as it was, and the SOA is not for editing.
    assert!(
        say("set menu.cafe.example CNAME 8 elsewhere.example.", 1)[0]
            .contains("was refused by the zone")
    );
    assert_eq!(answer("127.78.7.90", port), "192.0.2.99");
    assert!(
        say("delete cafe.example SOA", 1)[0]
            .starts_with("error: the SOA changes with every change")
    );
    common::stop(&mut child);
}
