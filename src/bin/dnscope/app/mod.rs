//! Running a plan: (lab) → resolve servers → engine → render → exit code. One file per
//! command; this one dispatches and holds what they share (the lab, the transport, errors).

mod batch;
mod compare;
mod lab;
mod live;
mod query;
mod teach;
mod trace;

use std::sync::Arc;

use anyhow::anyhow;
use dnscope::exit;
use dnscope::lab::{Lab, LabConfig};
use dnscope::wire::{
    LoopbackOnly, NetTransport, Secure, TlsSettings, Transport, loopback_only_from_env,
};

use crate::cli::Cli;
use crate::plan::{Job, Plan};

/// An error with the exit code it maps to.
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn new(code: u8, error: impl Into<anyhow::Error>) -> Self {
        Self {
            code,
            error: error.into(),
        }
    }
}

/// Validate the command line and run it; the exit code on success.
///
/// # Errors
/// [`Failure`] with the exit code for bad input, a lab that cannot start, a broken output.
pub async fn run(cli: Cli) -> Result<u8, Failure> {
    let plan = Plan::from_cli(&cli).map_err(|e| Failure::new(exit::USAGE, e))?;
    let out = plan.output;
    crate::output::set_ascii(out.ascii && !out.json);
    for note in &plan.notes {
        crate::output::note(note);
    }
    match plan.job {
        Job::Query(job) => query::run(job, out).await,
        Job::Trace(job) => trace::run(job, out).await,
        Job::Compare(job) => compare::run(job, out).await,
        Job::CompareBatch(job) => batch::compare(job, out).await,
        Job::TraceBatch(job) => batch::trace(job, out).await,
        Job::Lab(config) => lab::run(config, out).await,
        Job::Exercises {
            lab,
            number,
            solution,
        } => teach::exercises(lab, number, solution, out).await,
        Job::Explain(topic) => teach::explain(topic.as_deref(), out),
        Job::Completions(shell) => teach::completions(shell),
        Job::Man(sub) => teach::man(sub.as_deref()),
    }
}

/// Start the lab a plan asks for.
async fn start_lab(config: Option<&LabConfig>) -> Result<Option<Arc<Lab>>, Failure> {
    match config {
        Some(c) => Lab::start(c)
            .await
            .map(|lab| Some(Arc::new(lab)))
            .map_err(|e| Failure::new(exit::LAB, anyhow!("lab: {e}"))),
        None => Ok(None),
    }
}

/// Stop the lab once nothing else holds it.
async fn stop_lab(lab: Option<Arc<Lab>>) {
    if let Some(lab) = lab
        && let Ok(lab) = Arc::try_unwrap(lab)
    {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), lab.stop()).await;
    }
}

/// The transport for a run: loopback only with the lab (a stray glue record or CNAME must
/// never send a packet off the machine) or when DNSCOPE_LOOPBACK_ONLY is set.
/// Encrypted servers are checked against `tls`, plus the lab's CA in a lab run.
fn transport(lab: Option<&Lab>, tls: &TlsSettings) -> Arc<dyn Transport> {
    let mut tls = tls.clone();
    if let Some(lab) = lab {
        tls.roots.push(lab.ca_der());
    }
    let secure = Secure::new(NetTransport, &tls);
    if lab.is_some() || loopback_only_from_env() {
        Arc::new(LoopbackOnly(secure))
    } else {
        Arc::new(secure)
    }
}
