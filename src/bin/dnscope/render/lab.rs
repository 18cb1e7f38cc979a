//! Human output of `dnscope lab`: the address plan, the root hints and dig commands that walk
//! the delegations by hand.

use dnscope::present::Shown;
use std::io::{self, Write};
use std::path::Path;

use dnscope::lab::{CertState, Lab, ServerKind};
use hickory_proto::rr::Name;

use super::layout::{Col, Grid, Page, plain, toned};
use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::ms;

/// Names whose delegation path the printed dig commands walk.
const WALKS: &[(&str, &str, &str)] = &[
    ("www.shop.test.", "A", "a plain three-level delegation"),
    (
        "www.paris.eu.shop.test.",
        "A",
        "four zone cuts below the root",
    ),
    (
        "www.cdn.example.",
        "A",
        "a glueless delegation (ask for ns1.dns-host.test first)",
    ),
    ("nope.shop.test.", "A", "NXDOMAIN"),
];

pub fn render(
    out: &mut dyn Write,
    lab: &Lab,
    ca_file: Option<&Path>,
    o: &Output,
) -> io::Result<()> {
    let mut page = Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    };
    let title = page.paint("dnscope lab: a DNS hierarchy on loopback", Tone::Strong);
    page.line(&title)?;
    page.line(&format!(
        "Every server listens on UDP and TCP port {}.",
        lab.port()
    ))?;
    page.blank()?;
    let mut grid = Grid::new(&[
        Col::keep("SERVER"),
        Col::keep("ADDRESS"),
        Col::prose("ZONES"),
        Col::prose("FAULT"),
    ]);
    for s in lab.servers() {
        let zones = if s.kind == ServerKind::Resolver {
            "(caching resolver: recursion from the lab's roots)".to_string()
        } else if s.zones.is_empty() {
            "(none: lame for any zone delegated to it)".to_string()
        } else {
            s.zones
                .iter()
                .map(dnscope::present::name)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let fault = match (&s.fault, s.latency.is_zero()) {
            (Some(f), _) => toned(f.to_string(), Tone::Bad),
            (None, false) => toned(format!("+{} latency", ms(s.latency)), Tone::Warn),
            (None, true) => plain(""),
        };
        grid.row(vec![
            toned(dnscope::present::name(&s.name), Tone::Name),
            plain(s.address.to_string()),
            plain(zones),
            fault,
        ]);
    }
    page.grid("", &grid)?;
    page.blank()?;
    let title = page.paint("Root hints (named.root format):", Tone::Strong);
    page.line(&title)?;
    for s in lab.root_servers() {
        // Zone-file lines: never wrapped, so they can be pasted.
        writeln!(
            page.out,
            ".                        3600000  NS  {}",
            s.name.wire()
        )?;
        writeln!(
            page.out,
            "{:<24} 3600000  A   {}",
            dnscope::present::name(&s.name),
            s.address
        )?;
    }
    page.blank()?;
    let title = page.paint(
        "Walk the delegations by hand, one server at a time:",
        Tone::Strong,
    );
    page.line(&title)?;
    for (name, rtype, what) in WALKS {
        let Ok(qname) = Name::from_ascii(name) else {
            continue;
        };
        page.line(&format!("# {name} {rtype}: {what}"))?;
        for (zone, server) in lab.delegation_path(&qname) {
            // The command alone on its line, so it can be pasted whole.
            writeln!(
                page.out,
                "dig @{} -p {} +norec {} {}    # {}",
                server.address,
                lab.port(),
                name.trim_end_matches('.'),
                rtype,
                zone.wire()
            )?;
        }
    }
    encrypted(&mut page, lab, ca_file)?;
    page.blank()?;
    page.line("(dig +trace cannot follow this private hierarchy: it ignores glue and looks every NS name up through the system resolver. Use `dnscope query --lab` or the commands above.)")?;
    if let Some(anchors) = lab.trust_anchors() {
        page.blank()?;
        let title = page.paint(
            "DNSSEC: the lab's trust anchor (the DS of its root's KSK), saved as lab.anchor:",
            Tone::Strong,
        );
        page.line(&title)?;
        // Zone-file lines, unwrapped: save them as a file for --trust-anchor or delv -a.
        for line in anchors.to_text().lines() {
            writeln!(page.out, "{line}")?;
        }
        let signed: Vec<String> = lab
            .signed()
            .iter()
            .map(|(z, spec)| match spec.fault {
                Some(f) => format!("{} ({f})", z.wire()),
                None => z.wire().to_string(),
            })
            .collect();
        page.hang(&format!("Signed zones: {}", signed.join(", ")), "    ")?;
        page.hang(
            "Validating resolvers: isp-a and isp-b (SERVFAIL with EDE on bogus data, AD on secure data); campus does not validate.",
            "    ",
        )?;
        let root = lab.root_servers().first().map(|s| s.address.to_string());
        // delv wants named.conf syntax; through campus (which does not validate) it validates
        // itself, where through a validating resolver it only sees SERVFAIL.
        let campus = lab
            .servers()
            .iter()
            .find(|s| s.kind == ServerKind::Resolver && !s.validating);
        if let (Some(root), Some(campus)) = (root, campus) {
            page.line("The same for BIND's delv (named.conf syntax), saved as lab.delv:")?;
            for a in &anchors.anchors {
                if let dnscope::dnssec::Anchor::Ds(zone, ds) = a {
                    writeln!(
                        page.out,
                        "trust-anchors {{ {} static-ds {} {} {} \"{}\"; }};",
                        zone,
                        ds.key_tag(),
                        u8::from(ds.algorithm()),
                        u8::from(ds.digest_type()),
                        ds.digest()
                            .iter()
                            .map(|b| format!("{b:02X}"))
                            .collect::<String>()
                    )?;
                }
            }
            page.line("Then:")?;
            writeln!(
                page.out,
                "delv @{} -p {} -a lab.delv +root=. www.expired.test A    # delv validates, through campus",
                campus.address,
                lab.port()
            )?;
            writeln!(
                page.out,
                "dnscope trace www.expired.test --root {root}:{} --trust-anchor lab.anchor",
                lab.port()
            )?;
        }
    }
    Ok(())
}

