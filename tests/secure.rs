//! Encrypted transports end to end: DoT, DoH (POST and GET) and DoQ against the lab's
//! listeners, each failure kind with its JSON kind (certificate expired, untrusted, wrong name,
//! TLS alert, HTTP status, handshake timeouts, garbage after the handshake, an HTTP 200 that is
//! not DNS), connection reuse, bad input, and kdig's view of the same listeners.
//!
//! The hostile servers are started here, on 127.0.0.1, by the test itself.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{LabProcess, dnscope, query_lab};
use serde_json::Value;

fn answers(doc: &Value, i: usize) -> Vec<String> {
    doc["responses"][i]["answer"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["data"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_same_answer_over_udp_dot_doh_and_doq_with_what_each_connection_was() {
    let (doc, code) = query_lab(&[
        "www.shop.test",
        "@isp-a",
        "@tls://isp-a",
        "@https://isp-a/dns-query",
        "@quic://isp-a",
    ]);
    assert_eq!(code, 0, "{doc}");
    let plain = answers(&doc, 0);
    assert_eq!(plain, ["192.0.2.80"]);
    for (i, transport, alpn) in [(1, "dot", "dot"), (2, "doh", "h2"), (3, "doq", "doq")] {
        let r = &doc["responses"][i];
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["transport"], transport, "{r}");
        assert_eq!(answers(&doc, i), plain, "{transport}");
        let s = &r["session"];
        assert_eq!(s["tls_version"], "TLS 1.3", "{s}");
        assert_eq!(s["alpn"], alpn, "{s}");
        assert_eq!(s["tls_name"], "isp-a");
        assert_eq!(s["verified"], true);
        assert_eq!(s["reused"], false);
        assert!(s["setup_ms"].as_f64().is_some_and(|t| t > 0.0), "{s}");
        let cert = &s["certificate"];
        assert_eq!(cert["subject"], "CN=isp-a");
        assert!(
            cert["issuer"]
                .as_str()
                .is_some_and(|i| i.contains("dnscope lab CA"))
        );
        assert!(cert["not_after"].as_i64() > cert["not_before"].as_i64());
    }
    assert_eq!(doc["responses"][0]["session"], Value::Null);
    let http = &doc["responses"][2]["session"]["http"];
    assert_eq!(http["method"], "POST");
    assert_eq!(http["status"], 200);
    assert_eq!(http["path"], "/dns-query");
    // RFC 8484 §4.1: DoH asks with ID 0.
    assert_eq!(doc["responses"][2]["header"]["id"], 0);
}

#[test]
fn doh_get_and_the_human_block_show_the_connection() {
    let out = dnscope()
        .args([
            "query",
            "www.shop.test",
            "@https://127.77.0.100/dns-query#isp-a",
            "--https-get",
            "--lab",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for needle in [
        "https+get://isp-a",
        "DoH",
        "connection: TLS 1.3, ALPN h2, GET /dns-query → 200, set-up",
        "certificate: CN=isp-a (names isp-a, 127.77.0.100), issued by CN=dnscope lab CA",
        "192.0.2.80",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in\n{text}");
    }
}

/// `(server, extra flags, error kind, detail check)`.
#[test]
fn each_failure_has_its_own_kind_and_the_other_servers_still_answer() {
    for (server, extra, kind, detail) in [
        (
            "@tls://ns2.shop.test",
            vec![],
            "certificate_expired",
            "not_after",
        ),
        (
            "@quic://ns2.shop.test",
            vec![],
            "certificate_expired",
            "not_after",
        ),
        (
            "@tls://campus",
            vec![],
            "certificate_unknown_issuer",
            "issuer",
        ),
        (
            "@https://campus/dns-query",
            vec![],
            "certificate_unknown_issuer",
            "issuer",
        ),
        (
            "@tls://isp-a",
            vec!["--tls-name", "wrong.test"],
            "certificate_name_mismatch",
            "presented",
        ),
        ("@https://isp-a/not-dns", vec![], "http_status", "status"),
    ] {
        let mut args = vec!["www.shop.test", server, "@isp-a"];
        args.extend(extra.iter().copied());
        let (doc, code) = query_lab(&args);
        let bad = &doc["responses"][0];
        assert_eq!(bad["ok"], false, "{server}: {bad}");
        assert_eq!(bad["error"]["kind"], kind, "{server}: {bad}");
        assert!(
            !bad["error"]["detail"][detail].is_null(),
            "{server}: {detail} missing in {bad}"
        );
        assert_eq!(doc["responses"][1]["ok"], true, "{server}: the plain one");
        assert_eq!(code, 1, "{server}: some servers failed");
    }
    let (doc, _) = query_lab(&["www.shop.test", "@https://isp-a/not-dns"]);
    assert_eq!(doc["responses"][0]["error"]["detail"]["status"], 404);
    let (doc, _) = query_lab(&["www.shop.test", "@tls://isp-a", "--tls-name", "wrong.test"]);
    let presented = &doc["responses"][0]["error"]["detail"]["presented"];
    assert!(
        presented
            .as_array()
            .is_some_and(|p| p.iter().any(|n| n == "isp-a")),
        "{presented}"
    );
}

#[test]
fn insecure_accepts_a_bad_certificate_and_says_so() {
    let (doc, code) = query_lab(&["www.shop.test", "@tls://campus", "--insecure"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["responses"][0]["session"]["verified"], false);
    let out = dnscope()
        .args([
            "query",
            "www.shop.test",
            "@tls://campus",
            "--insecure",
            "--lab",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("NOT VERIFIED (--insecure)"), "{text}");
}

/// A server that accepts the connection and never says a word.
#[test]
fn a_server_that_never_completes_the_handshake_is_a_bounded_timeout() {
    let tcp = TcpListener::bind("127.0.0.1:0").expect("bind");
    let tcp_port = tcp.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in tcp.incoming().flatten() {
            held.push(c);
        }
    });
    let udp = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let udp_port = udp.local_addr().expect("addr").port();
    for (server, kind_text) in [
        (
            format!("@tls://127.0.0.1:{tcp_port}#hang.test"),
            "TLS handshake",
        ),
        (
            format!("@quic://127.0.0.1:{udp_port}#hang.test"),
            "QUIC handshake",
        ),
        (
            format!("@https://127.0.0.1:{tcp_port}/dns-query#hang.test"),
            "TLS handshake",
        ),
    ] {
        let start = Instant::now();
        let (doc, code) = common::json_of(&["query", "x.test", &server, "--timeout", "500ms"]);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{server}: not bounded"
        );
        assert_eq!(code, 3, "{server}: none replied: {doc}");
        let e = &doc["responses"][0]["error"];
        assert_eq!(e["kind"], "handshake_timeout", "{server}: {e}");
        assert!(
            e["message"].as_str().is_some_and(|m| m.contains(kind_text)),
            "{server}: {e}"
        );
    }
    drop(udp);
}

fn hostile_tls_config(alpn: &[u8]) -> Arc<rustls::ServerConfig> {
    let cert = rcgen::generate_simple_self_signed(vec!["hostile.test".to_string()]).expect("cert");
    let key = rustls::pki_types::PrivateKeyDer::from(rustls::pki_types::PrivatePkcs8KeyDer::from(
        cert.signing_key.serialize_der(),
    ));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .expect("config");
    config.alpn_protocols = vec![alpn.to_vec()];
    Arc::new(config)
}

type TlsConn = rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>;

/// A DoT server on 127.0.0.1 (self-signed for hostile.test) that runs `serve` on each
/// connection, one after the other.
fn dot_server(serve: impl Fn(&mut TlsConn) + Send + 'static) -> std::net::SocketAddr {
    let config = hostile_tls_config(b"dot");
    let tcp = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = tcp.local_addr().expect("addr");
    std::thread::spawn(move || {
        for c in tcp.incoming().flatten() {
            let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                continue;
            };
            serve(&mut rustls::StreamOwned::new(conn, c));
        }
    });
    addr
}

/// DoT: the handshake completes, then the "answer" is a length prefix and noise.
#[test]
fn garbage_after_the_handshake_is_a_clear_outcome_not_a_hang() {
    let port = dot_server(|tls| {
        let mut buf = [0u8; 512];
        let _ = tls.read(&mut buf);
        let _ = tls.write_all(&[0, 7, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
        let _ = tls.flush();
        std::thread::sleep(Duration::from_secs(3));
    })
    .port();
    let start = Instant::now();
    let (doc, _) = common::json_of(&[
        "query",
        "x.test",
        &format!("@tls://127.0.0.1:{port}#hostile.test"),
        "--insecure",
        "--timeout",
        "1s",
    ]);
    assert!(start.elapsed() < Duration::from_secs(5), "not bounded");
    let r = &doc["responses"][0];
    assert_eq!(r["ok"], false, "{r}");
    // hickory's multiplexer drops the frame and waits; the byte count says why nothing came.
    assert_eq!(r["error"]["kind"], "not_dns", "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("9 bytes arrived")),
        "{r}"
    );
}

/// DoH: HTTP 200 whose body is not a DNS message.
#[test]
fn an_http_200_that_is_not_dns_says_so() {
    let config = hostile_tls_config(b"h2");
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = tcp.local_addr().expect("addr").port();
    tcp.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(tcp) else {
                return;
            };
            let acceptor = tokio_rustls::TlsAcceptor::from(config);
            while let Ok((c, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(c).await else {
                        return;
                    };
                    let Ok(mut h2) = h2::server::handshake(tls).await else {
                        return;
                    };
                    while let Some(Ok((_req, mut respond))) = h2.accept().await {
                        let response = http::Response::builder()
                            .status(200)
                            .header("content-type", "text/html")
                            .body(())
                            .expect("response");
                        if let Ok(mut body) = respond.send_response(response, false) {
                            let _ =
                                body.send_data(bytes::Bytes::from_static(b"<html>hi</html>"), true);
                        }
                    }
                });
            }
        });
    });
    let (doc, code) = common::json_of(&[
        "query",
        "x.test",
        &format!("@https://127.0.0.1:{port}/dns-query#hostile.test"),
        "--insecure",
    ]);
    let e = &doc["responses"][0]["error"];
    assert_eq!(e["kind"], "not_dns", "{doc}");
    assert_eq!(e["detail"]["content_type"], "text/html", "{e}");
    assert_eq!(code, 3);
    // Without --insecure and with an empty CA bundle, nothing is trusted, and it says so.
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").expect("write");
    let out = dnscope()
        .env("SSL_CERT_FILE", &empty)
        .args([
            "query",
            "x.test",
            &format!("@https://127.0.0.1:{port}/dns-query#hostile.test"),
            "--json",
        ])
        .output()
        .expect("run");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        doc["responses"][0]["error"]["kind"], "no_trust_roots",
        "{doc}"
    );
}

