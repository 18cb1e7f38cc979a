//! `dnscope trace`: from the roots (the lab's, hints, or given) down, then text, JSON or a
//! picture.

use std::io::Write;

use anyhow::anyhow;
use dnscope::exit;
use dnscope::trace;

use super::{Failure, start_lab, stop_lab, transport};
use crate::output::emit;
use crate::plan::{Output, Picture, TraceJob};
use crate::render;

pub async fn run(job: TraceJob, out: Output) -> Result<u8, Failure> {
    let lab = start_lab(job.start.lab.as_ref()).await?;
    let options = job.start.options(lab.as_deref(), job.settings);
    if !options
        .roots
        .iter()
        .any(|r| options.family.allows(&r.addr.ip()))
    {
        // See: issue 11, defect 6: this is the flag's doing, not a SERVFAIL.
        stop_lab(lab).await;
        let (flag, other) = if options.family.ipv6 {
            ("-6", "IPv4")
        } else {
            ("-4", "IPv6")
        };
        return Err(Failure::new(
            exit::USAGE,
            anyhow!(
                "{flag} leaves no root server to ask: the {} root servers have {other} addresses only",
                options.roots.len()
            ),
        ));
    }
    let live = out.picture.is_none() && !out.json && !out.short;
    if live {
        // Text: each step as it is ready, the summary at the end.
        let result = super::live::trace(
            transport(lab.as_deref(), &Default::default()),
            options,
            job.name,
            job.rtype,
            &out,
        )
        .await;
        stop_lab(lab).await;
        return Ok(result?.exit_code());
    }
    let result = trace::run(
        transport(lab.as_deref(), &Default::default()),
        options,
        job.name,
        job.rtype,
    )
    .await;
    stop_lab(lab).await;
    match out.picture {
        Some(Picture::Dot) => emit(|w| w.write_all(render::dot::render(&result).as_bytes()))?,
        Some(Picture::Svg) => {
            let svg = graphviz(&render::dot::render(&result))?;
            emit(|w| w.write_all(&svg))?;
        }
        None if out.json => {
            emit(|w| render::json::write(w, &render::json::trace::document(&result, out.explain)))?
        }
        None => emit(|w| render::trace::short(w, &result))?,
    }
    Ok(result.exit_code())
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
                exit::ENV,
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
