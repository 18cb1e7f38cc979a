//! From what the user typed to a complete, validated plan (ripgrep's low-args → high-args
//! step). Everything that can be checked without the network is checked here, once, with
//! one-line errors; nothing past this module sees a clap type.
//!
//! A plan is complete except for what only a running lab or the system can tell: the lab's
//! port and root servers, lab server names, host names and resolv.conf. Those are resolved
//! in one step each ([`Start::options`], [`servers::resolve`]) right after the lab starts.
//!
//! - `args.rs`: names, types, `-x`, durations;
//! - `servers.rs`: `@SERVER` / `LABEL=ADDR` syntax, and turning it into targets;
//! - `start.rs`: where a trace starts (the lab, a hints file, `--root`, built-in hints).

mod args;
mod asked;
pub mod batch;
pub use asked::CompareServers;
use asked::compare_servers;
pub mod servers;
mod start;
mod tls;
mod way;

use std::io::IsTerminal;

use anyhow::{Result, bail};
use dnscope::compare::Question;
use dnscope::lab::scenario::Scenario;
use dnscope::lab::{LabConfig, LabSource};
use dnscope::trace::{Family, Fanout, Stragglers, TraceOptions};
use dnscope::wire::QueryOptions;
use hickory_proto::rr::{Name, RecordType};

pub use batch::{CompareBatchJob, NamesSource, TraceBatchJob, ZoneSource};
pub use servers::ServerSpec;
pub use start::Start;

use crate::cli::{
    Cli, ColorChoice, Command, CompareArgs, LabAction, LabArgs, LabFlags, QueryArgs, TraceArgs,
    TraceFormat,
};

/// A complete run: what to do, and how to show it.
#[derive(Debug)]
pub struct Plan {
    /// How to show the result.
    pub output: Output,
    /// Things worth saying before the run (a server address that reads two ways).
    pub notes: Vec<String>,
    /// What to do.
    pub job: Job,
}

/// How to show results, decided once.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Colour and styles (`--color`, NO_COLOR, TERM=dumb, a terminal).
    pub styled: bool,
    /// One JSON document instead of text.
    pub json: bool,
    /// Plain-words readings for classrooms.
    pub explain: bool,
    /// More detail (-v, -vv).
    pub verbose: u8,
    /// `trace --format`: a picture instead of text.
    pub picture: Option<Picture>,
    /// Only the answer data, one record per line (`--short`, dig's +short).
    pub short: bool,
    /// ASCII borders and arrows (`--ascii`, or a non-UTF-8 locale).
    pub ascii: bool,
    /// The width to fit: the terminal's, else `COLUMNS`, else 80.
    pub width: usize,
}

/// A picture of a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picture {
    /// Graphviz DOT source.
    Dot,
    /// SVG, rendered by Graphviz's `dot`.
    Svg,
}

/// What to do.
#[derive(Debug)]
pub enum Job {
    Query(QueryJob),
    Trace(TraceJob),
    Compare(CompareJob),
    /// `compare --zone/--names`: many RRsets.
    CompareBatch(CompareBatchJob),
    /// `trace --names`: many traces.
    TraceBatch(TraceBatchJob),
    Lab(LabConfig),
    Exercises {
        lab: LabConfig,
        number: Option<usize>,
        solution: bool,
    },
    Explain(Option<String>),
    Completions(clap_complete::Shell),
    /// The main page, or a subcommand's.
    Man(Option<String>),
}

/// A validated `query`.
#[derive(Debug)]
pub struct QueryJob {
    pub name: Name,
    pub rtype: RecordType,
    /// IN, or CH to ask a server about itself.
    pub class: hickory_proto::rr::DNSClass,
    /// `-4`/`-6`: the address families to ask.
    pub family: Family,
    /// The servers as typed; empty means the lab's server for the name, or resolv.conf's.
    pub servers: Vec<ServerSpec>,
    pub options: QueryOptions,
    /// `-p`: the port for servers given without one.
    pub port: Option<u16>,
    pub lab: Option<LabConfig>,
    /// `--validate`: check each answer's signatures against its zone's DNSKEY RRset.
    pub validate: bool,
    /// What encrypted servers are checked against.
    pub tls: dnscope::wire::TlsSettings,
}

/// A validated `trace`.
#[derive(Debug)]
pub struct TraceJob {
    pub name: Name,
    pub rtype: RecordType,
    /// Where it starts (the lab, hints, roots) and on which port.
    pub start: Start,
    /// Every other setting (roots and port are filled in by [`Start::options`]).
    pub settings: TraceOptions,
}

