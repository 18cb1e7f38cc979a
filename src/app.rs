//! Running a command: plan → (lab) → engine → render. The only place that joins them.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::anyhow;
use dnscope::compare;
use dnscope::exit;
use dnscope::lab::{Lab, LabConfig, LabSource, ServerKind};
use dnscope::query::{self, QueryPlan, Target, TargetSource};
use dnscope::system;
use dnscope::trace;
use dnscope::wire::{LoopbackOnly, NetTransport, Transport, loopback_only_from_env};

use crate::cli::plan::{self, ServerSpec};
use crate::cli::{Cli, Command, CompareArgs, LabArgs, QueryArgs, TraceArgs};
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
        Command::Compare(args) => compare(args, &cli, &pal).await,
        Command::Lab(args) => lab(args, &cli, &pal).await,
        Command::Explain { topic } => explain(topic.as_deref(), &cli, &pal),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            emit(|out| {
                clap_complete::generate(*shell, &mut command, "dnscope", out);
                Ok(())
            })?;
            Ok(exit::OK)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            emit(|out| clap_mangen::Man::new(command).render(out))?;
            Ok(exit::OK)
        }
    }
}

fn explain(topic: Option<&str>, cli: &Cli, pal: &Palette) -> Result<u8, Failure> {
    use dnscope::explain;
    let Some(topic) = topic else {
        emit(|out| render::explain::list(out, pal))?;
        return Ok(exit::OK);
    };
    if let Some(doc) = explain::type_doc(topic) {
        emit(|out| {
            if cli.json {
                json_line(out, &render::json::type_doc(doc))
            } else {
                render::explain::record_type(out, doc, pal)
            }
        })?;
        return Ok(exit::OK);
    }
    if let Some(doc) = explain::concept(topic) {
        emit(|out| {
            if cli.json {
                json_line(out, &render::json::concept_doc(doc))
            } else {
                render::explain::concept(out, doc, pal)
            }
        })?;
        return Ok(exit::OK);
    }
    Err(Failure::new(
        exit::USAGE,
        anyhow!(
            "nothing to explain about {topic:?}: `dnscope explain` lists the record types and concepts"
        ),
    ))
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
        spec.options.start_at_lab(lab);
        spec.options.port = spec.port.unwrap_or(lab.port());
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
    match args.format {
        crate::cli::TraceFormat::Dot if !cli.json => {
            emit(|out| out.write_all(render::dot::render(&result).as_bytes()))?;
        }
        crate::cli::TraceFormat::Svg if !cli.json => {
            let svg = graphviz(&render::dot::render(&result))?;
            emit(|out| out.write_all(&svg))?;
        }
        _ => emit(|out| {
            if cli.json {
                json_line(out, &render::json::trace(&result))
            } else {
                render::trace::render(out, &result, pal, cli.verbose, cli.explain)
            }
        })?,
    }
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
            render::query::render(out, &report, pal, cli.verbose, cli.explain)
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

async fn compare(args: &CompareArgs, cli: &Cli, pal: &Palette) -> Result<u8, Failure> {
    let mut spec = plan::compare(args).map_err(|e| Failure::new(exit::USAGE, e))?;
    let lab = match &spec.lab {
        Some(config) => Some(Arc::new(start_lab(config).await?)),
        None => None,
    };
    let transport = transport(lab.is_some());
    if let Some(lab) = &lab {
        spec.trace.start_at_lab(lab);
        spec.trace.port = spec.port.unwrap_or(lab.port());
    }
    let default_port = spec.port.or(lab.as_ref().map(|l| l.port())).unwrap_or(53);
    let played = match (spec.scenario, &lab) {
        (Some(scenario), Some(lab)) => Some(
            dnscope::lab::scenario::play(lab, transport.clone(), scenario)
                .await
                .map_err(|e| Failure::new(exit::LAB, anyhow!("lab: {e}")))?,
        ),
        _ => None,
    };
    let (name, rtype) = match (&played, &spec.name) {
        (Some(p), _) => (p.name.clone(), p.rtype),
        (None, Some(n)) => (n.clone(), spec.rtype),
        (None, None) => return Err(Failure::new(exit::USAGE, anyhow!("no name given"))),
    };

    // Resolvers: as given, else the lab's, else the system's.
    let mut servers: Vec<compare::Server> = Vec::new();
    for (label, server) in &spec.resolvers {
        let t = target(server, lab.as_deref(), default_port).await?;
        servers.push(compare::Server {
            label: if label.contains('=') || t.label != *label {
                label.clone()
            } else {
                t.label
            },
            addr: t.addr,
            kind: compare::Kind::Resolver,
        });
    }
    if spec.resolvers.is_empty() {
        match &lab {
            Some(lab) => {
                for s in lab
                    .servers()
                    .iter()
                    .filter(|s| s.kind == ServerKind::Resolver)
                {
                    servers.push(compare::Server {
                        label: s.name.to_string().trim_end_matches('.').to_string(),
                        addr: lab.addr(s),
                        kind: compare::Kind::Resolver,
                    });
                }
            }
            None => {
                let path = system::resolv_conf_path();
                let found = system::resolvers(&path).map_err(|e| Failure::new(exit::USAGE, e))?;
                for addr in found {
                    servers.push(compare::Server {
                        label: addr.ip().to_string(),
                        addr: SocketAddr::new(addr.ip(), spec.port.unwrap_or(53)),
                        kind: compare::Kind::Resolver,
                    });
                }
            }
        }
    }

    // Authoritative servers: as given, else found by a trace.
    let mut discovery = None;
    let mut discovery_error = None;
    let zone = if spec.auth.is_empty() {
        match compare::discover(transport.clone(), &spec.trace, &name, rtype).await {
            Ok(d) => {
                servers.extend(d.servers.iter().cloned());
                let zone = d.zone.clone();
                discovery = Some(d);
                Some(zone)
            }
            Err(e) => {
                discovery_error = Some(e.to_string());
                None
            }
        }
    } else {
        let mut first = None;
        for a in &spec.auth {
            let t = target(a, lab.as_deref(), default_port).await?;
            first.get_or_insert(t.addr);
            servers.push(compare::Server {
                label: t.label,
                addr: t.addr,
                kind: compare::Kind::Authoritative,
            });
        }
        match first {
            Some(addr) => compare::zone_of(&transport, addr, &name, &spec.query).await,
            None => None,
        }
    };

    let started = std::time::Instant::now();
    let mut round = 0u32;
    let code = loop {
        round += 1;
        let asked = std::time::Instant::now();
        let observations = compare::observe(
            transport.clone(),
            &servers,
            &name,
            rtype,
            zone.as_ref(),
            &spec.query,
        )
        .await;
        let elapsed = asked.elapsed();
        let comparison = compare::analyze(&name, rtype, &observations);
        let context = render::compare::Context {
            explain: cli.explain,
            discovery: discovery.as_ref(),
            discovery_error: discovery_error.as_deref(),
            zone: zone.as_ref(),
            played: played.as_ref(),
            elapsed,
            round: spec.watch.map(|_| round),
        };
        let replied = comparison.servers.iter().any(|s| s.rcode.is_some());
        let code = if comparison.consistent {
            exit::OK
        } else if !replied {
            exit::NO_REPLY
        } else {
            exit::FAILED
        };
        // Waiting only helps while something will expire by itself: a cached copy or a
        // secondary behind its primary. A dead server or a conflict needs a person.
        let waiting_helps = comparison
            .servers
            .iter()
            .any(|s| s.status == compare::Status::Stale);
        let next = match spec.watch {
            Some(every)
                if code == exit::FAILED
                    && waiting_helps
                    && started.elapsed() + every <= spec.watch_limit =>
            {
                Some(every)
            }
            _ => None,
        };
        emit(|out| {
            if cli.json {
                let doc = render::json::compare(&comparison, &context);
                if spec.watch.is_some() {
                    serde_json::to_writer(&mut *out, &doc).map_err(std::io::Error::other)?;
                    writeln!(out)
                } else {
                    json_line(out, &doc)
                }
            } else {
                render::compare::render(out, &comparison, &context, pal, next)
            }
        })?;
        match next {
            Some(every) => tokio::time::sleep(every).await,
            None => break code,
        }
    };
    if let Some(lab) = lab
        && let Ok(lab) = Arc::try_unwrap(lab)
    {
        lab.stop().await;
    }
    Ok(code)
}

async fn lab(args: &LabArgs, cli: &Cli, pal: &Palette) -> Result<u8, Failure> {
    let config = LabConfig {
        source: args.lab_dir.clone().map(LabSource::Dir).unwrap_or_default(),
        net: args.net,
        port: args.port,
    };
    if let Some(crate::cli::LabAction::Exercises { number, solution }) = &args.action {
        return exercises(*number, *solution, config, pal).await;
    }
    let lab = Arc::new(start_lab(&config).await?);
    emit(|out| {
        if cli.json {
            json_line(out, &render::json::lab(&lab))
        } else {
            render::lab::render(out, &lab, pal)?;
            writeln!(out)?;
            writeln!(out, "{}", crate::control::HELP)
        }
    })?;
    eprintln!(
        "dnscope: lab running on port {}; press Ctrl-C to stop",
        lab.port()
    );
    // Control commands on standard input (see `control.rs`). The read blocks, so it runs on a
    // thread of its own that cannot hold up the exit; EOF simply ends it.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    let reader_lab = lab.clone();
    let reader = tokio::spawn(async move {
        while let Some(line) = rx.recv().await {
            let answer = crate::control::run(&reader_lab, &line).await;
            if !answer.is_empty() {
                println!("{answer}");
            }
        }
    });
    wait_for_stop().await;
    reader.abort();
    let _ = reader.await;
    if let Ok(lab) = Arc::try_unwrap(lab) {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), lab.stop()).await;
    }
    Ok(exit::OK)
}

