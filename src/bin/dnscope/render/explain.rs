//! Human output of `dnscope explain`.

use std::io::{self, Write};

use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::catalog::{CONCEPTS, ConceptDoc, TYPES, TypeDoc};

pub fn list(out: &mut dyn Write, o: &Output) -> io::Result<()> {
    let pal = &Palette::new(o.styled);
    writeln!(
        out,
        "{}",
        pal.paint("Record types (dnscope explain TYPE):", Tone::Strong)
    )?;
    for t in TYPES {
        writeln!(out, "  {:<8} {}", pal.paint(t.name, Tone::Name), t.summary)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        pal.paint("Concepts (dnscope explain CONCEPT):", Tone::Strong)
    )?;
    for c in CONCEPTS {
        writeln!(out, "  {:<18} {}", pal.paint(c.name, Tone::Name), c.summary)?;
    }
    Ok(())
}

pub fn record_type(out: &mut dyn Write, t: &TypeDoc, o: &Output) -> io::Result<()> {
    let pal = &Palette::new(o.styled);
    writeln!(out, "{} — {}", pal.paint(t.name, Tone::Strong), t.summary)?;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        pal.paint("Fields, in the order they are written:", Tone::Strong)
    )?;
    for (field, meaning) in t.fields {
        writeln!(out, "  {:<22} {meaning}", pal.paint(field, Tone::Name))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        pal.paint("Example (zone-file form):", Tone::Strong)
    )?;
    writeln!(out, "  {}", t.example)?;
    writeln!(out)?;
    writeln!(out, "{} {}", pal.paint("Defined in:", Tone::Strong), t.rfc)?;
    writeln!(out)?;
    writeln!(out, "{}", pal.paint("Common mistakes:", Tone::Strong))?;
    for m in t.mistakes {
        writeln!(out, "  - {m}")?;
    }
    Ok(())
}

pub fn concept(out: &mut dyn Write, c: &ConceptDoc, o: &Output) -> io::Result<()> {
    let pal = &Palette::new(o.styled);
    writeln!(out, "{} — {}", pal.paint(c.name, Tone::Strong), c.summary)?;
    writeln!(out)?;
    writeln!(out, "{}", c.text)?;
    writeln!(out)?;
    writeln!(out, "{} {}", pal.paint("Defined in:", Tone::Strong), c.rfc)?;
    writeln!(
        out,
        "{} {}",
        pal.paint("See it in the lab:", Tone::Strong),
        c.try_it
    )?;
    Ok(())
}
