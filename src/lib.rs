//! dnscope: a DNS resolution explorer. This library is the engine; the `dnscope` binary
//! (`src/bin/dnscope/`) parses arguments, runs it, and words and renders what it returns.
//!
//! The modules, in the order data flows:
//!
//! - [`target`]: servers to ask, as a person names them (label, address, where they came from).
//! - [`wire`]: one question to one server over UDP/TCP, with the evidence (RTT, bytes, ignored
//!   packets, truncation). All network I/O goes through its [`wire::Transport`] trait.
//! - [`system`]: the system resolvers, from `/etc/resolv.conf`.
//! - [`query`]: the `query` engine: one question to several servers at once.
//! - [`trace`]: the `trace` engine: iterative resolution from the root, every hop recorded.
//! - [`dnssec`]: the chain of trust over a trace: trust anchors, signatures, NSEC/NSEC3
//!   proofs, a verdict (secure, insecure, bogus, indeterminate) and where it was decided.
//! - [`compare`]: the `compare` engine: resolvers and authoritative servers side by side, and
//!   the analysis of why they differ (findings as data).
//! - [`batch`]: many names in one run (`compare --zone/--names`, `trace --names`): one shared
//!   delegation cache, bounded concurrency, rows checked against a zone file and folded into
//!   a summary as they come.
//! - [`lab`]: the embedded lab: a DNS hierarchy served on loopback, its faults, its run-time
//!   changes and scenarios.
//! - [`exercises`]: the class exercises' evidence, gathered from the running lab.
//! - [`zonefile`]: zone files read with the line of an error named (the lab's zones, the
//!   intended state `compare --zone` checks).
//! - [`present`]: DNS data in presentation (zone-file) form, and terminal-safe text.
//! - [`exit`]: the exit-code table shared by every command.
//!
//! Nothing here prints, and nothing here words a finding: results are typed data, and the
//! binary's vocabulary (`words/`) gives each its JSON kind and its sentence. Errors carry a
//! one-line `Display` for the binary's error line.

pub mod batch;
pub mod compare;
pub mod dnssec;
pub mod exercises;
pub mod exit;
pub mod lab;
pub mod present;
pub mod query;
pub mod system;
pub mod target;
pub mod trace;
pub mod wire;
pub mod zonefile;