/// A validated `compare`.
#[derive(Debug)]
pub struct CompareJob {
    pub question: Question,
    /// `(label, server)`, in the order given.
    pub resolvers: Vec<(String, ServerSpec)>,
    /// `--auth`: authoritative servers given instead of found.
    pub auth: Vec<ServerSpec>,
    /// Where the discovery trace starts.
    pub start: Start,
    pub query: QueryOptions,
    /// What encrypted servers are checked against.
    pub tls: dnscope::wire::TlsSettings,
    /// `--watch`: ask again every so often.
    pub watch: Option<std::time::Duration>,
    pub watch_limit: std::time::Duration,
}

impl Plan {
    /// Validate the command line.
    ///
    /// # Errors
    /// A one-line message naming the flag or argument that is wrong.
    pub fn from_cli(cli: &Cli) -> Result<Self> {
        // dig's +options, read before anything else: they change the job and the output.
        let plus = match &cli.command {
            Command::Query(a) => Plus::read(&a.args, true)?,
            Command::Trace(a) => Plus::read(&a.args, false)?,
            Command::Compare(a) => Plus::read(&a.args, false)?,
            _ => Plus::default(),
        };
        let output = Output {
            styled: styled(cli.color),
            json: cli.json,
            explain: cli.explain,
            verbose: cli.verbose,
            picture: match &cli.command {
                Command::Trace(t) if !cli.json => match t.format {
                    TraceFormat::Text => None,
                    TraceFormat::Dot => Some(Picture::Dot),
                    TraceFormat::Svg => Some(Picture::Svg),
                },
                _ => None,
            },
            short: plus.short
                || match &cli.command {
                    Command::Query(a) => a.short,
                    Command::Trace(a) => a.short,
                    Command::Compare(a) => a.short,
                    _ => false,
                },
            ascii: cli.ascii || !utf8_locale(),
            width: width(),
        };
        let job = match &cli.command {
            Command::Query(a) => Job::Query(query(a, &plus)?),
            Command::Trace(a) => match batch::trace_names(a)? {
                Some((names, limits)) => {
                    if !plus.words.is_empty() {
                        bail!("--names reads the names from the list: drop NAME");
                    }
                    Job::TraceBatch(TraceBatchJob {
                        trace: trace_settings(a, &plus)?,
                        names,
                        limits,
                    })
                }
                None => Job::Trace(trace(a, &plus)?),
            },
            Command::Compare(a) => match batch::compare_input(a)? {
                Some((input, limits)) => Job::CompareBatch(CompareBatchJob {
                    servers: compare_servers(a)?,
                    input,
                    limits,
                }),
                None => Job::Compare(compare(a, &plus)?),
            },
            Command::Lab(a) => lab(a),
            Command::Explain { topic } => Job::Explain(topic.clone()),
            Command::Completions { shell } => Job::Completions(*shell),
            Command::Man { subcommand } => Job::Man(subcommand.clone()),
        };
        Ok(Plan {
            output,
            notes: notes(&cli.command),
            job,
        })
    }
}

/// Notes on what the user typed: an IPv6 address without brackets whose last group looks
/// like a port.
fn notes(command: &Command) -> Vec<String> {
    let servers: Vec<&str> = match command {
        Command::Query(a) => a.args.iter().filter_map(|w| w.strip_prefix('@')).collect(),
        Command::Compare(a) => a
            .resolvers
            .iter()
            .map(|r| r.split_once('=').map_or(r.as_str(), |(_, s)| s))
            .chain(a.auth.iter().map(String::as_str))
            .chain(a.start.roots.iter().map(String::as_str))
            .collect(),
        Command::Trace(a) => a.start.roots.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    servers.into_iter().filter_map(servers::ambiguity).collect()
}

/// `-p PORT`: 1 to 65535 (0 is not a port a server listens on).
fn check_port(port: Option<u16>) -> Result<Option<u16>> {
    if port == Some(0) {
        bail!("-p 0: port 0 is not a port a server listens on (1 to 65535)");
    }
    Ok(port)
}

/// dig's `+options`, where dnscope has the same thing.
#[derive(Debug, Default)]
struct Plus {
    /// The words that are not `+options`.
    words: Vec<String>,
    short: bool,
    norec: bool,
    tcp: bool,
    dnssec: bool,
    cd: bool,
    noedns: bool,
    nsid: bool,
}

impl Plus {
    /// Pick the `+options` out of the positional words; `query` takes them all, `trace` and
    /// `compare` only `+short` (and `+nsid` for trace).
    fn read(args: &[String], query: bool) -> Result<Self> {
        let mut plus = Plus::default();
        for arg in args {
            let Some(opt) = arg.strip_prefix('+') else {
                plus.words.push(arg.clone());
                continue;
            };
            match opt.to_ascii_lowercase().as_str() {
                "short" => plus.short = true,
                "nsid" => plus.nsid = true,
                "norec" | "norecurse" if query => plus.norec = true,
                "tcp" | "vc" if query => plus.tcp = true,
                "dnssec" if query => plus.dnssec = true,
                "cd" | "cdflag" if query => plus.cd = true,
                "noedns" if query => plus.noedns = true,
                "trace" => {
                    bail!("+trace: dnscope trace NAME does that, asking every server from the root")
                }
                _ => bail!(
                    "{arg}: dnscope takes --flags (see --help); of dig's +options it understands +short, +nsid{}",
                    if query {
                        ", +norec, +tcp, +dnssec, +cd, +noedns"
                    } else {
                        ""
                    }
                ),
            }
        }
        Ok(plus)
    }
}

/// Whether the locale is UTF-8: the first of LC_ALL, LC_CTYPE, LANG that is set says; with
/// none set, assume a UTF-8 terminal (today's default nearly everywhere).
fn utf8_locale() -> bool {
    for var in ["LC_ALL", "LC_CTYPE", "LANG"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            let v = v.to_string_lossy().to_ascii_lowercase();
            return v.contains("utf-8") || v.contains("utf8");
        }
    }
    true
}

