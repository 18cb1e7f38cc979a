//! Exit codes: one table for every command, also printed in the README and `--help`.
//!
//! clap's own usage errors exit 2, so every other kind of bad input does too.

/// Success: every server answered (`query`), with any rcode, as dig does; the trace reached
/// an answer or a proper NXDOMAIN/NODATA (`trace`).
pub const OK: u8 = 0;
/// The command ran but the outcome is a failure: some of several servers gave no reply
/// (`query`); the resolution failed on lame or broken servers, a CNAME loop or a glueless
/// cycle (`trace`); the servers disagree or some failed (`compare`).
pub const FAILED: u8 = 1;
/// Bad input: unknown option, invalid name, unknown type, unparsable server address.
pub const USAGE: u8 = 2;
/// No server replied at all: every one timed out, refused or could not be reached.
pub const NO_REPLY: u8 = 3;
/// A limit ended a trace early: query budget, referral or nesting depth, CNAME chain length,
/// deadline. The steps so far are shown.
pub const LIMIT: u8 = 5;
/// The lab could not start: a bad manifest or zone file, or an address that cannot be bound.
pub const LAB: u8 = 4;
/// Something failed that should not: a bug in dnscope. Please report it.
pub const INTERNAL: u8 = 10;

/// `(code, meaning)` for help texts and the README.
pub const TABLE: &[(u8, &str)] = &[
    (
        OK,
        "success: every server asked sent a response (whatever its rcode)",
    ),
    (FAILED, "some of the servers asked sent no response"),
    (USAGE, "bad input: options, name, type, server address"),
    (NO_REPLY, "no server replied at all (timeouts, refusals)"),
    (
        LAB,
        "the lab could not start (manifest, zone file, address in use)",
    ),
    (INTERNAL, "internal error (a bug in dnscope)"),
];
