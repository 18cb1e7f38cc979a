//! Human output of `dnscope explain`, wrapped to the output's width.

use std::io::{self, Write};

use super::layout::Page;
use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::catalog::{CONCEPTS, ConceptDoc, TYPES, TypeDoc};

fn page<'a>(out: &'a mut dyn Write, o: &Output) -> Page<'a> {
    Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    }
}

pub fn list(out: &mut dyn Write, o: &Output) -> io::Result<()> {
    let mut page = page(out, o);
    let title = page.paint("Record types (dnscope explain TYPE):", Tone::Strong);
    page.line(&title)?;
    // Pad before painting: escape codes have no width. See: issue 11, text details.
    let width = TYPES.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for t in TYPES {
        let name = page.paint(&format!("{:<width$}", t.name), Tone::Name);
        page.hang(&format!("  {name} {}", t.summary), &" ".repeat(width + 3))?;
    }
    page.blank()?;
    let title = page.paint("Concepts (dnscope explain CONCEPT):", Tone::Strong);
    page.line(&title)?;
    let width = CONCEPTS.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in CONCEPTS {
        let name = page.paint(&format!("{:<width$}", c.name), Tone::Name);
        page.hang(&format!("  {name} {}", c.summary), &" ".repeat(width + 3))?;
    }
    Ok(())
}

pub fn record_type(out: &mut dyn Write, t: &TypeDoc, o: &Output) -> io::Result<()> {
    let mut page = page(out, o);
    let title = format!("{} — {}", page.paint(t.name, Tone::Strong), t.summary);
    page.line(&title)?;
    page.blank()?;
    let head = page.paint("Fields, in the order they are written:", Tone::Strong);
    page.line(&head)?;
    let width = t
        .fields
        .iter()
        .map(|(f, _)| f.len())
        .max()
        .unwrap_or(0)
        .max(10);
    for (field, meaning) in t.fields {
        let name = page.paint(&format!("{field:<width$}"), Tone::Name);
        page.hang(&format!("  {name} {meaning}"), &" ".repeat(width + 3))?;
    }
    page.blank()?;
    let head = page.paint("Example (zone-file form):", Tone::Strong);
    page.line(&head)?;
    // The example is a zone-file line: never wrapped.
    writeln!(page.out, "  {}", t.example)?;
    page.blank()?;
    let text = format!("{} {}", page.paint("Defined in:", Tone::Strong), t.rfc);
    page.line(&text)?;
    page.blank()?;
    let head = page.paint("Common mistakes:", Tone::Strong);
    page.line(&head)?;
    for m in t.mistakes {
        page.hang(&format!("  - {m}"), "    ")?;
    }
    Ok(())
}

pub fn concept(out: &mut dyn Write, c: &ConceptDoc, o: &Output) -> io::Result<()> {
    let mut page = page(out, o);
    let title = format!("{} — {}", page.paint(c.name, Tone::Strong), c.summary);
    page.line(&title)?;
    page.blank()?;
    for paragraph in c.text.split('\n') {
        page.hang(paragraph, "")?;
    }
    page.blank()?;
    let text = format!("{} {}", page.paint("Defined in:", Tone::Strong), c.rfc);
    page.line(&text)?;
    let text = format!(
        "{} {}",
        page.paint("See it in the lab:", Tone::Strong),
        c.try_it
    );
    page.line(&text)
}
