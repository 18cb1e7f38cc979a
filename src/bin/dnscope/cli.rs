//! The command line: the clap definition of every command and flag. `--help`, the shell
//! completions and the man page all come from it; `plan.rs` turns what it parses into a
//! validated plan, and nothing past that sees a clap type.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// dnscope: see how a DNS name really resolves.
#[derive(Debug, Parser)]
#[command(name = "dnscope", version, about, after_help = dnscope::exit::help_text(), propagate_version = true)]
pub struct Cli {
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print JSON instead of tables (schema: docs/json.md).
    #[arg(long, global = true)]
    pub json: bool,
    /// Add a plain-words reading of every record and every trace step (for classrooms).
    #[arg(long, global = true)]
    pub explain: bool,
    /// Show more: ignored packets, sizes, attempts.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Draw tables and arrows in ASCII (the default under LANG=C or another non-UTF-8 locale).
    #[arg(long, global = true)]
    pub ascii: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ask one question of one or more servers and show every section (like dig).
    #[command(after_help = QUERY_HELP)]
    Query(QueryArgs),
    /// Resolve a name from the root down, as a resolver does, and show every hop.
    #[command(after_help = TRACE_HELP)]
    Trace(TraceArgs),
    /// Ask resolvers and every authoritative server at once, and explain why they differ.
    #[command(after_help = COMPARE_HELP)]
    Compare(CompareArgs),
    /// Run the embedded lab in the foreground until Ctrl-C, and print its address plan.
    Lab(LabArgs),
    /// Explain a record type (its fields, an example, its RFC, common mistakes) or a concept
    /// (ttl, glue, referral, negative-caching, zone-cut, authoritative, ...); no argument lists them.
    Explain {
        /// A record type or a concept.
        topic: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): dnscope's, or a subcommand's (dnscope man trace >
    /// dnscope-trace.1), the pages the main one refers to.
    Man {
        /// query, trace, compare, lab, explain or completions.
        subcommand: Option<String>,
    },
}

const COMPARE_HELP: &str = "\
Examples:
  dnscope compare --lab --scenario propagation      a record changed a moment ago: who still has the old one, and until when
  dnscope compare --lab --scenario new-name --watch the propagation view, until every server agrees
  dnscope compare www.shop.test --lab               the lab's resolvers and shop.test's servers
  dnscope compare example.org --resolver office=192.0.2.53 --resolver 198.51.100.1

  dnscope compare --zone fixtures/intended/news.example.zone --lab
                                                    every RRset of a zone file (the intended
                                                    state) at every server: what differs, why
  dnscope compare --names names.txt --lab           many names (NAME [TYPE] a line; - reads stdin)

Resolvers: --resolver/--resolvers, --public, or else those of /etc/resolv.conf (with --lab,
the lab's own resolvers). Authoritative servers: found by a trace from the root (the same start
options as `dnscope trace`), or --auth.

Scenarios: propagation, new-name.";

/// Arguments of `dnscope compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// NAME [TYPE]: TYPE defaults to A. With --scenario the scenario sets the question.
    #[arg(value_name = "NAME [TYPE]", num_args = 0..)]
    pub args: Vec<String>,
    /// A resolver to ask (repeatable): ADDR, ADDR:PORT, or LABEL=ADDR[:PORT]; any of them
    /// may start with udp://, tcp://, tls://, quic:// or be https://HOST[:PORT]/PATH.
    #[arg(long = "resolver", value_name = "[LABEL=]ADDR[:PORT]")]
    pub resolvers: Vec<String>,
    /// A file of resolvers, one [LABEL=]ADDR[:PORT] per line (# comments).
    #[arg(long = "resolvers", value_name = "FILE")]
    pub resolvers_file: Option<std::path::PathBuf>,
    /// Also ask a built-in list of well-known public resolvers (sends traffic to the Internet).
    #[arg(long)]
    pub public: bool,
    /// Ask these authoritative servers (repeatable) instead of finding them with a trace.
    #[arg(long = "auth", value_name = "ADDR[:PORT]")]
    pub auth: Vec<String>,
    #[command(flatten)]
    pub start: StartFlags,
    /// Play a lab scenario first (needs --lab): propagation, new-name.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Ask again every SECONDS (default 1) until every server agrees with the
    /// authoritative answer, showing the countdown.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "1")]
    pub watch: Option<String>,
    /// Give up watching after this long.
    #[arg(long, default_value = "10m", value_name = "DURATION")]
    pub watch_limit: String,
    /// Print only each server's answer data, one record per line: SERVER DATA.
    #[arg(long)]
    pub short: bool,
    /// Time to wait for each attempt: 1s, 500ms, 1.5 (seconds); the same meaning as in
    /// query and trace.
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    pub timeout: String,
    /// UDP retries after the first attempt, per server.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub retries: u32,
    /// Check every RRset of this zone file (the zone's intended state: $ORIGIN, $TTL and
    /// $INCLUDE honoured) at every server; DNSSEC records and glue are left out unless asked.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["args", "scenario", "watch"])]
    pub zone: Option<PathBuf>,
    /// The zone file's origin, when the file sets no $ORIGIN.
    #[arg(long, value_name = "NAME", requires = "zone")]
    pub origin: Option<String>,
    /// With --zone: check the zone file's DNSSEC records too (DNSKEY, DS, NSEC …).
    #[arg(long, requires = "zone")]
    pub with_dnssec: bool,
    /// With --zone: check delegations (NS below the apex) and their glue too, each at the
    /// child zone's servers.
    #[arg(long, requires = "zone")]
    pub with_glue: bool,
    #[command(flatten)]
    pub batch: BatchFlags,
    #[command(flatten)]
    pub tls: TlsFlags,
    #[command(flatten)]
    pub lab: LabFlags,
}