#[test]
fn bad_server_syntax_and_ca_files_are_one_line_errors_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").expect("write");
    let junk = junk.to_string_lossy().into_owned();
    for (args, needle) in [
        (vec!["@https://isp-a"], "needs its path"),
        (vec!["@gopher://isp-a"], "unknown scheme"),
        (vec!["@tls://127.0.0.1:70000"], "not a port number"),
        (vec!["@udp://127.0.0.1#name"], "#NAME is the TLS name"),
        (vec!["@tls://isp-a", "--ca-file", &junk], "no certificate"),
        (vec!["@tls://isp-a#"], "empty TLS name"),
        (
            vec!["@isp-a", "--insecure"],
            "--insecure is for encrypted servers",
        ),
        (
            vec!["@tls://isp-a", "--https-get"],
            "--https-get is for DoH",
        ),
        (vec!["@tls://ns1.nic.test"], "does not serve DoT"),
    ] {
        let mut all = vec!["query", "www.shop.test", "--lab"];
        all.extend(args.iter().copied());
        let out = dnscope().args(&all).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(needle),
            "{args:?}: {needle:?} missing in {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
    // A trace starts from plain root servers.
    let out = dnscope()
        .args(["trace", "x.test", "--root", "tls://127.0.0.1"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain DNS"));
}

#[test]
fn compare_rows_per_transport_and_says_when_a_connection_was_new() {
    let (doc, code) = common::json_of(&[
        "compare",
        "www.shop.test",
        "--lab",
        "--resolver",
        "isp-a",
        "--resolver",
        "tls://isp-a",
        "--resolver",
        "https://isp-a/dns-query",
        "--resolver",
        "quic://isp-a",
    ]);
    assert_eq!(code, 0, "{doc}");
    let servers = doc["servers"].as_array().expect("servers");
    let rows: Vec<(&str, &str)> = servers
        .iter()
        .filter(|s| s["kind"] == "resolver")
        .map(|s| {
            (
                s["server"].as_str().unwrap_or(""),
                s["transport"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("isp-a", "udp"),
            ("tls://isp-a", "dot"),
            ("https://isp-a/dns-query", "doh"),
            ("quic://isp-a", "doq"),
        ]
    );
    for s in servers.iter().filter(|s| s["transport"] != "udp") {
        assert_eq!(s["status"], "agrees", "{s}");
        assert_eq!(s["reused_connection"], false, "{s}");
    }
    // The same from a --resolvers file, and --insecure said in the text.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("resolvers");
    std::fs::write(
        &file,
        "# encrypted
b=tls://isp-b
campus-doq=quic://campus  # bad certificate
",
    )
    .expect("write");
    let out = dnscope()
        .args([
            "compare",
            "www.shop.test",
            "--lab",
            "--insecure",
            "--resolvers",
        ])
        .arg(&file)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for needle in [
        "Encrypted transports: new connection for b, campus-doq; certificates NOT verified (--insecure): b, campus-doq.",
        "│ b ",
        "│ campus-doq ",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in\n{text}");
    }
}

/// kdig (knot-dnsutils) asks the lab's DoT and DoH listeners, trusting the CA file `dnscope
/// lab` wrote, and sees what dnscope sees.
#[test]
#[allow(clippy::print_stderr)] // a visible skip is the point
fn kdig_gets_the_same_answers_from_the_labs_encrypted_listeners() {
    if std::process::Command::new("kdig")
        .arg("-V")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("DNSCOPE_REQUIRE_DIG").is_none(),
            "kdig is missing (install knot-dnsutils)"
        );
        eprintln!("skipped: kdig not installed");
        return;
    }
    let lab = LabProcess::start("127.79.6.0");
    let ca = lab.plan["ca_file"].as_str().expect("ca_file").to_string();
    let isp = lab.plan["servers"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "isp-a."))
        .expect("isp-a")
        .clone();
    let addr = isp["address"].as_str().expect("address").to_string();
    let enc = &isp["encrypted"];
    let tls = enc["tls"].as_u64().expect("tls port").to_string();
    let https = enc["https"].as_u64().expect("https port").to_string();
    for (name, rtype) in [
        ("www.shop.test", "A"),
        ("shop.test", "MX"),
        ("nope.shop.test", "A"),
    ] {
        for (port, extra) in [(&tls, vec![]), (&https, vec!["+https=/dns-query"])] {
            let mut args = vec![
                format!("@{addr}"),
                "-p".to_string(),
                port.clone(),
                format!("+tls-ca={ca}"),
                "+tls-hostname=isp-a".to_string(),
                "+short".to_string(),
                name.to_string(),
                rtype.to_string(),
            ];
            args.extend(extra.iter().map(|s| (*s).to_string()));
            let out = std::process::Command::new("kdig")
                .args(&args)
                .output()
                .expect("kdig");
            assert!(out.status.success(), "kdig {args:?}");
            let mut kdig: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty() && !l.starts_with(";;"))
                .collect();
            kdig.sort();
            let scheme = if extra.is_empty() {
                format!("@tls://{addr}:{port}#isp-a")
            } else {
                format!("@https://{addr}:{port}/dns-query#isp-a")
            };
            let (doc, _) = common::json_of(&["query", name, rtype, &scheme, "--ca-file", &ca]);
            let mut ours = answers(&doc, 0);
            ours.sort();
            assert_eq!(doc["responses"][0]["ok"], true, "{doc}");
            assert_eq!(ours, kdig, "{name} {rtype} over {scheme}");
        }
    }
    // A TLS alert: offering DoT's ALPN to the DoH port, which speaks only h2.
    let (doc, _) = common::json_of(&[
        "query",
        "www.shop.test",
        &format!("@tls://{addr}:{https}#isp-a"),
        "--ca-file",
        &ca,
    ]);
    assert_eq!(doc["responses"][0]["error"]["kind"], "tls_alert", "{doc}");
}

