//! The only place that writes to the terminal: data on stdout through [`emit`], and one-line
//! messages on stderr (each prefixed with the binary's name). A closed pipe (`| head`) ends
//! the output quietly, as Unix tools do (ripgrep's convention).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::anyhow;

use crate::app::Failure;

/// Whether text output is drawn in ASCII (set once from the plan; JSON is never changed).
static ASCII: AtomicBool = AtomicBool::new(false);

/// Draw the text output in ASCII from now on (`--ascii`, or a non-UTF-8 locale).
pub fn set_ascii(on: bool) {
    ASCII.store(on, Ordering::Relaxed);
}

/// Write to stdout through `f`; a closed pipe ends quietly.
///
/// # Errors
/// [`Failure`] (internal) when stdout fails for another reason.
pub fn emit(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let result = if ASCII.load(Ordering::Relaxed) {
        let mut ascii = Ascii(&mut lock);
        f(&mut ascii).and_then(|()| ascii.flush())
    } else {
        f(&mut lock).and_then(|()| lock.flush())
    };
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

/// A progress note on stderr, overwriting the previous one (the caller checks that stderr
/// is a terminal).
pub fn progress(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[K{}", dnscope::present::for_tty(text));
    let _ = err.flush();
}

/// Clear the progress note.
pub fn clear_progress() {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[K");
    let _ = err.flush();
}

/// The error line `main` prints before exiting, escaped for the terminal (the message may
/// quote what the user typed, control characters included).
#[allow(clippy::print_stderr)]
pub fn error_line(text: &str) {
    eprintln!("dnscope: {}", dnscope::present::for_tty(text));
}

/// A writer that turns dnscope's own symbols (arrows, ticks, box drawing) into ASCII, for a
/// terminal whose locale is not UTF-8. Data (names, TXT) goes through as it is.
struct Ascii<'a>(&'a mut dyn Write);

/// Each symbol dnscope draws, and its ASCII stand-in.
const SYMBOLS: &[(char, &str)] = &[
    ('→', "->"),
    ('←', "<-"),
    ('✓', "*"),
    ('✗', "x"),
    ('↳', "=>"),
    ('│', "|"),
    ('─', "-"),
    ('═', "="),
    ('╞', "+"),
    ('╡', "+"),
    ('┌', "+"),
    ('┐', "+"),
    ('└', "+"),
    ('┘', "+"),
    ('×', "x"),
    ('—', "-"),
    ('–', "-"),
    ('…', "..."),
];

impl Write for Ascii<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Formatting writes whole strings, so a piece is valid UTF-8 unless data is not.
        match std::str::from_utf8(buf) {
            Ok(text) if text.chars().any(|c| SYMBOLS.iter().any(|(s, _)| *s == c)) => {
                let mut out = String::with_capacity(text.len());
                for c in text.chars() {
                    match SYMBOLS.iter().find(|(s, _)| *s == c) {
                        Some((_, plain)) => out.push_str(plain),
                        None => out.push(c),
                    }
                }
                self.0.write_all(out.as_bytes())?;
            }
            _ => self.0.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
