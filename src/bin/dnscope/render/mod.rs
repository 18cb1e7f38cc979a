//! Rendering: engine results laid out as text tables or JSON documents, with the words from
//! `words/`. Nothing here touches the network or builds a sentence about DNS of its own; only
//! `output.rs` writes what these functions produce.
//!
//! - `query.rs`, `trace.rs`, `compare.rs`, `lab.rs`, `explain.rs`, `exercises.rs`: text;
//! - `dot.rs`: a picture of a trace (Graphviz);
//! - `json/`: the `--json` documents, one file per schema.

pub mod batch;
pub mod compare;
pub mod dnssec;
pub mod dot;
pub mod exercises;
pub mod explain;
pub mod json;
pub mod lab;
pub mod layout;
pub mod query;
pub mod trace;

use comfy_table::{Cell, Color};

use crate::words::Mood;

/// Colour, styles and the character set, decided once in the plan.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    styled: bool,
    ascii: bool,
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
        Self {
            styled,
            ascii: false,
        }
    }

    /// The palette an output asks for.
    pub fn of(o: &crate::plan::Output) -> Self {
        Self {
            styled: o.styled,
            ascii: o.ascii,
        }
    }

    /// The same, drawing in ASCII or not.
    pub fn with_ascii(self, ascii: bool) -> Self {
        Self { ascii, ..self }
    }

    /// Whether colours and styles are on.
    pub fn styled(&self) -> bool {
        self.styled
    }

    /// Whether tables and arrows are drawn in ASCII.
    pub fn ascii(&self) -> bool {
        self.ascii
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
}
