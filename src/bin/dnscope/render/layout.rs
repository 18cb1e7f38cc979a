//! Fitting the terminal (STYLE.md habit 17): a [`Page`] writes lines no wider than the
//! output's width, wrapping prose at spaces with a hanging indent, and lays out [`Grid`]s
//! (tables) that drop columns in a stated order before they wrap, and then wrap only the
//! columns that hold prose, so that a name or an address is never split.

use std::io::{self, Write};

use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width, presets};
use unicode_width::UnicodeWidthStr;

use super::{Palette, Tone};

/// The display width of `text`: terminal columns, ANSI colour codes left out.
pub fn width(text: &str) -> usize {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI ... final byte (a letter).
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    UnicodeWidthStr::width(plain.as_str())
}

/// Wrap `text` at spaces so that no line is wider than `max` (unless one word alone is);
/// lines after the first start with `hang`. A word is never split.
pub fn wrap(text: &str, max: usize, hang: &str) -> Vec<String> {
    if width(text) <= max {
        return vec![text.to_string()];
    }
    let lead: String = text.chars().take_while(|c| *c == ' ').collect();
    let mut lines = Vec::new();
    let mut line = lead.clone();
    let mut empty = true;
    for word in text[lead.len()..].split(' ') {
        if word.is_empty() {
            // Keep runs of spaces inside a line (alignment), but not at a break.
            if !empty {
                line.push(' ');
            }
            continue;
        }
        let needed = width(&line) + usize::from(!empty) + width(word);
        if !empty && needed > max {
            lines.push(line.trim_end().to_string());
            line = hang.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    if !empty || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Where text goes, how wide it may be, and how it is styled.
pub struct Page<'a> {
    pub out: &'a mut dyn Write,
    pub pal: Palette,
    pub width: usize,
}

impl Page<'_> {
    /// A line of prose, wrapped with a hanging indent of its own indent (spaces and the
    /// `│` of nested steps) plus four spaces.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        let lead: String = text
            .chars()
            .take_while(|c| matches!(c, ' ' | '│'))
            .collect();
        self.hang(text, &format!("{lead}    "))
    }

    /// A line of prose, wrapped; continuation lines start with `hang`.
    pub fn hang(&mut self, text: &str, hang: &str) -> io::Result<()> {
        for l in wrap(text, self.width, hang) {
            writeln!(self.out, "{l}")?;
        }
        Ok(())
    }

    /// An empty line.
    pub fn blank(&mut self) -> io::Result<()> {
        writeln!(self.out)
    }

    /// A table, each line prefixed with `indent` (counted in the width).
    pub fn grid(&mut self, indent: &str, grid: &Grid) -> io::Result<()> {
        self.grid_kept(indent, grid).map(drop)
    }

    /// As [`Page::grid`], and say which columns were kept (a legend explains only those).
    pub fn grid_kept(&mut self, indent: &str, grid: &Grid) -> io::Result<Vec<&'static str>> {
        let room = self.width.saturating_sub(width(indent)).max(20);
        let (lines, kept) = grid.laid_out(&self.pal, room);
        for l in lines {
            writeln!(self.out, "{indent}{l}")?;
        }
        Ok(kept)
    }

    /// Paint with the page's palette.
    pub fn paint(&self, text: &str, tone: impl Into<Tone>) -> String {
        self.pal.paint(text, tone)
    }
}

/// The narrowest a prose column may be made by wrapping before other columns are dropped.
const MIN_PROSE: usize = 24;

/// A column of a [`Grid`].
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// The header.
    pub title: &'static str,
    /// When the table is too wide, columns with a higher number go first; 0 is never dropped.
    pub drop: u8,
    /// The column holds prose that may wrap (the others are names, addresses, numbers).
    pub wraps: bool,
}

impl Col {
    /// A column that stays and never wraps.
    pub const fn keep(title: &'static str) -> Self {
        Self {
            title,
            drop: 0,
            wraps: false,
        }
    }

    /// A column dropped in order `drop` (higher first) when the table is too wide.
    pub const fn drop(title: &'static str, drop: u8) -> Self {
        Self {
            title,
            drop,
            wraps: false,
        }
    }

    /// A column of prose: it wraps at spaces when dropping columns is not enough.
    pub const fn prose(title: &'static str) -> Self {
        Self {
            title,
            drop: 0,
            wraps: true,
        }
    }
}

/// A table of text cells with tones, laid out to fit a width.
pub struct Grid {
    cols: Vec<Col>,
    rows: Vec<Vec<(String, Option<Tone>)>>,
}

