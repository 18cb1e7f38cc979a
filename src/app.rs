//! Running a command: plan → (lab) → engine → render. The only place that joins them.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::anyhow;
use dnscope::exit;
use dnscope::lab::{Lab, LabConfig, LabSource};
use dnscope::query::{self, QueryPlan, Target, TargetSource};
use dnscope::system;
use dnscope::trace::{self, RootServer};
use dnscope::wire::{LoopbackOnly, NetTransport, Transport, loopback_only_from_env};

use crate::cli::plan::{self, ServerSpec};
use crate::cli::{Cli, Command, LabArgs, QueryArgs, TraceArgs};
use crate::render::{self, Palette};

/// An error with the exit code it maps to.
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    fn new(code: u8, error: impl Into<anyhow::Error>) -> Self {
        Self {
            code,
            error: error.into(),
        }
    }
}

pub async fn run(cli: Cli) -> Result<u8, Failure> {
    let pal = Palette::decide(cli.color);
    match &cli.command {
        Command::Query(args) => query(args, &cli, &pal).await,
        Command::Trace(args) => trace(args, &cli, &pal).await,
        Command::Lab(args) => lab(args, &cli, &pal).await,
    }
}

/// The transport for a run: loopback only with the lab (a stray glue record or CNAME must
/// never send a packet off the machine) or when DNSCOPE_LOOPBACK_ONLY is set.
fn transport(lab: bool) -> Arc<dyn Transport> {
    if lab || loopback_only_from_env() {
        Arc::new(LoopbackOnly(NetTransport))
    } else {
        Arc::new(NetTransport)
    }
}

async fn trace(args: &TraceArgs, cli: &Cli, pal: &Palette) -> Result<u8, Failure> {
    let mut spec = plan::trace(args).map_err(|e| Failure::new(exit::USAGE, e))?;
    let lab = match &spec.lab {
        Some(config) => Some(start_lab(config).await?),
        None => None,
    };
    if let Some(lab) = &lab {
        spec.options.port = spec.port.unwrap_or(lab.port());
        spec.options.roots = lab
            .root_servers()
            .iter()
            .map(|s| RootServer {
                name: Some(s.name.clone()),
                addr: lab.addr(s),
            })
            .collect();
    }
    let result = trace::run(
        transport(lab.is_some()),
        spec.options,
        spec.name,
        spec.rtype,
    )
    .await;
    if let Some(lab) = lab {
        lab.stop().await;
    }
    emit(|out| {
        if cli.json {
            json_line(out, &render::json::trace(&result))
        } else {
            render::trace::render(out, &result, pal, cli.verbose)
        }
    })?;
    Ok(match &result.end {
        trace::End::Answer | trace::End::NxDomain(_) | trace::End::NoData(_) => exit::OK,
        trace::End::Limit { .. } => exit::LIMIT,
        trace::End::Failed {
            failure: trace::Failure::NoReply,
            ..
        } => exit::NO_REPLY,
        trace::End::Failed { .. } => exit::FAILED,
    })
}

async fn start_lab(config: &LabConfig) -> Result<Lab, Failure> {
    Lab::start(config)
        .await
        .map_err(|e| Failure::new(exit::LAB, anyhow!("lab: {e}")))
}

