//! Commands typed into a running `dnscope lab` (one per line on its standard input), to change
//! the lab while a class watches: a record changed on a primary, a secondary left behind.

use dnscope::lab::{Change, Lab};
use dnscope::wire::{parse_name, parse_rtype};
use hickory_proto::rr::{Name, RData};

/// The help text for the control commands.
pub const HELP: &str = "\
Commands (type them here while the lab runs):
  set NAME TYPE TTL DATA     replace an RRset on every server of its zone but the lagging ones
                             (the SOA serial goes up by one), e.g. set menu.cafe.example A 8 192.0.2.99
  delete NAME TYPE           remove an RRset the same way
  lag SERVER                 make a server lag: it takes no changes until it catches up
  catch-up SERVER            the server gets every change it missed, as a zone transfer would
  serials ZONE               each server's SOA serial for ZONE
  help                       this text";

/// Run one command line; the answer is one or more lines for the user.
pub async fn run(lab: &Lab, line: &str) -> String {
    match execute(lab, line).await {
        Ok(text) => text,
        Err(e) => format!("error: {e}"),
    }
}

async fn execute(lab: &Lab, line: &str) -> anyhow::Result<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&command, rest)) = words.split_first() else {
        return Ok(String::new());
    };
    match (command, rest) {
        ("help", _) => Ok(HELP.to_string()),
        ("set", [name, rtype, ttl, data @ ..]) if !data.is_empty() => {
            let name = parse_name(name)?;
            let rtype = parse_rtype(rtype)?;
            let ttl: u32 = ttl
                .parse()
                .map_err(|_| anyhow::anyhow!("TTL {ttl:?} is not a number"))?;
            let text = data.join(" ");
            let rdata = RData::try_from_str(rtype, &text)
                .map_err(|e| anyhow::anyhow!("{rtype} {text:?}: {e}"))?;
            let done = lab
                .apply(&Change {
                    name,
                    rtype,
                    ttl,
                    data: vec![rdata],
                })
                .await?;
            Ok(report(&done))
        }
        ("delete", [name, rtype]) => {
            let name = parse_name(name)?;
            let rtype = parse_rtype(rtype)?;
            let done = lab
                .apply(&Change {
                    name,
                    rtype,
                    ttl: 0,
                    data: Vec::new(),
                })
                .await?;
            Ok(report(&done))
        }
        ("lag", [server]) => {
            let server = known(lab, server)?;
            lab.set_lagging(&server, true);
            Ok(format!(
                "ok: {server} lags: it takes no changes until `catch-up {server}`"
            ))
        }
        ("catch-up", [server]) => {
            let server = known(lab, server)?;
            let n = lab.catch_up(&server).await?;
            Ok(format!("ok: {server} caught up ({n} change(s) replayed)"))
        }
        ("serials", [zone]) => {
            let zone = parse_name(zone)?;
            let serials = lab.serials(&zone).await;
            if serials.is_empty() {
                anyhow::bail!("no lab server holds {zone}");
            }
            Ok(serials
                .iter()
                .map(|(s, n)| {
                    format!(
                        "{s} {n}{}",
                        if lab.is_lagging(s) { " (lagging)" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        _ => anyhow::bail!("unknown command {line:?} (type help)"),
    }
}

fn known(lab: &Lab, server: &str) -> anyhow::Result<Name> {
    lab.find(server)
        .map(|s| s.name.clone())
        .ok_or_else(|| anyhow::anyhow!("no lab server {server:?}"))
}

fn report(done: &[(Name, u32)]) -> String {
    let list: Vec<String> = done
        .iter()
        .map(|(s, serial)| format!("{s} (serial {serial})"))
        .collect();
    format!("ok: changed on {}", list.join(", "))
}
