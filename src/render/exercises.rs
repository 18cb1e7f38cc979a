//! Human output of `dnscope lab exercises`.

use std::io::{self, Write};

use dnscope::exercises::{EXERCISES, Exercise};

use super::sanitize::for_tty;
use super::{Palette, Tone};

pub fn list(out: &mut dyn Write, pal: &Palette) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        pal.paint(
            "Exercises on the lab (dnscope lab exercises N [--solution]):",
            Tone::Strong
        )
    )?;
    for (i, e) in EXERCISES.iter().enumerate() {
        writeln!(out, "  {:>2}. {}", i + 1, pal.paint(e.title, Tone::Name))?;
        writeln!(out, "      {}", e.question)?;
    }
    Ok(())
}

pub fn one(
    out: &mut dyn Write,
    n: usize,
    e: &Exercise,
    solution: Option<&[String]>,
    pal: &Palette,
) -> io::Result<()> {
    writeln!(
        out,
        "{} {}",
        pal.paint(&format!("Exercise {n}:"), Tone::Strong),
        e.title
    )?;
    writeln!(out)?;
    writeln!(out, "{}", e.question)?;
    writeln!(out)?;
    writeln!(out, "{}", pal.paint("Run:", Tone::Strong))?;
    for c in e.commands {
        writeln!(out, "  {c}")?;
    }
    match solution {
        Some(lines) => {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                pal.paint("Solution (worked out from the lab just now):", Tone::Strong)
            )?;
            for l in lines {
                // Sentences that end on a name would end in "..".
                let l = l
                    .strip_suffix("..")
                    .map(|t| format!("{t}."))
                    .unwrap_or_else(|| l.clone());
                writeln!(out, "  - {}", for_tty(&l))?;
            }
        }
        None => {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                pal.paint(
                    &format!("(dnscope lab exercises {n} --solution shows the answer)"),
                    Tone::Dim
                )
            )?;
        }
    }
    Ok(())
}