/// The engine itself, against a lab in this process: later questions to the same server and
/// transport ride the first one's connection (HTTP/2 streams, DoT pipelining, QUIC streams),
/// also when they are asked all at once.
#[test]
fn later_questions_reuse_the_connection() {
    use dnscope::lab::{Lab, LabConfig};
    use dnscope::wire::{
        QueryOptions, Secure, TlsSettings, Transport, Via, build_query, parse_name,
    };
    let Ok(rt) = tokio::runtime::Runtime::new() else {
        panic!("runtime");
    };
    rt.block_on(async {
        let lab = Lab::start(&LabConfig {
            net: Some(std::net::Ipv4Addr::new(127, 79, 7, 0)),
            port: Some(0),
            ..LabConfig::default()
        })
        .await
        .expect("lab");
        let isp = lab
            .servers()
            .iter()
            .find(|s| s.name.to_ascii() == "isp-a.")
            .expect("isp-a");
        let ports = isp.secure.expect("encrypted");
        let transport = Arc::new(Secure::new(
            dnscope::wire::NetTransport,
            &TlsSettings {
                roots: vec![lab.ca_der()],
                insecure: false,
            },
        ));
        let name = |n: &str| parse_name(n).expect("name");
        let opts = QueryOptions::default();
        for (via, port) in [
            (
                Via::Tls {
                    name: "isp-a".into(),
                },
                ports.tls,
            ),
            (
                Via::Https {
                    name: "isp-a".into(),
                    path: "/dns-query".into(),
                    get: false,
                },
                ports.https,
            ),
            (
                Via::Quic {
                    name: "isp-a".into(),
                },
                ports.quic,
            ),
        ] {
            let addr = std::net::SocketAddr::new(std::net::IpAddr::V4(isp.address), port);
            let first = transport
                .exchange_via(
                    addr,
                    &via,
                    &build_query(
                        &name("www.shop.test"),
                        hickory_proto::rr::RecordType::A,
                        &opts,
                    ),
                    &opts,
                )
                .await
                .expect("first");
            let s = first.session.expect("session");
            assert!(!s.reused && s.setup.is_some(), "{via:?}: {s:?}");
            // Three at once, on the open connection.
            let mut tasks = Vec::new();
            for n in ["shop.test", "blog.shop.test", "mail.shop.test"] {
                let t = transport.clone();
                let via = via.clone();
                let q = build_query(&name(n), hickory_proto::rr::RecordType::A, &opts);
                let opts = opts.clone();
                tasks.push(tokio::spawn(async move {
                    t.exchange_via(addr, &via, &q, &opts).await
                }));
            }
            for t in tasks {
                let x = t.await.expect("task").expect("answer");
                let s = x.session.expect("session");
                assert!(s.reused && s.setup.is_none(), "{via:?}: {s:?}");
                assert_eq!(x.response.queries, x.query.queries);
            }
        }
        lab.stop().await;
    });
}

