//! The lab's fixture files, compiled into the binary so that `--lab` works from any directory,
//! offline. `--lab-dir DIR` reads a directory of the same shape instead. The test below keeps
//! this list in step with `fixtures/lab/`.

/// `(path relative to fixtures/lab, contents)` for every embedded file.
pub(super) const FILES: &[(&str, &str)] = &[
    ("lab.toml", include_str!("../../fixtures/lab/lab.toml")),
    (
        "zones/arpa.zone",
        include_str!("../../fixtures/lab/zones/arpa.zone"),
    ),
    (
        "zones/badsig.test.zone",
        include_str!("../../fixtures/lab/zones/badsig.test.zone"),
    ),
    (
        "zones/cafe.example.zone",
        include_str!("../../fixtures/lab/zones/cafe.example.zone"),
    ),
    (
        "zones/cdn.example.zone",
        include_str!("../../fixtures/lab/zones/cdn.example.zone"),
    ),
    (
        "zones/dns-host.test.zone",
        include_str!("../../fixtures/lab/zones/dns-host.test.zone"),
    ),
    (
        "zones/eu.shop.test.zone",
        include_str!("../../fixtures/lab/zones/eu.shop.test.zone"),
    ),
    (
        "zones/example.zone",
        include_str!("../../fixtures/lab/zones/example.zone"),
    ),
    (
        "zones/flaky.test.zone",
        include_str!("../../fixtures/lab/zones/flaky.test.zone"),
    ),
    (
        "zones/lame.test.zone",
        include_str!("../../fixtures/lab/zones/lame.test.zone"),
    ),
    (
        "zones/loop.test.parent.zone",
        include_str!("../../fixtures/lab/zones/loop.test.parent.zone"),
    ),
    (
        "zones/media.example.zone",
        include_str!("../../fixtures/lab/zones/media.example.zone"),
    ),
    (
        "zones/photos.example.zone",
        include_str!("../../fixtures/lab/zones/photos.example.zone"),
    ),
    (
        "zones/news.example.stale.zone",
        include_str!("../../fixtures/lab/zones/news.example.stale.zone"),
    ),
    (
        "zones/news.example.zone",
        include_str!("../../fixtures/lab/zones/news.example.zone"),
    ),
    (
        "zones/paris.eu.shop.test.zone",
        include_str!("../../fixtures/lab/zones/paris.eu.shop.test.zone"),
    ),
    (
        "zones/reverse.zone",
        include_str!("../../fixtures/lab/zones/reverse.zone"),
    ),
    (
        "zones/reverse6.zone",
        include_str!("../../fixtures/lab/zones/reverse6.zone"),
    ),
    (
        "zones/root.zone",
        include_str!("../../fixtures/lab/zones/root.zone"),
    ),
    (
        "zones/shop.test.zone",
        include_str!("../../fixtures/lab/zones/shop.test.zone"),
    ),
    (
        "zones/test.zone",
        include_str!("../../fixtures/lab/zones/test.zone"),
    ),
    (
        "zones/expired.test.zone",
        include_str!("../../fixtures/lab/zones/expired.test.zone"),
    ),
    (
        "zones/future.test.zone",
        include_str!("../../fixtures/lab/zones/future.test.zone"),
    ),
    (
        "zones/iter.test.zone",
        include_str!("../../fixtures/lab/zones/iter.test.zone"),
    ),
    (
        "zones/keytrap.test.zone",
        include_str!("../../fixtures/lab/zones/keytrap.test.zone"),
    ),
    (
        "zones/nosig.test.zone",
        include_str!("../../fixtures/lab/zones/nosig.test.zone"),
    ),
    (
        "zones/nsec3.test.zone",
        include_str!("../../fixtures/lab/zones/nsec3.test.zone"),
    ),
    (
        "zones/rollover.test.zone",
        include_str!("../../fixtures/lab/zones/rollover.test.zone"),
    ),
    (
        "zones/privalg.test.zone",
        include_str!("../../fixtures/lab/zones/privalg.test.zone"),
    ),
];

#[cfg(test)]
mod tests {
    use super::FILES;

    #[test]
    fn every_fixture_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lab/zones");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| format!("zones/{}", e.file_name().to_string_lossy()))
                    .collect()
            })
            .unwrap_or_default();
        on_disk.push("lab.toml".to_string());
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded, "update src/lab/fixtures.rs");
    }
}
