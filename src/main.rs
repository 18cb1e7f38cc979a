//! The `dnscope` binary: parse arguments, run the engine, render, map errors to exit codes.
//! Everything else lives in the library (`dnscope::*`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod app;
mod cli;
mod control;
mod render;

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
            eprintln!("dnscope: cannot start the async runtime: {e}");
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
            eprintln!("dnscope: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}