/// Many names in one run (`compare --names/--zone`, `trace --names`).
#[derive(Debug, Args, Clone)]
pub struct BatchFlags {
    /// Check every name of this list (NAME [TYPE] a line, # comments; - reads stdin). With
    /// --zone, names the file lacks should not exist.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["args"])]
    pub names: Option<PathBuf>,
    /// Questions in flight at once, in all (many names).
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub concurrency: usize,
    /// Questions in flight at once to any one server (many names).
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub per_server: usize,
}

const TRACE_HELP: &str = "\
Examples:
  dnscope trace www.shop.test --lab                 every hop through the embedded lab
  dnscope trace www.cdn.example --lab               a glueless delegation, NS looked up
  dnscope trace blog.shop.test --lab --one          dig-like: one server at a time
  dnscope trace example.org AAAA --root 192.0.2.1   from a root server of your own
  dnscope trace www.example.com                     from the built-in IANA root hints
  dnscope trace --names names.txt --lab             many names, one delegation cache, one table

At every zone cut dnscope asks all the zone's servers at once and follows the first usable
answer; the others are shown as they come in. -v adds every response's sections.";

/// Arguments of `dnscope trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// NAME [TYPE]: TYPE defaults to A (PTR with -x).
    #[arg(value_name = "NAME [TYPE]", num_args = 0..)]
    pub args: Vec<String>,
    /// Trace the PTR of this IPv4 or IPv6 address.
    #[arg(short = 'x', long = "reverse", value_name = "ADDR")]
    pub reverse: Option<String>,
    #[command(flatten)]
    pub start: StartFlags,
    /// Ask one server at a time, the next only if it fails (like dig +trace).
    #[arg(long)]
    pub one: bool,
    /// Output: text tables, or a picture of the delegation path (dot, svg).
    #[arg(long, value_enum, default_value_t = TraceFormat::Text)]
    pub format: TraceFormat,
    /// Before printing, wait for every server still being asked to answer or time out
    /// (otherwise the slow ones get a short grace period once the answer is known).
    #[arg(long, conflicts_with = "no_wait")]
    pub wait_all: bool,
    /// Print as soon as the outcome is known; servers still being asked show "no reply yet".
    #[arg(long)]
    pub no_wait: bool,
    /// Use IPv4 server addresses only.
    #[arg(short = '4', conflicts_with = "ipv6_only")]
    pub ipv4_only: bool,
    /// Use IPv6 server addresses only.
    #[arg(short = '6')]
    pub ipv6_only: bool,
    /// Ask over TCP only.
    #[arg(long)]
    pub tcp: bool,
    /// Set the DO bit (DNSSEC OK).
    #[arg(long)]
    pub dnssec: bool,
    /// Time to wait for each attempt: 2s, 500ms, 1.5 (seconds).
    #[arg(long, default_value = "2s", value_name = "DURATION")]
    pub timeout: String,
    /// UDP retries after the first attempt, per server.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub retries: u32,
    /// Queries allowed in all (nested NS lookups and TCP retries count).
    #[arg(long, default_value_t = 150, value_name = "N")]
    pub budget: usize,
    /// How deep glueless NS lookups may nest.
    #[arg(long, default_value_t = 6, value_name = "N")]
    pub max_depth: usize,
    /// Wall-clock limit for the whole trace, waiting for late servers included.
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    pub deadline: String,
    /// Ask every server for its identity (EDNS NSID, RFC 5001), shown in each row.
    #[arg(long)]
    pub nsid: bool,
    /// Print only the final answer data, one record per line.
    #[arg(long)]
    pub short: bool,
    #[command(flatten)]
    pub batch: BatchFlags,
    #[command(flatten)]
    pub lab: LabFlags,
}