/// The servers that also speak DoT, DoH and DoQ, the CA file, and commands that ask them.
fn encrypted(page: &mut Page<'_>, lab: &Lab, ca_file: Option<&Path>) -> io::Result<()> {
    let servers: Vec<_> = lab
        .servers()
        .iter()
        .filter_map(|s| s.secure.map(|p| (s, p)))
        .collect();
    if servers.is_empty() {
        return Ok(());
    }
    page.blank()?;
    let ca = ca_file.map_or_else(|| "(not written)".to_string(), |p| p.display().to_string());
    let title = page.paint(
        &format!("Encrypted transports (certificates from the lab CA, saved as {ca}):"),
        Tone::Strong,
    );
    page.hang(&title, "    ")?;
    let mut grid = Grid::new(&[
        Col::keep("SERVER"),
        Col::keep("ADDRESS"),
        Col::keep("DoT"),
        Col::keep("DoH"),
        Col::keep("DoQ"),
        Col::prose("CERTIFICATE"),
    ]);
    for (s, p) in &servers {
        grid.row(vec![
            toned(dnscope::present::name(&s.name), Tone::Name),
            plain(s.address.to_string()),
            plain(p.tls.to_string()),
            plain(p.https.to_string()),
            plain(p.quic.to_string()),
            match p.certificate {
                CertState::Valid => plain("valid"),
                CertState::Expired => toned("expired", Tone::Bad),
                CertState::Untrusted => toned("untrusted CA", Tone::Bad),
            },
        ]);
    }
    page.grid("", &grid)?;
    page.hang(
        &format!(
            "Ports: DoT over TCP, DoQ over UDP (the same number), DoH over TCP with the path {}.",
            dnscope::lab::secure::DOH_PATH
        ),
        "    ",
    )?;
    // A resolver first: that is where a class compares transports.
    let valid = |(_, p): &&(&dnscope::lab::LabServer, dnscope::lab::SecurePorts)| {
        p.certificate == CertState::Valid
    };
    let Some((s, p)) = servers
        .iter()
        .filter(valid)
        .find(|(s, _)| s.kind == ServerKind::Resolver)
        .or_else(|| servers.iter().find(valid))
    else {
        return Ok(());
    };
    let host = s.name.to_ascii();
    let host = host.trim_end_matches('.');
    page.line("The same answer over every transport (kdig from knot-dnsutils; kdig has no DoQ):")?;
    // Commands alone on their lines, so they can be pasted whole.
    writeln!(
        page.out,
        "kdig @{} -p {} +tls-ca={ca} +tls-hostname={host} www.shop.test A",
        s.address, p.tls
    )?;
    writeln!(
        page.out,
        "kdig @{} -p {} +https={} +tls-ca={ca} +tls-hostname={host} www.shop.test A",
        s.address,
        p.https,
        dnscope::lab::secure::DOH_PATH
    )?;
    writeln!(
        page.out,
        "dnscope query www.shop.test @{}:{} @tls://{}:{}#{host} @https://{}:{}{}#{host} @quic://{}:{}#{host} --ca-file {ca}",
        s.address,
        lab.port(),
        s.address,
        p.tls,
        s.address,
        p.https,
        dnscope::lab::secure::DOH_PATH,
        s.address,
        p.quic
    )?;
    Ok(())
}