async fn exercises(
    number: Option<usize>,
    solution: bool,
    mut config: LabConfig,
    pal: &Palette,
) -> Result<u8, Failure> {
    use dnscope::exercises::{EXERCISES, solve};
    let Some(n) = number else {
        emit(|out| render::exercises::list(out, pal))?;
        return Ok(exit::OK);
    };
    let Some(exercise) = n.checked_sub(1).and_then(|i| EXERCISES.get(i)) else {
        return Err(Failure::new(
            exit::USAGE,
            anyhow!(
                "there is no exercise {n}: `dnscope lab exercises` lists 1 to {}",
                EXERCISES.len()
            ),
        ));
    };
    let answer = if solution {
        // The solution comes from the lab as it is now, on a port of its own.
        config.port = Some(0);
        let lab = Arc::new(start_lab(&config).await?);
        let lines = solve(n, &lab, transport(true)).await;
        Some(lines.map_err(|e| Failure::new(exit::LAB, anyhow!("exercise {n}: {e}")))?)
    } else {
        None
    };
    emit(|out| render::exercises::one(out, n, exercise, answer.as_deref(), pal))?;
    Ok(exit::OK)
}

/// Render DOT to SVG with Graphviz's `dot`, which must be installed.
fn graphviz(dot: &str) -> Result<Vec<u8>, Failure> {
    use std::process::{Command, Stdio};
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Failure::new(
                exit::USAGE,
                anyhow!("--format svg needs Graphviz's `dot` (apt-get install graphviz): {e}; --format dot prints the graph itself"),
            )
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(dot.as_bytes())
            .map_err(|e| Failure::new(exit::INTERNAL, anyhow!("writing to dot: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| Failure::new(exit::INTERNAL, anyhow!("running dot: {e}")))?;
    if !out.status.success() {
        return Err(Failure::new(
            exit::INTERNAL,
            anyhow!(
                "dot failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok(out.stdout)
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
