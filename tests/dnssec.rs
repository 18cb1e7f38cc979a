//! DNSSEC on the lab: every verdict the issue asks for (secure, insecure, bogus with its
//! reason, indeterminate), the evidence in JSON and in words, trust anchors from files,
//! `query --validate`, the Extended DNS Errors and AD flags of the lab's validating resolvers,
//! what `compare` makes of them, and bounded work on a zone built to exhaust a validator.

mod common;

use common::{dnscope, trace_lab};
use serde_json::Value;

fn stdout(args: &[&str]) -> (String, i32) {
    let out = dnscope().args(args).output().expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// A name, its type, the verdict, its code, the zone where it was decided, the EDE a
/// validating resolver would attach, and the exit code.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<u64>,
    i32,
);

#[test]
fn every_verdict_with_its_code_zone_and_exit_code() {
    let cases: &[Case] = &[
        ("www.shop.test", "A", "secure", None, None, None, 0),
        ("nope.shop.test", "A", "secure", None, None, None, 0),
        ("www.shop.test", "MX", "secure", None, None, None, 0),
        ("www.nsec3.test", "A", "secure", None, None, None, 0),
        ("nope.nsec3.test", "A", "secure", None, None, None, 0),
        ("b.nsec3.test", "A", "secure", None, None, None, 0),
        (
            "www.paris.eu.shop.test",
            "A",
            "insecure",
            Some("no-ds"),
            Some("eu.shop.test."),
            None,
            0,
        ),
        (
            "www.cdn.example",
            "A",
            "insecure",
            Some("no-ds"),
            Some("example."),
            None,
            0,
        ),
        (
            "nope.iter.test",
            "A",
            "insecure",
            Some("nsec3-iterations"),
            Some("iter.test."),
            None,
            0,
        ),
        (
            "www.privalg.test",
            "A",
            "insecure",
            Some("unsupported-algorithm"),
            Some("privalg.test."),
            None,
            0,
        ),
        // A CNAME from a signed zone into an unsigned one: the answer is insecure.
        (
            "blog.shop.test",
            "A",
            "insecure",
            Some("no-ds"),
            Some("example."),
            None,
            0,
        ),
        (
            "www.expired.test",
            "A",
            "bogus",
            Some("signature-expired"),
            Some("expired.test."),
            Some(7),
            7,
        ),
        (
            "www.future.test",
            "A",
            "bogus",
            Some("signature-not-yet-valid"),
            Some("future.test."),
            Some(8),
            7,
        ),
        (
            "www.rollover.test",
            "A",
            "bogus",
            Some("ds-mismatch"),
            Some("rollover.test."),
            Some(9),
            7,
        ),
        (
            "www.nosig.test",
            "A",
            "bogus",
            Some("dnskey-missing"),
            Some("nosig.test."),
            Some(9),
            7,
        ),
        (
            "www.badsig.test",
            "A",
            "bogus",
            Some("bad-signature"),
            Some("badsig.test."),
            Some(6),
            7,
        ),
        (
            "www.keytrap.test",
            "A",
            "bogus",
            Some("too-much-work"),
            Some("keytrap.test."),
            Some(6),
            7,
        ),
    ];
    let mut wrong = Vec::new();
    for (name, rtype, verdict, code, zone, ede, exit) in cases {
        let (doc, got_exit) = trace_lab(&[name, rtype]);
        let d = &doc["dnssec"];
        let got = (
            d["verdict"].as_str(),
            d["code"].as_str(),
            d["zone"].as_str(),
            d["ede"].as_u64(),
            got_exit,
        );
        if got != (Some(*verdict), *code, *zone, *ede, *exit) {
            wrong.push(format!("{name} {rtype}: {got:?}, reason: {}", d["reason"]));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn each_step_carries_its_zones_evidence() {
    let (doc, _) = trace_lab(&["www.shop.test"]);
    let steps = doc["steps"].as_array().expect("steps");
    let at = |zone: &str| -> &Value {
        steps
            .iter()
            .find(|s| s["zone"] == zone)
            .map(|s| &s["dnssec"])
            .unwrap_or_else(|| panic!("no step at {zone}"))
    };
    let root = at(".");
    assert_eq!(root["status"], "secure");
    assert_eq!(root["anchored"], true, "{root}");
    let shop = at("shop.test.");
    assert_eq!(shop["status"], "secure");
    assert_eq!(shop["ds"][0]["matches_dnskey"], true, "{shop}");
    let keys = shop["dnskey"].as_array().expect("dnskey");
    assert!(
        keys.iter()
            .any(|k| k["flags"] == 257 && k["trusted"] == true)
    );
    assert!(keys.iter().any(|k| k["flags"] == 256));
    assert!(keys.iter().all(|k| k["algorithm"] == 15));
    let sigs = shop["rrsigs"].as_array().expect("rrsigs");
    assert!(
        sigs.iter()
            .any(|s| s["name"] == "www.shop.test." && s["type"] == "A" && s["result"] == "valid"),
        "{shop}"
    );
    assert!(sigs.iter().all(|s| {
        s["expiration_utc"]
            .as_str()
            .is_some_and(|t| t.ends_with("UTC"))
    }));
    let work = &doc["dnssec"]["work"];
    assert!(
        work["signature_checks"].as_u64().is_some_and(|n| n >= 5),
        "{work}"
    );
    assert!(work["queries"].as_u64().is_some_and(|n| n >= 3), "{work}");
    assert_eq!(doc["dnssec"]["anchors"], "the lab's root KSK");
    // The expired zone's DNSKEY RRSIG is said to be expired, with when.
    let (doc, _) = trace_lab(&["www.expired.test"]);
    let expired = doc["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["zone"] == "expired.test."))
        .map(|s| s["dnssec"].clone())
        .expect("step");
    let sig = &expired["rrsigs"][0];
    assert_eq!(sig["result"], "expired", "{expired}");
    assert!(
        sig["detail"]
            .as_str()
            .is_some_and(|d| d.contains("2 d ago")),
        "{sig}"
    );
}

#[test]
fn the_chain_of_trust_in_words() {
    let (text, code) = stdout(&["trace", "www.rollover.test", "--lab", "--explain"]);
    assert_eq!(code, 7);
    for needle in [
        "Chain of trust (DNSSEC), from the lab's root KSK",
        "its key is a trust anchor",
        "BOGUS: the parent's DS matches none of its keys",
        "→ matches no DNSKEY",
        "This is where the chain breaks: the parent's DS (key tag",
        "DNSSEC: bogus at rollover.test.:",
        "a key rollover that removed the old key before the parent's DS was updated",
        "DNSKEY/DS queries",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in\n{text}");
    }
    let (text, _) = stdout(&["trace", "www.paris.eu.shop.test", "--lab"]);
    assert!(
        text.contains(
            "insecure: not signed; the parent proves with a signed NSEC that there is no DS"
        ),
        "{text}"
    );
    assert!(
        text.contains("insecure: below eu.shop.test., which is not signed"),
        "{text}"
    );
    // --no-dnssec: no chain, no verdict, no DO bit.
    let (text, code) = stdout(&["trace", "www.expired.test", "--lab", "--no-dnssec"]);
    assert_eq!(code, 0);
    assert!(
        !text.contains("Chain of trust") && !text.contains("DNSSEC"),
        "{text}"
    );
    let (doc, _) = trace_lab(&["www.expired.test", "--no-dnssec"]);
    assert!(doc["dnssec"].is_null());
}

#[test]
fn trust_anchors_come_from_files_or_are_missing() {
    let lab = common::LabProcess::start("127.78.9.0");
    let port = lab.port;
    let anchor: Vec<String> = lab.plan["trust_anchor"]
        .as_array()
        .expect("trust_anchor")
        .iter()
        .filter_map(|l| l.as_str().map(String::from))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("lab.anchor");
    std::fs::write(&good, anchor.join("\n")).expect("write");
    let root = format!("127.78.9.2:{port}");
    let p = port.to_string();
    let trace = |extra: &[&str]| {
        let mut args = vec!["www.shop.test", "--root", &root, "--port", &p];
        args.extend_from_slice(extra);
        common::trace_json(&args)
    };
    // --root and no anchor: indeterminate, and the output says which flag gives one.
    let (doc, code) = trace(&[]);
    assert_eq!(code, 0);
    assert_eq!(doc["dnssec"]["verdict"], "indeterminate");
    assert_eq!(doc["dnssec"]["code"], "no-trust-anchor");
    assert!(
        doc["dnssec"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("--trust-anchor FILE")),
        "{doc}"
    );
    // The lab's anchor from a file: secure.
    let good_arg = good.to_string_lossy().into_owned();
    let (doc, _) = trace(&["--trust-anchor", &good_arg]);
    assert_eq!(doc["dnssec"]["verdict"], "secure", "{doc}");
    // An anchor that is not the root's key: bogus at the root.
    let wrong = dir.path().join("wrong.anchor");
    std::fs::write(
        &wrong,
        ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n",
    )
    .expect("write");
    let wrong_arg = wrong.to_string_lossy().into_owned();
    let (doc, code) = trace(&["--trust-anchor", &wrong_arg]);
    assert_eq!(code, 7);
    assert_eq!(doc["dnssec"]["code"], "anchor-mismatch", "{doc}");
    // A file that does not parse: one line naming the line, exit 2.
    let bad = dir.path().join("bad.anchor");
    std::fs::write(&bad, "; comment\n. IN DS 20326 8 2 NOTHEX\n").expect("write");
    let bad_arg = bad.to_string_lossy().into_owned();
    let out = dnscope()
        .args([
            "trace",
            "www.shop.test",
            "--lab",
            "--trust-anchor",
            &bad_arg,
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("line 2") && err.contains("not hexadecimal"),
        "{err}"
    );
    let missing = dir
        .path()
        .join("missing.anchor")
        .to_string_lossy()
        .into_owned();
    common::assert_usage_error(
        &[
            "trace",
            "www.shop.test",
            "--lab",
            "--trust-anchor",
            &missing,
        ],
        "cannot read it",
    );
}

#[test]
fn query_validate_shows_the_verdict_the_rrsigs_and_the_ede() {
    let (text, code) = stdout(&["query", "www.shop.test", "--lab", "--validate"]);
    assert_eq!(code, 0);
    assert!(text.contains("RRSIG over www.shop.test. A: key"), "{text}");
    assert!(text.contains("expires in 30 d"), "{text}");
    assert!(
        text.contains("DNSSEC (--validate): signatures valid: the answer's RRSIGs verify with shop.test.'s own DNSKEY RRset"),
        "{text}"
    );
    let (doc, code) = common::json_of(&["query", "www.badsig.test", "--lab", "--validate"]);
    assert_eq!(code, 7);
    let v = &doc["responses"][0]["validation"];
    assert_eq!(v["verdict"], "bogus");
    assert_eq!(v["code"], "bad-signature");
    // The lab's validating resolvers: AD on secure data, SERVFAIL with an EDE on bogus.
    let (doc, _) = common::json_of(&["query", "www.shop.test", "@isp-a", "--lab"]);
    assert_eq!(doc["responses"][0]["header"]["flags"]["ad"], true);
    let (doc, _) = common::json_of(&["query", "www.expired.test", "@isp-a", "--lab"]);
    let r = &doc["responses"][0];
    assert_eq!(r["header"]["rcode"], "SERVFAIL");
    assert_eq!(r["edns"]["ede"][0]["code"], 6, "{r}");
    assert_eq!(r["edns"]["ede"][0]["name"], "DNSSEC Bogus");
    let (text, _) = stdout(&["query", "www.expired.test", "@isp-a", "--lab"]);
    assert!(text.contains("EDE: 6 (DNSSEC Bogus)"), "{text}");
    // campus does not validate: the bogus data comes through, without AD.
    let (doc, _) = common::json_of(&["query", "www.expired.test", "@campus", "--lab"]);
    assert_eq!(doc["responses"][0]["header"]["rcode"], "NOERROR");
    assert_eq!(doc["responses"][0]["header"]["flags"]["ad"], false);
}

#[test]
fn compare_explains_why_validating_resolvers_say_servfail() {
    let (doc, code) = common::json_of(&["compare", "www.expired.test", "--lab"]);
    assert_eq!(code, 1);
    let server = |label: &str| -> Value {
        doc["servers"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["server"] == label))
            .cloned()
            .unwrap_or(Value::Null)
    };
    for r in ["isp-a", "isp-b"] {
        let s = server(r);
        assert_eq!(s["status"], "rejected", "{s}");
        assert_eq!(s["ede"][0]["code"], 6, "{s}");
    }
    assert_eq!(server("campus")["status"], "agrees");
    let finding = doc["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["kind"] == "dnssec"))
        .and_then(|f| f["text"].as_str())
        .unwrap_or_else(|| panic!("no dnssec finding in {doc}"))
        .to_string();
    for needle in [
        "The answer is DNSSEC-bogus at expired.test.: the RRSIGs over expired.test. DNSKEY expired",
        "isp-a and isp-b validate and therefore answer SERVFAIL with EDE 6 (DNSSEC Bogus)",
        "campus does not validate and passes the data on",
    ] {
        assert!(finding.contains(needle), "{needle:?} missing in {finding}");
    }
    // A secure answer: who vouched for it with AD, who did not.
    let (doc, _) = common::json_of(&["compare", "www.shop.test", "--lab"]);
    assert_eq!(doc["consistent"], true);
    let finding = doc["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["kind"] == "dnssec"))
        .and_then(|f| f["text"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        finding.contains("isp-a and isp-b validated it (AD flag); campus passed it on without AD"),
        "{doc}"
    );
}

#[test]
fn a_zone_built_to_exhaust_validators_costs_bounded_work() {
    let (doc, code) = trace_lab(&["www.keytrap.test"]);
    assert_eq!(code, 7);
    let work = &doc["dnssec"]["work"];
    let checks = work["signature_checks"].as_u64().unwrap_or(u64::MAX);
    // 30 keys share a tag and 30 forged RRSIGs name it: 900 checks unbounded; the limits
    // are 8 per RRset and 64 per resolution.
    assert!(checks <= 64, "{work}");
    assert!(
        work["cpu_ms"].as_f64().is_some_and(|ms| ms < 500.0),
        "{work}"
    );
    assert!(
        doc["dnssec"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("gave up after 8 signature checks on one RRset")),
        "{doc}"
    );
    // 200 NSEC3 iterations are not computed at all.
    let (doc, _) = trace_lab(&["nope.iter.test"]);
    assert_eq!(doc["dnssec"]["work"]["nsec3_hashes"], 0, "{doc}");
}

#[test]
fn explain_topics_and_the_servfail_exercise() {
    for topic in [
        "chain-of-trust",
        "bogus",
        "insecure",
        "key-rollover",
        "ede",
        "DS",
        "DNSKEY",
        "RRSIG",
        "NSEC",
        "NSEC3",
    ] {
        let (text, code) = stdout(&["explain", topic]);
        assert_eq!(code, 0, "{topic}");
        assert!(text.len() > 200, "{topic}: {text}");
    }
    let (text, code) = stdout(&["lab", "exercises", "8", "--solution"]);
    assert_eq!(code, 0);
    for needle in [
        "The resolvers say SERVFAIL, but the server answers: why?",
        "The chain breaks at rollover.test.: the parent's DS names key",
        "The fix: publish the key the DS names again",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in\n{text}");
    }
}
