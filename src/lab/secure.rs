//! The lab's encrypted listeners: DoT, DoH and DoQ on the servers the manifest marks
//! `encrypted = true`, with certificates from a lab certificate authority made at start
//! (rcgen). hickory-server serves DoT and DoQ; DoH goes through our front (`lab/doh.rs`),
//! which answers GET and sends real HTTP errors. `--lab` runs trust that authority; `dnscope lab` writes it
//! to a file for kdig and friends.
//!
//! A server's `certificate` entry can break its certificate on purpose, for the classroom and
//! the tests: `expired` (validity ended yesterday) or `untrusted` (signed by an authority
//! nobody trusts).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_server::Server;
use hickory_server::server::RequestHandler;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::Deserialize;
use tokio::net::{TcpListener, UdpSocket};

use super::LabError;

/// How long an encrypted connection may sit idle (and a handshake take): long enough for
/// `compare --watch` to reuse it between rounds.
const IDLE: Duration = Duration::from_secs(60);

/// The DoH path the lab serves.
pub const DOH_PATH: &str = crate::wire::secure::DOH_PATH;

/// What a lab server's certificate is like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CertState {
    /// Signed by the lab CA, valid now, for the server's name and address.
    #[default]
    Valid,
    /// Signed by the lab CA, but its validity ended.
    Expired,
    /// Valid dates and names, but signed by an authority no client trusts.
    Untrusted,
}

/// The ports a lab server's encrypted listeners took (on its own address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SecurePorts {
    /// DNS over TLS (TCP).
    pub tls: u16,
    /// DNS over HTTPS (TCP), path [`DOH_PATH`].
    pub https: u16,
    /// DNS over QUIC (UDP).
    pub quic: u16,
    /// The certificate it presents.
    pub certificate: CertState,
}

/// The lab's certificate authorities: the one `--lab` trusts, and a rogue one for the
/// `untrusted` fixture.
pub(super) struct Authority {
    ca: CertifiedIssuer<'static, KeyPair>,
    rogue: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authority")
    }
}

fn cert_err(e: rcgen::Error) -> LabError {
    LabError::Net(format!("lab certificate: {e}"))
}

fn authority(name: &str) -> Result<CertifiedIssuer<'static, KeyPair>, LabError> {
    let key = KeyPair::generate().map_err(cert_err)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(cert_err)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "dnscope lab");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(30);
    CertifiedIssuer::self_signed(params, key).map_err(cert_err)
}

impl Authority {
    pub(super) fn new() -> Result<Self, LabError> {
        Ok(Self {
            ca: authority("dnscope lab CA")?,
            rogue: authority("rogue CA (not trusted)")?,
        })
    }

    /// The lab CA's certificate (DER), for `--lab` runs to trust.
    pub(super) fn ca_der(&self) -> CertificateDer<'static> {
        self.ca.der().clone()
    }

    /// The lab CA's certificate (PEM), for `dnscope lab` to write out.
    pub(super) fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    /// A server certificate for `name` and `ip`, as `state` says.
    fn leaf(
        &self,
        name: &str,
        ip: Ipv4Addr,
        state: CertState,
    ) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), LabError> {
        let key = KeyPair::generate().map_err(cert_err)?;
        let mut params =
            CertificateParams::new(vec![name.to_string(), ip.to_string()]).map_err(cert_err)?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let now = time::OffsetDateTime::now_utc();
        (params.not_before, params.not_after) = match state {
            CertState::Expired => (
                now - time::Duration::days(30),
                now - time::Duration::days(1),
            ),
            _ => (
                now - time::Duration::hours(1),
                now + time::Duration::days(7),
            ),
        };
        let issuer = match state {
            CertState::Untrusted => &self.rogue,
            _ => &self.ca,
        };
        let cert = params.signed_by(&key, issuer).map_err(cert_err)?;
        let chain = vec![cert.der().clone(), issuer.der().clone()];
        let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(key.serialize_der()));
        Ok((chain, key))
    }
}

fn server_config(
    chain: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
    alpn: &[u8],
    tls13_only: bool,
) -> Result<Arc<rustls::ServerConfig>, LabError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if tls13_only {
        &[&rustls::version::TLS13]
    } else {
        rustls::DEFAULT_VERSIONS
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .and_then(|b| {
            b.with_no_client_auth()
                .with_single_cert(chain.to_vec(), key.clone_key())
        })
        .map_err(|e| LabError::Net(format!("lab TLS config: {e}")))?;
    config.alpn_protocols = vec![alpn.to_vec()];
    Ok(Arc::new(config))
}

/// The ports to try for a lab on `port`: the usual ones shifted as the DNS port is (10053 →
/// 10853 and 10443), or any free port when the lab picked its port itself.
fn wanted(port: u16) -> (u16, u16) {
    match port.checked_sub(53) {
        Some(shift) if port != 0 => (
            shift.checked_add(853).unwrap_or(0),
            shift.checked_add(443).unwrap_or(0),
        ),
        _ => (0, 0),
    }
}

/// Open DoT, DoH and DoQ listeners for `server` on `ip` (its plain DNS is on `port`); the DoH
/// front runs in `tasks`.
pub(super) async fn listen<T: RequestHandler>(
    server: &mut Server<T>,
    authority: &Authority,
    name: &str,
    ip: Ipv4Addr,
    port: u16,
    state: CertState,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Result<SecurePorts, LabError> {
    let (chain, key) = authority.leaf(name, ip, state)?;
    let (tls_port, https_port) = wanted(port);
    let at = |p: u16| SocketAddr::new(IpAddr::V4(ip), p);
    let bind_err = |addr: SocketAddr| {
        move |e: std::io::Error| LabError::Bind {
            addr,
            reason: e.to_string(),
        }
    };
    let dot = TcpListener::bind(at(tls_port))
        .await
        .map_err(bind_err(at(tls_port)))?;
    let doh = TcpListener::bind(at(https_port))
        .await
        .map_err(bind_err(at(https_port)))?;
    let tls = local_port(dot.local_addr(), at(tls_port))?;
    // DoQ on the DoT port number, over UDP, as RFC 9250 §4.1.1 does with 853.
    let doq = UdpSocket::bind(at(tls)).await.map_err(bind_err(at(tls)))?;
    let https = local_port(doh.local_addr(), at(https_port))?;
    let io = |e: std::io::Error| LabError::Net(format!("lab encrypted listener: {e}"));
    server
        .register_tls_listener_with_tls_config(
            dot,
            IDLE,
            server_config(&chain, &key, b"dot", false)?,
        )
        .map_err(io)?;
    // DoH through our own front (GET, POST, real HTTP errors), relaying to the server's TCP.
    tasks.spawn(super::doh::serve(
        doh,
        server_config(&chain, &key, b"h2", false)?,
        at(port),
        IDLE,
    ));
    server
        .register_quic_listener_and_tls_config(
            doq,
            IDLE,
            server_config(&chain, &key, b"doq", true)?,
        )
        .map_err(|e| LabError::Net(format!("lab DoQ listener: {e}")))?;
    Ok(SecurePorts {
        tls,
        https,
        quic: tls,
        certificate: state,
    })
}

fn local_port(addr: std::io::Result<SocketAddr>, wanted: SocketAddr) -> Result<u16, LabError> {
    addr.map(|a| a.port()).map_err(|e| LabError::Bind {
        addr: wanted,
        reason: e.to_string(),
    })
}
