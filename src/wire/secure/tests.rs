//! Unit tests of the encrypted transports' pure parts: answer checks, certificate failures in
//! our terms, CA files. The transports themselves are tested against the lab (tests/secure.rs).

use std::sync::Mutex;

use hickory_proto::op::{Message, MessageType};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, Error};

use super::tls::{Seen, failure, read_pem_certificates, summary};
use super::{SecureFailure, Via, check_answer};
use crate::wire::{QueryOptions, build_query, parse_name};

fn cert(names: &[&str], expired: bool) -> CertificateDer<'static> {
    let key = rcgen::KeyPair::generate().expect("key");
    let mut p =
        rcgen::CertificateParams::new(names.iter().map(|n| (*n).to_string()).collect::<Vec<_>>())
            .expect("params");
    p.distinguished_name.push(
        rcgen::DnType::CommonName,
        names.first().copied().unwrap_or("x"),
    );
    if expired {
        p.not_before = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(1);
        p.not_after = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(2);
    }
    p.self_signed(&key).expect("cert").der().clone()
}

fn seen(presented: CertificateDer<'static>, refused: Error) -> Mutex<Seen> {
    Mutex::new(Seen {
        presented: Some(presented),
        refused: Some(refused),
        no_roots: false,
    })
}

#[test]
fn a_name_mismatch_says_which_names_the_certificate_has() {
    let s = seen(
        cert(&["isp-a", "127.77.0.100"], false),
        Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("wrong.test").expect("name"),
            presented: vec!["DnsName(\"isp-a\")".to_string()],
        }),
    );
    let f = failure(&s, None, String::new());
    assert_eq!(
        f,
        SecureFailure::CertificateName {
            expected: "wrong.test".to_string(),
            // From the certificate itself, addresses included (webpki's list is debug text).
            presented: vec!["isp-a".to_string(), "127.77.0.100".to_string()],
        }
    );
}

#[test]
fn an_expired_certificate_carries_its_end_date_from_the_certificate() {
    let s = seen(
        cert(&["old.test"], true),
        Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: UnixTime::now(),
            not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(2 * 86400)),
        }),
    );
    match failure(&s, None, String::new()) {
        SecureFailure::CertificateExpired { not_after, subject } => {
            assert_eq!(not_after, 2 * 86400);
            assert_eq!(subject, "CN=old.test");
        }
        other => panic!("expected expired, got {other:?}"),
    }
}

#[test]
fn an_unknown_issuer_is_named_from_the_presented_certificate() {
    let s = seen(
        cert(&["self.test"], false),
        Error::InvalidCertificate(CertificateError::UnknownIssuer),
    );
    assert_eq!(
        failure(&s, None, String::new()),
        SecureFailure::CertificateUnknownIssuer {
            issuer: "CN=self.test".to_string()
        }
    );
}

#[test]
fn alerts_and_other_handshake_errors_keep_their_kind() {
    let empty = Mutex::new(Seen::default());
    let alert = Error::AlertReceived(rustls::AlertDescription::NoApplicationProtocol);
    assert_eq!(
        failure(&empty, Some(&alert), String::new()),
        SecureFailure::TlsAlert {
            alert: "NoApplicationProtocol".to_string()
        }
    );
    assert!(matches!(
        failure(&empty, None, "reset".to_string()),
        SecureFailure::Handshake { reason } if reason == "reset"
    ));
}

#[test]
fn the_certificate_summary_lists_names_and_addresses() {
    let c = summary(&cert(&["ns1.shop.test", "127.77.0.40"], false)).expect("parses");
    assert_eq!(c.names, ["ns1.shop.test", "127.77.0.40"]);
    assert_eq!(c.subject, "CN=ns1.shop.test");
}

#[test]
fn an_answer_to_another_question_is_refused() {
    let name = parse_name("www.shop.test").expect("name");
    let other = parse_name("mail.shop.test").expect("name");
    let opts = QueryOptions::default();
    let query = build_query(&name, hickory_proto::rr::RecordType::A, &opts);
    let mut reply: Message = build_query(&other, hickory_proto::rr::RecordType::A, &opts);
    reply.metadata.message_type = MessageType::Response;
    let bytes = reply.to_vec().expect("encodes");
    let why = check_answer(&query, &bytes).expect_err("wrong question");
    assert!(why.contains("mail.shop.test"), "{why}");
    let mut right = query.clone();
    right.metadata.message_type = MessageType::Response;
    right.metadata.id = 0; // DoH and DoQ answers carry ID 0
    assert!(check_answer(&query, &right.to_vec().expect("encodes")).is_ok());
    assert!(check_answer(&query, b"\x00\x01garbage").is_err());
}

#[test]
fn ca_files_that_are_not_certificates_are_one_line_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.pem");
    let e = read_pem_certificates(&missing).expect_err("missing");
    assert!(e.to_string().contains("missing.pem"), "{e}");
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "hello\n").expect("write");
    let e = read_pem_certificates(&junk).expect_err("no certificate");
    assert!(e.reason.contains("no certificate"), "{e}");
    let broken = dir.path().join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .expect("write");
    assert!(read_pem_certificates(&broken).is_err());
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn each_way_has_its_protocol_and_port() {
    let tls = Via::Tls {
        name: "a".to_string(),
    };
    assert_eq!(tls.default_port(), 853);
    assert_eq!(tls.tls_name(), Some("a"));
    let doh = Via::Https {
        name: "a".to_string(),
        path: "/dns-query".to_string(),
        get: false,
    };
    assert_eq!(doh.default_port(), 443);
    assert_eq!(Via::Plain.tls_name(), None);
    assert_eq!(Via::Tcp.protocol(), crate::wire::Protocol::Tcp);
}

/// Without a single usable root (no system bundle, an empty --ca-file), nothing is trusted:
/// the verifier refuses instead of waving every certificate through; `--insecure` accepts and
/// still records what was presented.
#[test]
fn no_roots_means_no_certificate_is_trusted() {
    use rustls::client::danger::ServerCertVerifier;
    let der = cert(&["isp-a"], false);
    let name = ServerName::try_from("isp-a").expect("name");
    for (settings, accepted) in [
        (super::TlsSettings::default(), false),
        (
            super::TlsSettings {
                roots: vec![cert(&["some-ca"], false)],
                insecure: false,
            },
            false,
        ),
        (
            super::TlsSettings {
                roots: Vec::new(),
                insecure: true,
            },
            true,
        ),
    ] {
        let (recording, seen) = super::tls::Configs::new(&settings).recording();
        let verdict = recording.verify_server_cert(&der, &[], &name, &[], UnixTime::now());
        assert_eq!(verdict.is_ok(), accepted, "{settings:?}: {verdict:?}");
        let seen = seen.lock().expect("lock");
        assert!(seen.presented.is_some());
        if !accepted {
            assert!(matches!(
                seen.refused,
                Some(Error::InvalidCertificate(CertificateError::UnknownIssuer))
            ));
        }
        assert_eq!(
            seen.no_roots,
            settings.roots.is_empty() && !settings.insecure
        );
    }
}
