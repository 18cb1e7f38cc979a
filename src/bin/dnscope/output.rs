//! The only place that writes to the terminal: data on stdout through [`emit`], and one-line
//! messages on stderr (each prefixed with the binary's name). A closed pipe (`| head`) ends
//! the output quietly, as Unix tools do (ripgrep's convention).

use std::io::Write;

use anyhow::anyhow;

use crate::app::Failure;

/// Write to stdout through `f`; a closed pipe ends quietly.
///
/// # Errors
/// [`Failure`] (internal) when stdout fails for another reason.
pub fn emit(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let result = f(&mut lock).and_then(|()| lock.flush());
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(
            dnscope::exit::INTERNAL,
            anyhow!("writing output: {e}"),
        )),
    }
}

/// A line of news on stderr (`dnscope: ...`), e.g. that the lab is running.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "dnscope: {text}");
}

/// The error line `main` prints before exiting, escaped for the terminal (the message may
/// quote what the user typed, control characters included).
#[allow(clippy::print_stderr)]
pub fn error_line(text: &str) {
    eprintln!("dnscope: {}", dnscope::present::for_tty(text));
}