impl Grid {
    pub fn new(cols: &[Col]) -> Self {
        Self {
            cols: cols.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<(String, Option<Tone>)>) {
        self.rows.push(cells);
    }

    /// The table's lines, no wider than `max` where the cells allow it (wrap the prose
    /// columns while each keeps a readable width, else drop columns in their order first),
    /// and the titles of the columns kept.
    pub fn laid_out(&self, pal: &Palette, max: usize) -> (Vec<String>, Vec<&'static str>) {
        let bare = Palette::new(false).with_ascii(pal.ascii());
        let mut keep: Vec<usize> = (0..self.cols.len()).collect();
        let fit = u16::try_from(max).unwrap_or(u16::MAX);
        let width_of = loop {
            let plain = self.build(&bare, &keep, None);
            let widest = plain.lines().map(|l| width(&l)).max().unwrap_or(0);
            if widest <= max {
                break None;
            }
            if self.prose_room(&bare, &keep, max) >= MIN_PROSE {
                break Some(fit);
            }
            let droppable = keep
                .iter()
                .enumerate()
                .filter(|(_, c)| self.cols[**c].drop > 0)
                .max_by_key(|(_, c)| self.cols[**c].drop)
                .map(|(i, _)| i);
            match droppable {
                Some(i) => {
                    keep.remove(i);
                }
                None => break Some(fit),
            }
        };
        let lines = self.build(pal, &keep, width_of).lines().collect();
        (lines, keep.iter().map(|&c| self.cols[c].title).collect())
    }

    /// How wide each prose column could be if the others keep their width (0 when there is
    /// no prose column).
    fn prose_room(&self, bare: &Palette, keep: &[usize], max: usize) -> usize {
        let prose: Vec<usize> = keep
            .iter()
            .copied()
            .filter(|&c| self.cols[c].wraps)
            .collect();
        if prose.is_empty() {
            return 0;
        }
        // The table with every prose cell empty: what the other columns and borders take.
        let hollow = Grid {
            cols: self.cols.clone(),
            rows: self
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .enumerate()
                        .map(|(i, cell)| {
                            if self.cols.get(i).is_some_and(|c| c.wraps) {
                                (String::new(), None)
                            } else {
                                cell.clone()
                            }
                        })
                        .collect()
                })
                .collect(),
        };
        let fixed = hollow
            .build(bare, keep, None)
            .lines()
            .map(|l| width(&l))
            .max()
            .unwrap_or(0);
        let headers: usize = prose.iter().map(|&c| width(self.cols[c].title)).sum();
        (max.saturating_sub(fixed) + headers) / prose.len()
    }

    fn build(&self, pal: &Palette, keep: &[usize], fit: Option<u16>) -> Table {
        let mut table = Table::new();
        table.load_preset(if pal.ascii() {
            presets::ASCII_BORDERS_ONLY_CONDENSED
        } else {
            presets::UTF8_BORDERS_ONLY
        });
        if pal.styled() {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(
            keep.iter()
                .map(|&c| pal.cell(self.cols[c].title, Some(Tone::Strong))),
        );
        for row in &self.rows {
            table.add_row(keep.iter().map(|&c| {
                let (text, tone) = row.get(c).cloned().unwrap_or_default();
                pal.cell(&text, tone)
            }));
        }
        match fit {
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
            Some(w) => {
                table
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(w);
                // Names, addresses and numbers keep their whole width; only prose wraps.
                for (i, &c) in keep.iter().enumerate() {
                    if self.cols[c].wraps {
                        continue;
                    }
                    let widest = std::iter::once(self.cols[c].title.to_string())
                        .chain(
                            self.rows
                                .iter()
                                .filter_map(|r| r.get(c).map(|x| x.0.clone())),
                        )
                        // A cell may hold several lines: its widest counts.
                        .map(|t| t.lines().map(width).max().unwrap_or(0))
                        .max()
                        .unwrap_or(1);
                    if let Some(col) = table.column_mut(i) {
                        // The width counts the cell's padding (one space each side).
                        let padded = widest + usize::from(col.padding_width());
                        col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                            u16::try_from(padded).unwrap_or(u16::MAX),
                        )));
                    }
                }
            }
        }
        table
    }
}

/// A plain cell (no tone).
pub fn plain(text: impl Into<String>) -> (String, Option<Tone>) {
    (text.into(), None)
}

/// A cell in a tone.
pub fn toned(text: impl Into<String>, tone: impl Into<Tone>) -> (String, Option<Tone>) {
    (text.into(), Some(tone.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_wraps_at_spaces_with_a_hanging_indent() {
        let text =
            "  - ns2.cafe.example. serves serial 2026112801, behind ns1.cafe.example.'s 2026112802";
        let lines = wrap(text, 40, "    ");
        assert!(lines.iter().all(|l| width(l) <= 40), "{lines:?}");
        assert!(lines[0].starts_with("  - ns2.cafe.example."));
        assert!(lines[1..].iter().all(|l| l.starts_with("    ")));
        assert_eq!(
            lines.join(" ").split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
        // A word longer than the line stays whole.
        let long = wrap("a verylongwordthatdoesnotfit b", 10, "");
        assert_eq!(long, ["a", "verylongwordthatdoesnotfit", "b"]);
    }

    #[test]
    fn colour_codes_have_no_width() {
        assert_eq!(width("\x1b[32mok\x1b[0m"), 2);
        assert_eq!(width("→ ✓"), 3);
    }

    #[test]
    fn tables_drop_columns_then_wrap_prose_but_never_names() {
        let mut g = Grid::new(&[
            Col::keep("SERVER"),
            Col::keep("ADDRESS"),
            Col::drop("RCODE", 2),
            Col::drop("FLAGS", 1),
            Col::prose("OUTCOME"),
        ]);
        g.row(vec![
            plain("a.root-servers.test."),
            plain("127.77.0.2"),
            plain("NOERROR"),
            plain("aa"),
            plain("no reply in 53.2 ms (trace moved on, not waited for)"),
        ]);
        let pal = Palette::new(false);
        let (wide, _) = g.laid_out(&pal, 200);
        assert!(
            wide[1].contains("RCODE") && wide[1].contains("FLAGS"),
            "{wide:?}"
        );
        let (narrow, kept) = g.laid_out(&pal, 60);
        assert!(narrow.iter().all(|l| width(l) <= 60), "{narrow:?}");
        assert!(!narrow[1].contains("RCODE") && !narrow[1].contains("FLAGS"));
        assert_eq!(kept, ["SERVER", "ADDRESS", "OUTCOME"]);
        let text = narrow.join("\n");
        assert!(text.contains("a.root-servers.test.") && text.contains("127.77.0.2"));
    }
}