const QUERY_HELP: &str = "\
Examples:
  dnscope query www.shop.test --lab                 the lab's authoritative server for the name
  dnscope query www.shop.test A @a.root-servers.test --lab --no-rd
                                                    a referral from the lab's root
  dnscope query shop.test MX @127.77.0.40 @127.77.0.41 --lab
  dnscope query -x 192.0.2.80 --lab                 reverse lookup (PTR)
  dnscope query example.org AAAA @192.0.2.53:5353   any server, any port
  dnscope query version.bind TXT CH @ns1.shop.test --lab --nsid
                                                    which server software and instance answers

Without @SERVER, dnscope asks the name servers of /etc/resolv.conf
(or, with --lab, the lab server authoritative for the name). dig habits work too: the type
before the name (query MX shop.test), +short, +norec, +tcp, +dnssec, +cd, +noedns, +nsid.";

/// Arguments of `dnscope query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// NAME [TYPE] [@SERVER[:PORT]]... in any order after NAME; TYPE defaults to A
    /// (PTR with -x). SERVER is an IPv4/IPv6 address ([::1]:53 with a port), or with --lab a
    /// lab server's host name; tls://, quic://, https://HOST/PATH (udp://, tcp://) choose the
    /// transport, and #NAME after it the name its certificate must carry.
    #[arg(value_name = "NAME [TYPE] [@SERVER]", num_args = 0..)]
    pub args: Vec<String>,
    /// Reverse lookup: ask for the PTR of this IPv4 or IPv6 address.
    #[arg(short = 'x', long = "reverse", value_name = "ADDR")]
    pub reverse: Option<String>,
    /// Record type (alternative to the positional TYPE).
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub rtype: Option<String>,
    /// Ask over TCP only.
    #[arg(long)]
    pub tcp: bool,
    /// Do not retry over TCP when a UDP answer is truncated (show the TC=1 answer).
    #[arg(long)]
    pub no_tcp_fallback: bool,
    /// Clear RD (recursion desired): the way to ask authoritative servers.
    #[arg(long = "no-rd")]
    pub no_rd: bool,
    /// Set the DO bit (DNSSEC OK): ask for signatures.
    #[arg(long)]
    pub dnssec: bool,
    /// Set the CD bit (checking disabled).
    #[arg(long)]
    pub cd: bool,
    /// Check each answer's RRSIGs against its zone's DNSKEY RRset, asked of the same server
    /// (sets DO); the chain above the zone is `trace`'s job. Exit 7 when bogus.
    #[arg(long)]
    pub validate: bool,
    /// Send no EDNS0 OPT record (plain RFC 1035 question, 512-byte UDP limit).
    #[arg(long)]
    pub no_edns: bool,
    /// Time to wait for each attempt: 2s, 500ms, 1.5 (seconds).
    #[arg(long, default_value = "2s", value_name = "DURATION")]
    pub timeout: String,
    /// UDP retries after the first attempt.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub retries: u32,
    /// Port for servers given without one (default 53, or the lab's port with --lab).
    #[arg(short = 'p', long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Class (alternative to a positional IN, CH or HS): CH asks a server about itself,
    /// e.g. version.bind TXT CH.
    #[arg(short = 'c', long = "class", value_name = "CLASS")]
    pub class: Option<String>,
    /// Ask each server for its identity (EDNS NSID, RFC 5001): which instance answered.
    #[arg(long)]
    pub nsid: bool,
    /// Print only the answer data, one record per line (dig's +short).
    #[arg(long)]
    pub short: bool,
    /// Use IPv4 server addresses only.
    #[arg(short = '4', conflicts_with = "ipv6_only")]
    pub ipv4_only: bool,
    /// Use IPv6 server addresses only.
    #[arg(short = '6')]
    pub ipv6_only: bool,
    #[command(flatten)]
    pub tls: TlsFlags,
    #[command(flatten)]
    pub lab: LabFlags,
}

