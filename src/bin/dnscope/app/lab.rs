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
    emit(|w| {
        if out.json {
            render::json::write(w, &render::json::lab::document(&lab))
        } else {
            render::lab::render(w, &lab, &out)?;
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
    Ok(exit::OK)
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
