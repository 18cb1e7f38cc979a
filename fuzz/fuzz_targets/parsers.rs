//! Every text dnscope reads from a person: zone files (and the intended state built from
//! them), root hints files, trust-anchor files, the lab's manifest, names lists, names and
//! types. Never a panic; an error is a value.

#![no_main]

use dnscope::batch::input::{self, Names, ZoneOptions};
use dnscope::dnssec::Anchors;
use dnscope::wire::{parse_name, parse_rtype};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes);
    match selector % 7 {
        0 => {
            // $INCLUDE would read files of this machine: not the parser's bytes.
            if text.to_ascii_lowercase().contains("$include") {
                return;
            }
            let origin = hickory_proto::rr::Name::from_ascii("fuzz.test.").ok();
            if let Ok(zone) = dnscope::zonefile::parse_zone(&text, "fuzz.zone", origin, None) {
                let all = ZoneOptions {
                    dnssec: true,
                    glue: true,
                };
                let _ = input::zone_input(zone, all);
            }
        }
        1 => {
            let _ = dnscope::trace::hints::parse(&text);
        }
        2 => {
            let _ = Anchors::parse(&text, "fuzz.anchor");
        }
        3 => {
            let _ = dnscope::lab::check_manifest(&text, "lab.toml");
        }
        4 => {
            for line in text.lines() {
                let _ = input::parse_line(line);
            }
        }
        5 => {
            for line in text.lines() {
                let _ = parse_name(line);
                let _ = parse_rtype(line);
            }
        }
        _ => {
            // Raw bytes, not UTF-8 at all: the names list reader names the line and goes on.
            let _ = Names::new(bytes, "fuzz.txt").count();
        }
    }
});