/// DoQ has no kdig here (Debian's is built without ngtcp2), so dnspython's DoQ client
/// (aioquic underneath; `.ci/run` installs both into a venv and names its python in
/// DNSCOPE_DOQ_PYTHON) asks the lab's DoQ listener and must see what dnscope sees.
#[test]
#[allow(clippy::print_stderr)] // a visible skip is the point
fn a_reference_doq_client_gets_the_same_answers() {
    let Some(python) = std::env::var_os("DNSCOPE_DOQ_PYTHON") else {
        assert!(
            std::env::var_os("DNSCOPE_REQUIRE_DIG").is_none(),
            "DNSCOPE_DOQ_PYTHON is not set (a python with dnspython and aioquic)"
        );
        eprintln!("skipped: DNSCOPE_DOQ_PYTHON not set");
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/doq/ask.py");
    let lab = LabProcess::start("127.79.11.0");
    let ca = lab.plan["ca_file"].as_str().expect("ca_file").to_string();
    let isp = lab.plan["servers"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "isp-b."))
        .expect("isp-b")
        .clone();
    let addr = isp["address"].as_str().expect("address").to_string();
    let port = isp["encrypted"]["quic"]
        .as_u64()
        .expect("quic port")
        .to_string();
    for (name, rtype, rcode) in [
        ("www.shop.test", "A", "NOERROR"),
        ("www.shop.test", "AAAA", "NOERROR"),
        ("shop.test", "MX", "NOERROR"),
        ("nope.shop.test", "A", "NXDOMAIN"),
    ] {
        let out = std::process::Command::new(&python)
            .args([script, &addr, &port, &ca, "isp-b", name, rtype])
            .output()
            .expect("python");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{name} {rtype}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut theirs: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with("RCODE"))
            .map(String::from)
            .collect();
        theirs.sort();
        assert!(text.contains(&format!("RCODE {rcode}")), "{name}: {text}");
        let (doc, _) = common::json_of(&[
            "query",
            name,
            rtype,
            &format!("@quic://{addr}:{port}#isp-b"),
            "--ca-file",
            &ca,
        ]);
        let r = &doc["responses"][0];
        assert_eq!(r["transport"], "doq", "{r}");
        assert_eq!(r["header"]["rcode"], rcode, "{r}");
        let mut ours = answers(&doc, 0);
        ours.sort();
        assert_eq!(ours, theirs, "{name} {rtype}");
    }
}