async fn query(args: &QueryArgs, cli: &Cli, pal: &Palette) -> Result<u8, Failure> {
    let spec = plan::query(args).map_err(|e| Failure::new(exit::USAGE, e))?;
    let lab = match &spec.lab {
        Some(config) => Some(start_lab(config).await?),
        None => None,
    };
    let default_port = spec.port.or(lab.as_ref().map(Lab::port)).unwrap_or(53);
    let mut targets = Vec::new();
    for server in &spec.servers {
        targets.push(target(server, lab.as_ref(), default_port).await?);
    }
    if targets.is_empty() {
        match &lab {
            Some(lab) => {
                let (_zone, servers) = lab
                    .authoritative_for(&spec.name)
                    .ok_or_else(|| Failure::new(exit::LAB, anyhow!("lab: no root zone")))?;
                let server = servers
                    .first()
                    .ok_or_else(|| Failure::new(exit::LAB, anyhow!("lab: no server")))?;
                targets.push(Target {
                    label: server.name.to_string(),
                    addr: lab.addr(server),
                    source: TargetSource::Lab,
                });
            }
            None => {
                let path = system::resolv_conf_path();
                let found = system::resolvers(&path).map_err(|e| Failure::new(exit::USAGE, e))?;
                for addr in found {
                    let addr = SocketAddr::new(addr.ip(), spec.port.unwrap_or(53));
                    targets.push(Target {
                        label: addr.ip().to_string(),
                        addr,
                        source: TargetSource::System,
                    });
                }
            }
        }
    }
    let plan = QueryPlan {
        name: spec.name,
        rtype: spec.rtype,
        targets,
        options: spec.options,
    };
    let report = query::run(transport(lab.is_some()), &plan).await;
    if let Some(lab) = lab {
        lab.stop().await;
    }
    emit(|out| {
        if cli.json {
            json_line(out, &render::json::query(&report))
        } else {
            render::query::render(out, &report, pal, cli.verbose)
        }
    })?;
    let replied = report.replied();
    Ok(if replied == report.outcomes.len() {
        exit::OK
    } else if replied == 0 {
        exit::NO_REPLY
    } else {
        exit::FAILED
    })
}

/// Turn an `@SERVER` into an address: lab servers by name, others by the system's lookup.
async fn target(
    spec: &ServerSpec,
    lab: Option<&Lab>,
    default_port: u16,
) -> Result<Target, Failure> {
    match spec {
        ServerSpec::Addr { ip, port, text } => Ok(Target {
            label: lab
                .and_then(|l| l.find(&ip.to_string()))
                .map(|s| s.name.to_string())
                .unwrap_or_else(|| text.clone()),
            addr: SocketAddr::new(*ip, port.unwrap_or(default_port)),
            source: TargetSource::User,
        }),
        ServerSpec::Host { name, port, text } => {
            if let Some(lab) = lab {
                let server = lab.find(name).ok_or_else(|| {
                    Failure::new(
                        exit::USAGE,
                        anyhow!("server @{text}: no lab server has that name (see `dnscope lab`)"),
                    )
                })?;
                let mut addr = lab.addr(server);
                if let Some(p) = port {
                    addr.set_port(*p);
                }
                return Ok(Target {
                    label: server.name.to_string(),
                    addr,
                    source: TargetSource::User,
                });
            }
            let port = port.unwrap_or(default_port);
            let mut found = tokio::net::lookup_host((name.as_str(), port))
                .await
                .map_err(|e| Failure::new(exit::USAGE, anyhow!("server @{text}: {e}")))?;
            let addr = found.next().ok_or_else(|| {
                Failure::new(
                    exit::USAGE,
                    anyhow!("server @{text}: the name has no address"),
                )
            })?;
            Ok(Target {
                label: name.clone(),
                addr,
                source: TargetSource::User,
            })
        }
    }
}

async fn lab(args: &LabArgs, cli: &Cli, pal: &Palette) -> Result<u8, Failure> {
    let config = LabConfig {
        source: args.lab_dir.clone().map(LabSource::Dir).unwrap_or_default(),
        net: args.net,
        port: args.port,
    };
    let lab = start_lab(&config).await?;
    emit(|out| {
        if cli.json {
            json_line(out, &render::json::lab(&lab))
        } else {
            render::lab::render(out, &lab, pal)
        }
    })?;
    eprintln!(
        "dnscope: lab running on port {}; press Ctrl-C to stop",
        lab.port()
    );
    wait_for_stop().await;
    lab.stop().await;
    Ok(exit::OK)
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn json_line(out: &mut dyn Write, doc: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc).map_err(std::io::Error::other)?;
    writeln!(out)
}

/// Write to stdout through `f`; a closed pipe (`| head`) ends quietly, as Unix tools do.
fn emit(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let result = f(&mut lock).and_then(|()| lock.flush());
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(exit::INTERNAL, anyhow!("writing output: {e}"))),
    }
}
