//! Rendering: engine data to text or JSON. Nothing here touches the network; nothing outside
//! this module (and `main.rs`) prints.

pub mod compare;
pub mod dot;
pub mod exercises;
pub mod explain;
pub mod json;
pub mod lab;
pub mod query;
pub mod sanitize;
pub mod trace;

use std::io::IsTerminal;

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use crate::cli::ColorChoice;

/// Whether to style output, decided once: `--color` first, then NO_COLOR (non-empty, as
/// no-color.org says), then TERM=dumb, then whether stdout is a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    styled: bool,
}

/// What a piece of text means, so the palette can colour it.
#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Dim,
    Strong,
    Name,
}

impl Palette {
    pub fn decide(choice: ColorChoice) -> Self {
        let styled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
                !no_color && !dumb && std::io::stdout().is_terminal()
            }
        };
        Self { styled }
    }

    /// Wrap `text` in the ANSI codes for `tone` (or not at all).
    pub fn paint(&self, text: &str, tone: Tone) -> String {
        if !self.styled {
            return text.to_string();
        }
        let code = match tone {
            Tone::Good => "32",
            Tone::Warn => "33",
            Tone::Bad => "31",
            Tone::Dim => "2",
            Tone::Strong => "1",
            Tone::Name => "36",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// A table cell in `tone`.
    pub fn cell(&self, text: &str, tone: Option<Tone>) -> Cell {
        let cell = Cell::new(text);
        match (self.styled, tone) {
            (true, Some(Tone::Good)) => cell.fg(Color::Green),
            (true, Some(Tone::Warn)) => cell.fg(Color::Yellow),
            (true, Some(Tone::Bad)) => cell.fg(Color::Red),
            (true, Some(Tone::Dim)) => cell.fg(Color::DarkGrey),
            (true, Some(Tone::Name)) => cell.fg(Color::Cyan),
            (true, Some(Tone::Strong)) => cell.add_attribute(comfy_table::Attribute::Bold),
            _ => cell,
        }
    }

    /// A table with our look; styling follows the palette, not comfy-table's own tty check.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        // Wrap long cells (TXT, SOA) to the terminal's width; never when piped, so scripts
        // and tests see one record per line.
        let arrangement = if std::io::stdout().is_terminal() {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        };
        table
            .load_preset(presets::UTF8_BORDERS_ONLY)
            .set_content_arrangement(arrangement);
        if self.styled {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(header.iter().map(|h| self.cell(h, Some(Tone::Strong))));
        table
    }
}

/// Seconds as a short human duration: 300 → "5m", 86400 → "1d", 5400 → "1h30m".
pub fn human_ttl(secs: u32) -> String {
    if secs < 60 {
        return format!("{secs}s");
    }
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut rest = secs;
    let mut out = String::new();
    let mut parts = 0;
    for (size, unit) in units {
        if rest >= size && parts < 2 {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
            parts += 1;
        } else if parts > 0 {
            // Two largest units only: "1d2h", not "1d2h3m4s".
            parts = 2;
        }
    }
    out
}

/// Milliseconds with a precision that suits the size.
pub fn ms(d: std::time::Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_read_as_durations() {
        assert_eq!(human_ttl(30), "30s");
        assert_eq!(human_ttl(300), "5m");
        assert_eq!(human_ttl(5400), "1h30m");
        assert_eq!(human_ttl(86_400), "1d");
        assert_eq!(human_ttl(90_061), "1d1h");
        assert_eq!(human_ttl(172_800), "2d");
    }
}
