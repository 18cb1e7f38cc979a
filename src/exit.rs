//! Exit codes: one table for every command. `--help`, the man page and the README's table are
//! all made from (or checked against) [`TABLE`].
//!
//! clap's own usage errors exit 2, so every other kind of bad input does too.

/// Success: every server answered (`query`), with any rcode, as dig does; the trace reached
/// an answer or a proper NXDOMAIN/NODATA (`trace`); every server agrees (`compare`).
pub const OK: u8 = 0;
/// The command ran but the outcome is a failure: some of several servers gave no reply
/// (`query`); the resolution failed on lame or broken servers, a CNAME loop or a glueless
/// cycle (`trace`); the servers disagree or some failed (`compare`); some RRset is not as
/// intended, or some trace failed (many names).
pub const FAILED: u8 = 1;
/// Bad input: unknown option, invalid name, unknown type, unparsable server address, a zone
/// file that does not parse, bad lines in a names list, nothing to check.
pub const USAGE: u8 = 2;
/// No server replied at all: every one timed out, refused or could not be reached.
pub const NO_REPLY: u8 = 3;
/// The lab could not start: a bad manifest or zone file, or an address that cannot be bound.
pub const LAB: u8 = 4;
/// A limit ended a trace early: query budget, referral or nesting depth, CNAME chain length,
/// deadline. The steps so far are shown.
pub const LIMIT: u8 = 5;
/// Something dnscope needs from this machine is missing or unreadable: /etc/resolv.conf (when
/// no server is given), Graphviz's `dot` (for `--format svg`).
pub const ENV: u8 = 6;
/// DNSSEC says the answer is bogus: a validating resolver would answer SERVFAIL
/// (`trace`, `query --validate`). The reason is shown.
pub const BOGUS: u8 = 7;
/// Something failed that should not: a bug in dnscope. Please report it.
pub const INTERNAL: u8 = 10;

/// `(code, meaning)`, every code once, in order.
pub const TABLE: &[(u8, &str)] = &[
    (
        OK,
        "success: query: every server asked sent a response (whatever its rcode, as dig); trace: an answer, or a proper NXDOMAIN/NODATA; compare: every server agrees with the authoritative answer; compare --zone/--names: every RRset as intended at every server; trace --names: every trace succeeded",
    ),
    (
        FAILED,
        "query: some of the servers asked sent no response; trace: the resolution failed on lame or broken servers, a CNAME loop, a glueless cycle, or NS names without addresses; compare: servers differ, or some failed; compare --zone/--names: some RRset is not as intended; trace --names: some trace failed or was DNSSEC-bogus",
    ),
    (
        USAGE,
        "bad input: options, name, type, server address, root hints (clap's usage errors too); a zone file that does not parse (named with its line), bad lines in a names list (each named; the rest is still checked), nothing to check",
    ),
    (
        NO_REPLY,
        "no server replied at all (timeouts, refusals); for trace, at the zone where it stopped",
    ),
    (
        LAB,
        "the lab could not start (manifest, zone file named with its line, address in use)",
    ),
    (
        LIMIT,
        "trace: a limit was hit (query budget, depth, referrals, CNAME chain, deadline); the steps so far are shown",
    ),
    (
        ENV,
        "this machine lacks something dnscope needs: a readable /etc/resolv.conf when no server is given, Graphviz's dot for --format svg",
    ),
    (
        BOGUS,
        "trace, query --validate: the answer is DNSSEC-bogus (expired or bad signatures, a DS that matches no key …): a validating resolver would answer SERVFAIL; the reason is shown",
    ),
    (INTERNAL, "internal error (a bug in dnscope)"),
];

/// The table as the "Exit status" section of `--help` and the man page.
pub fn help_text() -> String {
    let mut out = String::from("Exit status:\n");
    for (code, meaning) in TABLE {
        out.push_str(&format!("  {code:<3} {meaning}\n"));
    }
    out.pop();
    out
}

/// The table as the README writes it (Markdown).
pub fn markdown() -> String {
    let mut out = String::from("| code | meaning |\n|---|---|\n");
    for (code, meaning) in TABLE {
        out.push_str(&format!("| {code} | {meaning} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_in_the_table_once() {
        let codes: Vec<u8> = TABLE.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            codes,
            [
                OK, FAILED, USAGE, NO_REPLY, LAB, LIMIT, ENV, BOGUS, INTERNAL
            ]
        );
    }
}
