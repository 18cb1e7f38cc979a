//! The `dnscope` binary: parse the command line into a [`plan::Plan`], run it, render what the
//! engine (the `dnscope` library) returns, and map the outcome to an exit code.
//!
//! The modules, in the order data flows:
//!
//! - `cli`: the clap definition of every command and flag (help, completions, man page);
//! - `plan`: what the user typed, validated once into a complete plan (no clap type below);
//! - `app`: runs a plan: starts the lab if asked, resolves the servers, calls the engine,
//!   hands the result to the renderer (one file per command);
//! - `words`: the one vocabulary: each engine result's JSON kind and its sentence;
//! - `render`: text tables and JSON documents laid out from the words (never the network);
//! - `output`: the only place that writes to stdout/stderr;
//! - `control`: the commands typed into a running `dnscope lab`.

mod app;
mod cli;
mod control;
mod output;
mod plan;
mod render;
mod words;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::error_line(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(dnscope::exit::INTERNAL);
        }
    };
    let result = runtime.block_on(app::run(cli));
    // Do not wait for blocking work that cannot be cancelled (a read on standard input, a
    // server task still winding down): the answer is already out.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            // `{:#}` prints the whole cause chain on one line (ripgrep's habit).
            output::error_line(&format!("{:#}", failure.error));
            ExitCode::from(failure.code)
        }
    }
}
