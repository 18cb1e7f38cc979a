//! TLS for the encrypted transports: the trust roots, a certificate verifier that records
//! what the server presented (and why it was refused), and the rustls errors turned into
//! typed failures. rustls does the TLS; nothing here is hand-written cryptography.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::{Certificate, SecureFailure};

/// Where systems keep their trust roots, in the order tried (after `SSL_CERT_FILE`, as
/// OpenSSL reads it): Debian/Ubuntu, Fedora/RHEL, openSUSE, Alpine/macOS/BSD.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// What to trust when a server presents its certificate.
#[derive(Debug, Clone, Default)]
pub struct TlsSettings {
    /// Trusted certificate authorities. Empty and not `insecure`: nothing is trusted.
    pub roots: Vec<CertificateDer<'static>>,
    /// Skip verification (`--insecure`): the certificate is still read and shown.
    pub insecure: bool,
}

/// Why a certificate file could not be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct CaFileError {
    /// The file.
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Read every certificate of a PEM file.
///
/// # Errors
/// [`CaFileError`] when the file cannot be read, is not PEM or holds no certificate.
pub fn read_pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    let err = |reason: String| CaFileError {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let mut certs = Vec::new();
    for item in CertificateDer::pem_slice_iter(&bytes) {
        let der = item.map_err(|e| err(format!("not a PEM certificate file ({e})")))?;
        if x509_parser::parse_x509_certificate(der.as_ref()).is_err() {
            return Err(err(
                "a certificate in it does not parse as X.509".to_string()
            ));
        }
        certs.push(der);
    }
    if certs.is_empty() {
        return Err(err(
            "no certificate in it (expected PEM \"BEGIN CERTIFICATE\" blocks)".to_string(),
        ));
    }
    Ok(certs)
}

/// The system's trust roots: the first bundle that can be read (`SSL_CERT_FILE`, else the
/// usual places), each certificate taken on its own (one that does not parse is skipped, not
/// the whole bundle). None when there is no bundle: every verification then fails with "no
/// trusted authority loaded", never passes.
pub fn system_roots() -> Vec<CertificateDer<'static>> {
    let env = std::env::var_os("SSL_CERT_FILE").map(std::path::PathBuf::from);
    let candidates = env
        .into_iter()
        .chain(SYSTEM_BUNDLES.iter().map(std::path::PathBuf::from));
    for path in candidates {
        if let Ok(bytes) = std::fs::read(&path) {
            return CertificateDer::pem_slice_iter(&bytes)
                .filter_map(Result::ok)
                .collect();
        }
    }
    Vec::new()
}

/// The crypto provider of every config: ring, named explicitly (rustls panics when it has to
/// guess between two compiled-in providers).
pub(super) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// What one handshake's verifier saw.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// The end-entity certificate the server presented.
    pub(super) presented: Option<CertificateDer<'static>>,
    /// Why verification refused it.
    pub(super) refused: Option<rustls::Error>,
    /// It was refused because nothing is trusted at all.
    pub(super) no_roots: bool,
}

/// How certificates are judged.
#[derive(Debug, Clone)]
enum Check {
    /// The standard WebPKI verifier over the trusted roots.
    WebPki(Arc<WebPkiServerVerifier>),
    /// `--insecure`: any certificate (the handshake signature is still checked).
    Nothing,
    /// No usable root: nothing can be trusted, every certificate is refused.
    NoRoots,
}

/// A verifier that records the server's certificate and the verdict, then lets the standard
/// WebPKI verifier decide (or, with `--insecure`, accepts any certificate whose handshake
/// signature is still checked).
#[derive(Debug)]
pub(super) struct Recording {
    check: Check,
    provider: Arc<CryptoProvider>,
    pub(super) seen: Arc<Mutex<Seen>>,
}

/// Builds one client config per connection, each with its own [`Recording`] verifier.
#[derive(Debug, Clone)]
pub(super) struct Configs {
    check: Check,
    provider: Arc<CryptoProvider>,
    /// `--insecure`: certificates are not checked.
    pub(super) insecure: bool,
}

impl Configs {
    pub(super) fn new(settings: &TlsSettings) -> Self {
        let provider = provider();
        let mut store = RootCertStore::empty();
        for root in &settings.roots {
            // A root rustls cannot use (e.g. an old v1 certificate) is skipped, as OpenSSL does.
            let _ = store.add(root.clone());
        }
        let check = if settings.insecure {
            Check::Nothing
        } else if store.is_empty() {
            Check::NoRoots
        } else {
            WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
                .build()
                .map_or(Check::NoRoots, Check::WebPki)
        };
        Self {
            check,
            provider,
            insecure: settings.insecure,
        }
    }

    /// A fresh verifier, and the slot it fills in.
    pub(super) fn recording(&self) -> (Recording, Arc<Mutex<Seen>>) {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let recording = Recording {
            check: self.check.clone(),
            provider: self.provider.clone(),
            seen: seen.clone(),
        };
        (recording, seen)
    }

