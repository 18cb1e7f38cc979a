//! Human output of `dnscope lab exercises`.

use std::io::{self, Write};

use dnscope::exercises::{Exercise, Solution};
use dnscope::present::for_tty;

use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::exercises::{solution, text};

pub fn list(out: &mut dyn Write, o: &Output) -> io::Result<()> {
    let pal = Palette::new(o.styled);
    writeln!(
        out,
        "{}",
        pal.paint(
            "Exercises on the lab (dnscope lab exercises N [--solution]):",
            Tone::Strong
        )
    )?;
    for (i, e) in Exercise::ALL.iter().enumerate() {
        let t = text(*e);
        writeln!(out, "  {:>2}. {}", i + 1, pal.paint(t.title, Tone::Name))?;
        writeln!(out, "      {}", t.question)?;
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
    let pal = Palette::new(o.styled);
    let t = text(e);
    writeln!(
        out,
        "{} {}",
        pal.paint(&format!("Exercise {n}:"), Tone::Strong),
        t.title
    )?;
    writeln!(out)?;
    writeln!(out, "{}", t.question)?;
    writeln!(out)?;
    writeln!(out, "{}", pal.paint("Run:", Tone::Strong))?;
    for c in t.commands {
        writeln!(out, "  {c}")?;
    }
    writeln!(out)?;
    match found {
        Some(s) => {
            writeln!(
                out,
                "{}",
                pal.paint("Solution (worked out from the lab just now):", Tone::Strong)
            )?;
            for l in solution(s) {
                // Sentences that end on a name would end in "..".
                let l = l
                    .strip_suffix("..")
                    .map(|t| format!("{t}."))
                    .unwrap_or_else(|| l.clone());
                writeln!(out, "  - {}", for_tty(&l))?;
            }
        }
        None => writeln!(
            out,
            "{}",
            pal.paint(
                &format!("(dnscope lab exercises {n} --solution shows the answer)"),
                Tone::Dim
            )
        )?,
    }
    Ok(())
}