/// Where a trace starts (shared by `trace` and `compare`'s discovery trace).
#[derive(Debug, Args, Clone)]
pub struct StartFlags {
    /// Start from this root server (repeatable): ADDR, ADDR:PORT or [ADDR6]:PORT.
    #[arg(long = "root", value_name = "ADDR[:PORT]")]
    pub roots: Vec<String>,
    /// Start from the servers in this named.root-style hints file.
    #[arg(long, value_name = "FILE", conflicts_with = "roots")]
    pub root_hints: Option<std::path::PathBuf>,
    /// Port for every server address learnt on the way and for addresses given without one
    /// (default 53; the lab's with --lab).
    #[arg(short = 'p', long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Do not validate with DNSSEC (it is on by default: DO=1, each zone's DNSKEY fetched).
    #[arg(long)]
    pub no_dnssec: bool,
    /// Validate from the DS or DNSKEY records in this file (zone-file form, any owner, as
    /// delv -a and Unbound's trust-anchor-file read them) instead of the built-in IANA root
    /// KSKs; repeatable. The lab's own anchor is used with --lab.
    #[arg(long, value_name = "FILE", conflicts_with = "no_dnssec")]
    pub trust_anchor: Vec<std::path::PathBuf>,
}

/// Encrypted transports (servers written tls://, https://HOST/PATH, quic://).
#[derive(Debug, Args, Clone, Default)]
pub struct TlsFlags {
    /// The name the servers' certificates must carry, for tls://, https:// and quic:// servers
    /// written without #NAME (default: the host as written).
    #[arg(long, value_name = "NAME")]
    pub tls_name: Option<String>,
    /// Trust the certificate authorities in this PEM file instead of the system's (the lab's
    /// CA is trusted with --lab anyway).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify certificates (every block then says so).
    #[arg(long)]
    pub insecure: bool,
    /// DoH: ask with GET (?dns=…, cacheable) instead of POST.
    #[arg(long)]
    pub https_get: bool,
}

/// Flags that point a command at the embedded lab.
#[derive(Debug, Args, Clone)]
pub struct LabFlags {
    /// Start the embedded lab for this run and ask it (offline; nothing leaves loopback).
    #[arg(long)]
    pub lab: bool,
    /// Read the lab's lab.toml and zones/ from this directory instead of the built-in copy.
    #[arg(long, value_name = "DIR")]
    pub lab_dir: Option<PathBuf>,
    /// Move the lab to this /24 of 127.0.0.0/8 (default 127.77.0.0).
    #[arg(long, value_name = "A.B.C.0")]
    pub lab_net: Option<Ipv4Addr>,
}

/// Arguments of `dnscope lab`.
#[derive(Debug, Args)]
pub struct LabArgs {
    #[command(subcommand)]
    pub action: Option<LabAction>,
    /// Port every lab server listens on (default: lab.toml's, 10053).
    #[arg(long, value_name = "PORT", global = true)]
    pub port: Option<u16>,
    /// Move the lab to this /24 of 127.0.0.0/8 (default 127.77.0.0).
    #[arg(long, value_name = "A.B.C.0", global = true)]
    pub net: Option<Ipv4Addr>,
    /// Read lab.toml and zones/ from this directory instead of the built-in copy.
    #[arg(long, value_name = "DIR", global = true)]
    pub lab_dir: Option<PathBuf>,
}

/// What `dnscope lab` does besides running.
#[derive(Debug, Subcommand)]
pub enum LabAction {
    /// List the class exercises built on the lab, or show one (with its solution, worked out
    /// from the live lab).
    Exercises {
        /// The exercise number.
        number: Option<usize>,
        /// Show the solution, derived from what the lab answers now.
        #[arg(long)]
        solution: bool,
    },
}

/// `trace --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// Tables (the default).
    Text,
    /// A Graphviz graph of the delegation path.
    Dot,
    /// The same graph rendered to SVG by Graphviz's `dot`.
    Svg,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_lists_every_exit_code() {
        let help = Cli::command().render_long_help().to_string();
        for (code, meaning) in dnscope::exit::TABLE {
            assert!(
                help.contains(&format!("  {code:<3} {}", &meaning[..20])),
                "exit code {code} missing from --help"
            );
        }
    }
}
