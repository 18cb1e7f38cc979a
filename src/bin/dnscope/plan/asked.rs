//! Who `compare` asks (resolvers, authoritative servers, where the discovery trace starts)
//! and how patiently: shared by one name and many.

use anyhow::{Result, bail};

use super::{Start, args, lab_config, servers, tls};
use crate::cli::CompareArgs;
use dnscope::wire::QueryOptions;

use super::servers::ServerSpec;

/// Who `compare` asks, and how patiently: shared by one name and many.
#[derive(Debug)]
pub struct CompareServers {
    /// `(label, server)`, in the order given.
    pub resolvers: Vec<(String, ServerSpec)>,
    /// `--auth`: authoritative servers given instead of found.
    pub auth: Vec<ServerSpec>,
    /// Where the discovery trace starts.
    pub start: Start,
    pub query: QueryOptions,
    /// What encrypted servers are checked against.
    pub tls: dnscope::wire::TlsSettings,
}

pub(super) fn compare_servers(a: &CompareArgs) -> Result<CompareServers> {
    let lab = lab_config(&a.lab);
    let mut resolvers =
        servers::resolver_list(&a.resolvers, a.resolvers_file.as_deref(), a.public)?;
    if a.public && lab.is_some() {
        bail!("--public asks resolvers on the Internet; it does not mix with --lab");
    }
    let mut auth = Vec::new();
    for s in &a.auth {
        auth.push(servers::flag_spec("--auth", s)?);
    }
    let tls = tls::settings(
        &a.tls,
        resolvers.iter_mut().map(|(_, s)| s).chain(auth.iter_mut()),
    )?;
    Ok(CompareServers {
        tls,
        resolvers,
        auth,
        start: Start::from_flags(&a.start, lab)?,
        query: QueryOptions {
            timeout: args::duration(&a.timeout)?,
            retries: a.retries,
            ..QueryOptions::default()
        },
    })
}
