//! Human output of `dnscope lab exercises`.

use std::io::{self, Write};

use dnscope::exercises::{Exercise, Solution};
use dnscope::present::for_tty;

use super::layout::Page;
use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::exercises::{solution, text};

pub fn list(out: &mut dyn Write, o: &Output) -> io::Result<()> {
    let mut page = Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    };
    let title = page.paint(
        "Exercises on the lab (dnscope lab exercises N [--solution]):",
        Tone::Strong,
    );
    page.line(&title)?;
    for (i, e) in Exercise::ALL.iter().enumerate() {
        let t = text(*e);
        let title = page.paint(t.title, Tone::Name);
        page.line(&format!("  {:>2}. {title}", i + 1))?;
        page.hang(&format!("      {}", t.question), "      ")?;
    }
    Ok(())
}

pub fn one(
    out: &mut dyn Write,
    n: usize,
    e: Exercise,
    found: Option<&Solution>,
    o: &Output,
) -> io::Result<()> {
    let mut page = Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    };
    let t = text(e);
    let title = format!(
        "{} {}",
        page.paint(&format!("Exercise {n}:"), Tone::Strong),
        t.title
    );
    page.line(&title)?;
    page.blank()?;
    page.hang(t.question, "")?;
    page.blank()?;
    let run = page.paint("Run:", Tone::Strong);
    page.line(&run)?;
    for c in t.commands {
        // Commands are pasted: never wrapped.
        writeln!(page.out, "  {c}")?;
    }
    page.blank()?;
    match found {
        Some(s) => {
            let head = page.paint("Solution (worked out from the lab just now):", Tone::Strong);
            page.line(&head)?;
            for l in solution(s) {
                page.hang(&format!("  - {}", for_tty(&l)), "    ")?;
            }
        }
        None => {
            let text = page.paint(
                &format!("(dnscope lab exercises {n} --solution shows the answer)"),
                Tone::Dim,
            );
            page.line(&text)?;
        }
    }
    Ok(())
}
