//! `dnscope lab`: run the lab in the foreground, print its plan, take control commands on
//! standard input until Ctrl-C or SIGTERM.

use dnscope::exit;
use dnscope::lab::LabConfig;

use super::{Failure, start_lab, stop_lab};
use crate::output::{emit, note};
use crate::plan::Output;
use crate::render;

pub async fn run(config: LabConfig, out: Output) -> Result<u8, Failure> {
    let lab = start_lab(Some(&config)).await?;
    let Some(lab) = lab else {
        return Ok(exit::OK);
    };
    let ca_file = write_ca(&lab);
    emit(|w| {
        if out.json {
            render::json::write(w, &render::json::lab::document(&lab, ca_file.as_deref()))
        } else {
            render::lab::render(w, &lab, ca_file.as_deref(), &out)?;
            writeln!(w)?;
            writeln!(w, "{}", crate::control::HELP)
        }
    })?;
    note(&format!(
        "lab running on port {}; press Ctrl-C to stop",
        lab.port()
    ));
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
                // A closed stdout only loses the answer; the lab keeps running.
                let _ = emit(|w| writeln!(w, "{answer}"));
            }
        }
    });
    wait_for_stop().await;
    reader.abort();
    let _ = reader.await;
    stop_lab(Some(lab)).await;
    if let Some(file) = ca_file {
        let _ = std::fs::remove_file(file);
    }
    Ok(exit::OK)
}

/// Save the lab CA's certificate where kdig and `--ca-file` can read it: one file per lab
/// (net and port), removed when the lab stops. None (and a note) when it cannot be written.
fn write_ca(lab: &dnscope::lab::Lab) -> Option<std::path::PathBuf> {
    if lab.servers().iter().all(|s| s.secure.is_none()) {
        return None;
    }
    let net = lab
        .servers()
        .first()
        .map(|s| s.address.octets())
        .map_or_else(String::new, |o| format!("{}.{}.{}", o[0], o[1], o[2]));
    let path = std::env::temp_dir().join(format!("dnscope-lab-{net}-{}-ca.pem", lab.port()));
    // A file of our own: an old one (a lab killed before it could remove it) is replaced,
    // and a file or link someone else put there is not written through.
    let _ = std::fs::remove_file(&path);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, lab.ca_pem().as_bytes()));
    match written {
        Ok(()) => Some(path),
        Err(e) => {
            note(&format!(
                "cannot save the lab CA to {}: {e}",
                path.display()
            ));
            None
        }
    }
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
