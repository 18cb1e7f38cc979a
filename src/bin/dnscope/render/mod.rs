//! Rendering: engine results laid out as text tables or JSON documents, with the words from
//! `words/`. Nothing here touches the network or builds a sentence about DNS of its own; only
//! `output.rs` writes what these functions produce.
//!
//! - `query.rs`, `trace.rs`, `compare.rs`, `lab.rs`, `explain.rs`, `exercises.rs`: text;
//! - `dot.rs`: a picture of a trace (Graphviz);
//! - `json/`: the `--json` documents, one file per schema.

pub mod compare;
pub mod dot;
pub mod exercises;
pub mod explain;
pub mod json;
pub mod lab;
pub mod query;
pub mod trace;

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use crate::words::Mood;

/// Colour and styles, decided once in the plan.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    styled: bool,
}

/// What a piece of text is, so the palette can colour it.
#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Dim,
    Strong,
    Name,
}

impl From<Mood> for Tone {
    fn from(m: Mood) -> Self {
        match m {
            Mood::Good => Tone::Good,
            Mood::Warn => Tone::Warn,
            Mood::Bad => Tone::Bad,
            Mood::Quiet => Tone::Dim,
        }
    }
}

impl Palette {
    pub fn new(styled: bool) -> Self {
        Self { styled }
    }

    /// Wrap `text` in the ANSI codes for `tone` (or not at all).
    pub fn paint(&self, text: &str, tone: impl Into<Tone>) -> String {
        if !self.styled {
            return text.to_string();
        }
        let code = match tone.into() {
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
        let arrangement = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
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
