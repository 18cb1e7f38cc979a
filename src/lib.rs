//! dnscope: a DNS resolution explorer.
//!
//! The library is the engine; the `dnscope` binary only parses arguments and renders.
//!
//! - [`wire`]: one question to one server over UDP/TCP, with the evidence (RTT, bytes, ignored
//!   packets, truncation). All network I/O goes through its `Transport` trait.
//! - [`lab`]: the embedded lab, a small DNS hierarchy served on loopback addresses.
//! - [`query`]: the `query` command's engine: one question to one or more servers at once.
//! - [`system`]: the system resolvers from `/etc/resolv.conf`.
//! - [`exit`]: the exit-code table shared by every command.
//!
//! Nothing in the library prints: it returns data for the binary's renderers.

pub mod compare;
pub mod exercises;
pub mod exit;
pub mod explain;
pub mod lab;
pub mod present;
pub mod query;
pub mod system;
pub mod trace;
pub mod wire;