/// The width to fit: the terminal's when stdout is one, else `COLUMNS`, else 80.
fn width() -> usize {
    let stdout = std::io::stdout();
    if stdout.is_terminal()
        && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(&stdout)
        && w > 0
    {
        return usize::from(w);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c >= 20)
        .unwrap_or(80)
}

/// Whether to style output: `--color` first, then NO_COLOR (non-empty, as no-color.org says),
/// then TERM=dumb, then whether stdout is a terminal.
fn styled(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            !no_color && !dumb && std::io::stdout().is_terminal()
        }
    }
}

fn query(a: &QueryArgs, plus: &Plus) -> Result<QueryJob> {
    let mut servers = Vec::new();
    let mut words = Vec::new();
    for arg in &plus.words {
        match arg.strip_prefix('@') {
            Some(server) => servers.push(servers::spec(server)?),
            None => words.push(arg.as_str()),
        }
    }
    // A class word (IN, CH, HS) may stand anywhere after the name, as dig takes it (the
    // first word is the name: `ch` is a TLD too).
    let first_after_name = usize::from(a.reverse.is_none());
    let mut class = None;
    let mut index = 0;
    words.retain(|w| {
        index += 1;
        match dnscope::wire::parse_class(w) {
            Ok(c) if index > first_after_name && class.is_none() && !is_type(w) => {
                class = Some(c);
                false
            }
            _ => true,
        }
    });
    if let Some(flag) = &a.class {
        if class.is_some() {
            bail!("the class is given twice (positional and -c)");
        }
        class = Some(dnscope::wire::parse_class(flag)?);
    }
    let words = args::type_first(words);
    let (name, rtype) = args::question(
        "dnscope query NAME [TYPE] [CLASS] [@SERVER]...",
        &words,
        a.reverse.as_deref(),
        a.rtype.as_deref(),
    )?;
    let no_edns = a.no_edns || plus.noedns;
    let dnssec = a.dnssec || plus.dnssec || a.validate;
    let nsid = a.nsid || plus.nsid;
    if nsid && no_edns {
        bail!("--nsid needs EDNS (NSID is an EDNS option): drop --no-edns");
    }
    if dnssec && no_edns {
        bail!(
            "--dnssec and --validate need EDNS (the DO bit lives in the OPT record): drop --no-edns"
        );
    }
    let tls = tls::settings(&a.tls, &mut servers)?;
    Ok(QueryJob {
        tls,
        name,
        rtype,
        class: class.unwrap_or(hickory_proto::rr::DNSClass::IN),
        servers,
        options: QueryOptions {
            recursion_desired: !(a.no_rd || plus.norec),
            edns: !no_edns,
            dnssec_ok: dnssec,
            checking_disabled: a.cd || plus.cd,
            timeout: args::duration(&a.timeout)?,
            retries: a.retries,
            tcp_only: a.tcp || plus.tcp,
            tcp_on_truncation: !a.no_tcp_fallback,
            nsid,
        },
        family: Family {
            ipv4: !a.ipv6_only,
            ipv6: !a.ipv4_only,
        },
        port: check_port(a.port)?,
        lab: lab_config(&a.lab),
        validate: a.validate,
    })
}

