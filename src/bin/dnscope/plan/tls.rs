//! The encrypted transports' flags: `--tls-name` and `--https-get` applied to the servers
//! written with a scheme, and what to trust (`--ca-file`, the system's roots, `--insecure`).

use anyhow::{Result, anyhow, bail};
use dnscope::wire::TlsSettings;
use dnscope::wire::secure::{read_pem_certificates, system_roots};

use super::servers::{Scheme, ServerSpec};
use crate::cli::TlsFlags;

/// Apply the flags to the servers, and read what to trust.
///
/// # Errors
/// A flag given without any encrypted server, an unreadable or unparsable `--ca-file`, a
/// `--tls-name` TLS cannot check.
pub fn settings<'a>(
    flags: &TlsFlags,
    specs: impl IntoIterator<Item = &'a mut ServerSpec>,
) -> Result<TlsSettings> {
    let mut encrypted = 0;
    let mut https = 0;
    for spec in specs {
        let way = spec.way_mut();
        match &mut way.scheme {
            Scheme::Plain | Scheme::Udp | Scheme::Tcp => continue,
            Scheme::Https { get, .. } => {
                *get |= flags.https_get;
                https += 1;
            }
            Scheme::Tls | Scheme::Quic => {}
        }
        encrypted += 1;
        if way.tls_name.is_none() {
            way.tls_name.clone_from(&flags.tls_name);
        }
    }
    if let Some(name) = &flags.tls_name
        && rustls::pki_types::ServerName::try_from(name.as_str()).is_err()
    {
        bail!("--tls-name {name:?} is not a name TLS can check");
    }
    let given = [
        (flags.tls_name.is_some(), "--tls-name"),
        (flags.ca_file.is_some(), "--ca-file"),
        (flags.insecure, "--insecure"),
    ];
    if encrypted == 0
        && let Some((_, flag)) = given.iter().find(|(on, _)| *on)
    {
        bail!("{flag} is for encrypted servers: write them tls://, https://HOST/PATH or quic://");
    }
    if flags.https_get && https == 0 {
        bail!("--https-get is for DoH servers: write them https://HOST/PATH");
    }
    if encrypted == 0 {
        return Ok(TlsSettings::default());
    }
    let roots = match &flags.ca_file {
        Some(path) => read_pem_certificates(path).map_err(|e| anyhow!("--ca-file {e}"))?,
        None => system_roots(),
    };
    Ok(TlsSettings {
        roots,
        insecure: flags.insecure,
    })
}
