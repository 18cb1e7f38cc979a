//! Snapshots of the human output, where its shape matters. Values that change from run to run
//! (message IDs, ports, round-trip times) are masked.

mod common;

use common::dnscope;

fn human(args: &[&str]) -> String {
    let out = dnscope()
        .arg("query")
        .args(args)
        .arg("--lab")
        .output()
        .expect("run");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

macro_rules! snap {
    ($name:expr, $text:expr) => {
        insta::with_settings!({filters => vec![
            (r"id \d+", "id [ID]"),
            (r"#\d+\)", "#[PORT])"),
            (r"(127\.\d+\.\d+\.\d+):\d+", "$1:[PORT]"),
            (r"\d+\.\d+ ms", "[RTT]"),
            (r"\d+ ms overall", "[RTT] overall"),
        ]}, {
            insta::assert_snapshot!($name, $text);
        });
    };
}

#[test]
fn answer() {
    snap!("answer", human(&["www.shop.test"]));
}

#[test]
fn referral() {
    snap!(
        "referral",
        human(&["www.shop.test", "@a.root-servers.test", "--no-rd"])
    );
}

#[test]
fn nxdomain() {
    snap!("nxdomain", human(&["nope.shop.test"]));
}

#[test]
fn truncated_then_tcp() {
    snap!("truncated", human(&["big.shop.test", "TXT"]));
}

#[test]
fn dead_and_live_servers() {
    snap!(
        "flaky",
        human(&[
            "www.flaky.test",
            "@ns1.flaky.test",
            "@ns2.flaky.test",
            "@ns3.flaky.test",
            "--timeout",
            "200ms",
            "--retries",
            "0"
        ])
    );
}

#[test]
fn color_always_styles_and_never_does_not() {
    let out = dnscope()
        .args(["query", "www.shop.test", "--lab", "--color", "always"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\x1b["));
    let out = dnscope()
        .args(["query", "www.shop.test", "--lab"])
        .env_remove("NO_COLOR")
        .output()
        .expect("run");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("\x1b["),
        "not a terminal: no colour"
    );
    let out = dnscope()
        .args([
            "query",
            "www.shop.test",
            "--lab",
            "--json",
            "--color",
            "always",
        ])
        .output()
        .expect("run");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("\x1b["),
        "JSON is never coloured"
    );
}