fn trace(a: &TraceArgs, plus: &Plus) -> Result<TraceJob> {
    let words: Vec<&str> = plus.words.iter().map(String::as_str).collect();
    if let Some(server) = words.iter().find(|w| w.starts_with('@')) {
        bail!(
            "unexpected {server:?}: a trace starts from the root; use --root ADDR to start elsewhere"
        );
    }
    let (name, rtype) = args::question(
        "dnscope trace NAME [TYPE]",
        &words,
        a.reverse.as_deref(),
        None,
    )?;
    let (start, settings) = trace_settings(a, plus)?;
    Ok(TraceJob {
        name,
        rtype,
        start,
        settings,
    })
}

/// Where traces start and how they run: shared by one name and many.
fn trace_settings(a: &TraceArgs, plus: &Plus) -> Result<(Start, TraceOptions)> {
    let start = Start::from_flags(&a.start, lab_config(&a.lab))?;
    let settings = TraceOptions {
        fanout: if a.one { Fanout::One } else { Fanout::All },
        query: QueryOptions {
            recursion_desired: false,
            edns: true,
            dnssec_ok: a.dnssec,
            checking_disabled: false,
            timeout: args::duration(&a.timeout)?,
            retries: a.retries,
            tcp_only: a.tcp,
            tcp_on_truncation: true,
            nsid: a.nsid || plus.nsid,
        },
        budget: a.budget,
        max_depth: a.max_depth,
        deadline: args::duration(&a.deadline)?,
        family: Family {
            ipv4: !a.ipv6_only,
            ipv6: !a.ipv4_only,
        },
        stragglers: if a.wait_all {
            Stragglers::All
        } else if a.no_wait {
            Stragglers::None
        } else {
            Stragglers::Grace
        },
        ..TraceOptions::default()
    };
    if settings.budget == 0 {
        bail!("--budget must allow at least one query");
    }
    Ok((start, settings))
}

fn compare(a: &CompareArgs, plus: &Plus) -> Result<CompareJob> {
    let lab = lab_config(&a.lab);
    let scenario = match &a.scenario {
        Some(s) => {
            let Some(found) = Scenario::parse(s) else {
                let names: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
                bail!("unknown scenario {s:?} (known: {})", names.join(", "));
            };
            if lab.is_none() {
                bail!("--scenario plays on the embedded lab: add --lab");
            }
            Some(found)
        }
        None => None,
    };
    let words: Vec<&str> = plus.words.iter().map(String::as_str).collect();
    let question = match scenario {
        Some(_) if !words.is_empty() => bail!("--scenario sets the question itself: drop NAME"),
        Some(s) => Question::Scenario(s),
        None if words.is_empty() => bail!(
            "no name given: dnscope compare NAME [TYPE] (or --zone FILE / --names FILE for many)"
        ),
        None => {
            let (name, rtype) = args::question("dnscope compare NAME [TYPE]", &words, None, None)?;
            Question::Name(name, rtype)
        }
    };
    let servers = compare_servers(a)?;
    let watch = match &a.watch {
        Some(w) => Some(args::duration(w)?),
        None => None,
    };
    Ok(CompareJob {
        question,
        resolvers: servers.resolvers,
        auth: servers.auth,
        start: servers.start,
        query: servers.query,
        tls: servers.tls,
        watch,
        watch_limit: args::duration(&a.watch_limit)?,
    })
}

fn lab(a: &LabArgs) -> Job {
    let config = LabConfig {
        source: a.lab_dir.clone().map(LabSource::Dir).unwrap_or_default(),
        net: a.net,
        port: a.port,
    };
    match &a.action {
        Some(LabAction::Exercises { number, solution }) => Job::Exercises {
            // The solution comes from the lab as it is now, on a port of its own.
            lab: LabConfig {
                port: Some(0),
                ..config
            },
            number: *number,
            solution: *solution,
        },
        None => Job::Lab(config),
    }
}

/// Whether a word is a record type (so that `query x A IN` and `query a` read as meant).
fn is_type(word: &str) -> bool {
    dnscope::wire::parse_rtype(word).is_ok()
}

/// The lab to start, if the flags ask for one (any lab flag implies --lab). A `--lab` run
/// takes a free port, so that several can run at once.
fn lab_config(flags: &LabFlags) -> Option<LabConfig> {
    if !flags.lab && flags.lab_dir.is_none() && flags.lab_net.is_none() {
        return None;
    }
    Some(LabConfig {
        source: flags
            .lab_dir
            .clone()
            .map(LabSource::Dir)
            .unwrap_or_default(),
        net: flags.lab_net,
        port: Some(0),
    })
}
