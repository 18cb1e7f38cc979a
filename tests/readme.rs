//! The README's examples are the program's real output: every `$ dnscope ...` line in a code
//! block is run against the lab, and every line shown under it must appear in the real output,
//! in the same order (the README may leave lines out, and marks a cut with `...`). What
//! changes from run to run is masked on both sides: times, ports, message IDs, clock times,
//! seconds that tick, which server won the race, and table widths that follow them.

mod common;

use common::dnscope;
use regex::Regex;

/// One `$ dnscope ...` command of the README and the lines shown under it.
struct Example {
    line: usize,
    command: String,
    shown: Vec<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    for (n, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ dnscope ") {
            out.push(Example {
                line: n + 1,
                command: command.to_string(),
                shown: Vec::new(),
            });
        } else if line.starts_with("$ ") {
            // Another program's command (a benchmark): not ours to run.
            continue;
        } else if let Some(last) = out.last_mut()
            && last.line + last.shown.len() == n
        {
            last.shown.push(line.to_string());
        }
    }
    out
}

struct Mask(Vec<(Regex, &'static str)>);

impl Mask {
    fn new() -> Self {
        let rules = [
            (r"\d+(\.\d+)? ms", "T ms"),
            (r"#\d+\)", "#PORT)"),
            (r"\(port \d+\)", "(port PORT)"),
            (r"id \d+ ", "id ID "),
            (r"\d\d:\d\d:\d\d UTC", "HH:MM:SS UTC"),
            (r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "DATE UTC"),
            (r"\b\d+ s\b", "N s"),
            (r"│ ✓ ", "│   "),
            (r"─+", "─"),
            (r"═+", "═"),
            (r" {2,}", "  "),
        ];
        Self(
            rules
                .iter()
                .map(|(re, to)| (Regex::new(re).expect("regex"), *to))
                .collect(),
        )
    }

    fn apply(&self, line: &str) -> String {
        let mut s = line.trim_end().to_string();
        for (re, to) in &self.0 {
            s = re.replace_all(&s, *to).into_owned();
        }
        s
    }
}

fn run(command: &str) -> Vec<String> {
    let (command, head) = match command.split_once(" | head -") {
        Some((c, n)) => (c, n.trim().parse::<usize>().ok()),
        None => (command, None),
    };
    let args = shell_words(command);
    let out = dnscope().args(&args).output().expect("run dnscope");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<String> = text.lines().map(String::from).collect();
    match head {
        Some(n) => lines.into_iter().take(n).collect(),
        None => lines,
    }
}

/// Split a command line the way the README's readers' shells would (no quoting is used in
/// the examples beyond plain words).
fn shell_words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

#[test]
fn every_readme_example_is_what_the_program_prints() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mask = Mask::new();
    let all = examples(&readme);
    assert!(all.len() >= 8, "only {} examples found", all.len());
    for ex in all.iter().filter(|e| e.command.contains("--lab")) {
        let real: Vec<String> = run(&ex.command).iter().map(|l| mask.apply(l)).collect();
        let mut at = 0;
        for shown in &ex.shown {
            if shown.trim() == "..." || shown.trim().is_empty() {
                continue;
            }
            let want = mask.apply(shown);
            match real[at..].iter().position(|l| *l == want) {
                Some(i) => at += i + 1,
                None => panic!(
                    "README.md line {}: `dnscope {}` no longer prints (in this order):\n  {shown}\nmasked:\n  {want}\nreal output, masked:\n{}",
                    ex.line,
                    ex.command,
                    real.join("\n")
                ),
            }
        }
    }
}