/// Many names (`compare --names`) to encrypted resolvers: one connection per resolver and
/// transport, reused by every later name, and the cost line says so.
#[test]
fn many_names_ride_one_connection_per_encrypted_resolver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names = dir.path().join("names");
    std::fs::write(
        &names,
        "www.shop.test\nshop.test MX\nblog.shop.test\nmail.shop.test\n",
    )
    .expect("write");
    let names = names.to_string_lossy().into_owned();
    let args = [
        "compare",
        "--names",
        &names,
        "--lab",
        "--resolver",
        "tls://isp-a",
        "--resolver",
        "quic://isp-b",
    ];
    let out = dnscope().args(args).arg("--json").output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    // One document per RRset, then the summary.
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: Value = serde_json::from_str(text.lines().last().unwrap_or("")).expect("JSON");
    let q = &summary["queries"];
    assert_eq!(q["encrypted"], 8, "{q}");
    // Names asked at once wait for the first one's handshake: one connection per resolver.
    assert_eq!(q["connections_reused"], 6, "{q}");
    let out = dnscope().args(args).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("8 answered over DoT/DoH/DoQ, "), "{text}");
}

/// Many names to an encrypted server that never completes the handshake: the questions queued
/// behind the first attempt share its failure instead of each waiting out its own timeout.
#[test]
fn a_dead_encrypted_resolver_costs_one_timeout_not_one_per_name() {
    let tcp = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = tcp.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in tcp.incoming().flatten() {
            held.push(c);
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let names = dir.path().join("names");
    let list: String = (1..=8).map(|i| format!("n{i}.shop.test\n")).collect();
    std::fs::write(&names, list).expect("write");
    let start = Instant::now();
    let out = dnscope()
        .args(["compare", "--names"])
        .arg(&names)
        .args([
            "--lab",
            "--timeout",
            "500ms",
            "--resolver",
            &format!("dead=tls://127.0.0.1:{port}#hang.test"),
            "--json",
        ])
        .output()
        .expect("run");
    let took = start.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    assert!(text.contains("handshake_timeout"), "{text}");
}

/// A DoT server that answers one question per connection and then closes it (as servers do
/// when idle): the second question finds its kept connection closed and is asked again, once,
/// on a new one, instead of failing.
#[test]
fn a_kept_connection_the_server_closed_is_replaced_once() {
    use dnscope::wire::{
        QueryOptions, Secure, TlsSettings, Transport, Via, build_query, parse_name,
    };
    let addr = dot_server(|tls| {
        let mut len = [0u8; 2];
        if tls.read_exact(&mut len).is_err() {
            return;
        }
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if tls.read_exact(&mut msg).is_err() || msg.len() < 12 {
            return;
        }
        msg[2] |= 0x80; // QR: the question back as an empty answer
        let _ = tls.write_all(&len);
        let _ = tls.write_all(&msg);
        tls.conn.send_close_notify();
        let _ = tls.flush();
    });
    let Ok(rt) = tokio::runtime::Runtime::new() else {
        panic!("runtime");
    };
    rt.block_on(async {
        let transport = Secure::new(
            dnscope::wire::NetTransport,
            &TlsSettings {
                roots: Vec::new(),
                insecure: true,
            },
        );
        let via = Via::Tls {
            name: "hostile.test".into(),
        };
        let opts = QueryOptions::default();
        let q = build_query(
            &parse_name("x.test").expect("name"),
            hickory_proto::rr::RecordType::A,
            &opts,
        );
        let first = transport
            .exchange_via(addr, &via, &q, &opts)
            .await
            .expect("first");
        assert!(first.session.is_some_and(|s| !s.reused));
        // Let the close arrive.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let second = transport
            .exchange_via(addr, &via, &q, &opts)
            .await
            .expect("second, on a new connection");
        let s = second.session.expect("session");
        assert!(!s.reused && s.setup.is_some(), "{s:?}");
    });
}