    /// A client config offering `alpn`, and the slot its verifier fills in.
    pub(super) fn client(
        &self,
        alpn: &[u8],
        tls13_only: bool,
    ) -> Result<(rustls::ClientConfig, Arc<Mutex<Seen>>), SecureFailure> {
        let (recording, seen) = self.recording();
        let versions: &[&rustls::SupportedProtocolVersion] = if tls13_only {
            &[&rustls::version::TLS13]
        } else {
            rustls::DEFAULT_VERSIONS
        };
        let mut config = rustls::ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(versions)
            .map_err(|e| SecureFailure::Handshake {
                reason: e.to_string(),
            })?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(recording))
            .with_no_client_auth();
        config.alpn_protocols = vec![alpn.to_vec()];
        // Every connection is a full handshake: a resumed one presents no certificate to show.
        config.resumption = rustls::client::Resumption::disabled();
        Ok((config, seen))
    }
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = match &self.check {
            Check::WebPki(inner) => {
                inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            Check::Nothing => Ok(ServerCertVerified::assertion()),
            Check::NoRoots => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        };
        if let Ok(mut seen) = self.seen.lock() {
            seen.presented = Some(end_entity.clone().into_owned());
            seen.refused = verdict.as_ref().err().cloned();
            seen.no_roots = matches!(self.check, Check::NoRoots);
        }
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Subject, issuer, validity and names of a DER certificate.
pub(super) fn summary(der: &CertificateDer<'_>) -> Option<Certificate> {
    let (_, x) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = x.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                x509_parser::extensions::GeneralName::DNSName(d) => names.push((*d).to_string()),
                x509_parser::extensions::GeneralName::IPAddress(b) => {
                    if let Ok(a) = <[u8; 4]>::try_from(*b) {
                        names.push(std::net::Ipv4Addr::from(a).to_string());
                    } else if let Ok(a) = <[u8; 16]>::try_from(*b) {
                        names.push(std::net::Ipv6Addr::from(a).to_string());
                    }
                }
                _ => {}
            }
        }
    }
    Some(Certificate {
        subject: x.subject().to_string(),
        issuer: x.issuer().to_string(),
        not_before: x.validity().not_before.timestamp(),
        not_after: x.validity().not_after.timestamp(),
        names,
    })
}

/// A handshake that failed, in our terms: the verifier's verdict first (it is typed even
/// where the TLS stack only has an alert or a string), then rustls' own error.
pub(super) fn failure(
    seen: &Mutex<Seen>,
    error: Option<&rustls::Error>,
    fallback: String,
) -> SecureFailure {
    let (presented, refused, no_roots) = match seen.lock() {
        Ok(s) => (
            s.presented.as_ref().and_then(summary),
            s.refused.clone(),
            s.no_roots,
        ),
        Err(_) => (None, None, false),
    };
    if no_roots {
        return SecureFailure::NoTrustRoots;
    }
    if let Some(rustls::Error::InvalidCertificate(c)) = refused.as_ref().or(error) {
        return certificate_failure(c, presented);
    }
    match error {
        Some(rustls::Error::AlertReceived(alert)) => SecureFailure::TlsAlert {
            alert: format!("{alert:?}"),
        },
        Some(rustls::Error::NoApplicationProtocol) => SecureFailure::TlsAlert {
            alert: "NoApplicationProtocol".to_string(),
        },
        Some(e) => SecureFailure::Handshake {
            reason: e.to_string(),
        },
        None => SecureFailure::Handshake { reason: fallback },
    }
}

fn certificate_failure(c: &CertificateError, presented: Option<Certificate>) -> SecureFailure {
    let cert = presented.clone().unwrap_or_default();
    match c {
        CertificateError::NotValidForName => SecureFailure::CertificateName {
            expected: String::new(),
            presented: cert.names,
        },
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => SecureFailure::CertificateName {
            expected: server_name_text(expected),
            // The names as the certificate says them (webpki's are debug strings).
            presented: if cert.names.is_empty() {
                presented.clone()
            } else {
                cert.names
            },
        },
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            SecureFailure::CertificateExpired {
                not_after: cert.not_after,
                subject: cert.subject,
            }
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            SecureFailure::CertificateNotYetValid {
                not_before: cert.not_before,
            }
        }
        CertificateError::UnknownIssuer => SecureFailure::CertificateUnknownIssuer {
            issuer: cert.issuer,
        },
        other => SecureFailure::CertificateInvalid {
            reason: format!("{other:?}"),
        },
    }
}

fn server_name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        _ => String::new(),
    }
}

/// The rustls error inside an I/O error from tokio-rustls, if that is what it is.
pub(super) fn rustls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    e.get_ref()?.downcast_ref::<rustls::Error>()
}

/// The name a TLS client sends and checks: a DNS name, or an address when that is all we
/// have.
pub(super) fn server_name(name: &str) -> Result<ServerName<'static>, SecureFailure> {
    ServerName::try_from(name.to_string()).map_err(|_| SecureFailure::Handshake {
        reason: format!("{name:?} is not a name or address TLS can check"),
    })
}
