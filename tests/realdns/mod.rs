//! A copy of the embedded lab's hierarchy built from real DNS servers: NSD, Knot, BIND and
//! Unbound, each started from a config written into a temp dir, on addresses of its own
//! (127.90.0.0/24, port 53, nothing beyond loopback), and stopped by PID.
//!
//! Why port 53: Unbound and BIND, as resolvers, ask every server they learn about on port 53,
//! so a whole hierarchy has to live there (on addresses no other service uses).
//!
//! Which server runs what (by the last octet of the lab address):
//! - NSD: the root, test., example., arpa. and the broken copy of test. (loop.test's ns1);
//! - BIND (one `named`, one view per address): .41 shop.test, .44 eu.shop.test,
//!   .50 dns-host.test, .52 cdn.example, .60 media.example, .73 and .77 (no zones: lame),
//!   .76 (a copy of the root), .81 news.example (the stale copy), .91 cafe.example (secondary);
//! - Knot (one `knotd` per address): every other zone server — so shop.test, eu.shop.test,
//!   cdn.example, news.example and cafe.example are each served by Knot *and* BIND;
//! - Unbound (.100) and a recursive BIND (.101): caching resolvers whose only root hints are
//!   this hierarchy's root servers; both also serve DoT (port 853) and DoH (443, /dns-query)
//!   with certificates from a test CA made at start ([`RealDns::ca_file`]), for the names
//!   [`UNBOUND_NAME`] and [`BIND_NAME`].
//!
//! Servers the lab runs with a fault (.70 down, .71 black hole) answer REFUSED here instead:
//! a cold Unbound can take longer than the test's patience on servers that never answer.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// The /24 the real hierarchy uses.
pub const NET: &str = "127.90.0";

const NSD_FILES: &[&str] = &[
    "root.zone",
    "test.zone",
    "example.zone",
    "arpa.zone",
    "loop.test.parent.zone",
];
const BIND_OCTETS: &[u8] = &[41, 44, 50, 52, 60, 73, 76, 77, 81, 91];
pub const UNBOUND: &str = "127.90.0.100";
pub const BIND_RESOLVER: &str = "127.90.0.101";
/// The names the resolvers' certificates carry (their addresses too).
pub const UNBOUND_NAME: &str = "unbound.interop.test";
pub const BIND_NAME: &str = "bind.interop.test";

#[derive(Debug, Deserialize)]
struct Manifest {
    server: Vec<Entry>,
}

#[derive(Debug, Deserialize, Clone)]
struct Entry {
    name: String,
    address: String,
    zones: Vec<String>,
    #[serde(default)]
    fault: Option<String>,
}

/// The running hierarchy; dropping it stops every daemon.
pub struct RealDns {
    dir: tempfile::TempDir,
    children: Vec<(String, Child)>,
    /// Loopback addresses added to `lo` for BIND, removed again on drop.
    added: Vec<String>,
    /// Where the Knot primary of cafe.example keeps its zone file and control socket.
    pub cafe_primary: (PathBuf, PathBuf),
    /// The test CA that signed the resolvers' DoT/DoH certificates (PEM).
    pub ca_file: PathBuf,
}

/// Why the interop tests cannot run here.
pub fn unavailable() -> Option<String> {
    for daemon in ["nsd", "knotd", "knotc", "named", "unbound", "ip"] {
        if which(daemon).is_none() {
            return Some(format!(
                "{daemon} is not installed (apt-get install nsd knot bind9 unbound)"
            ));
        }
    }
    // Port 53 needs root (or CAP_NET_BIND_SERVICE).
    match std::net::UdpSocket::bind((format!("{NET}.2").as_str(), 53)) {
        Ok(_) => None,
        Err(e) => Some(format!(
            "cannot bind {NET}.2:53 ({e}): the real servers need port 53"
        )),
    }
}

fn which(cmd: &str) -> Option<PathBuf> {
    for dir in [
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
        "/usr/local/sbin",
        "/usr/local/bin",
    ] {
        let p = Path::new(dir).join(cmd);
        if p.exists() {
            return Some(p);
        }
    }
    None
}

/// Skip (printing why) or fail when DNSCOPE_REQUIRE_INTEROP is set.
pub fn start_or_skip() -> Option<RealDns> {
    if let Some(why) = unavailable() {
        assert!(
            std::env::var_os("DNSCOPE_REQUIRE_INTEROP").is_none(),
            "DNSCOPE_REQUIRE_INTEROP is set, but: {why}"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("SKIPPED interop test: {why}");
        }
        return None;
    }
    Some(RealDns::start())
}

fn lab_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lab")
}

/// Zone text for a real server: the lab's /24 moved to ours, and bytes outside printable
/// ASCII written as \DDD (the lab's TXT test data holds raw control bytes).
fn zone_text(file: &str) -> String {
    let raw = std::fs::read(lab_dir().join("zones").join(file)).expect("zone file");
    let mut out = String::new();
    for b in raw {
        match b {
            b'\n' | b'\t' => out.push(char::from(b)),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.replace("127.77.0.", &format!("{NET}."))
}

fn octet(addr: &str) -> u8 {
    addr.rsplit('.')
        .next()
        .and_then(|o| o.parse().ok())
        .unwrap_or(0)
}

fn origin(file: &str) -> String {
    let text = zone_text(file);
    text.lines()
        .find_map(|l| l.strip_prefix("$ORIGIN "))
        .map(|o| o.trim().to_string())
        .expect("$ORIGIN")
}

impl RealDns {
    fn start() -> RealDns {
        let dir = tempfile::tempdir().expect("tempdir");
        let manifest: Manifest =
            toml::from_str(&std::fs::read_to_string(lab_dir().join("lab.toml")).expect("lab.toml"))
                .expect("manifest");
        let mut rd = RealDns {
            dir,
            children: Vec::new(),
            added: Vec::new(),
            cafe_primary: (PathBuf::new(), PathBuf::new()),
            ca_file: PathBuf::new(),
        };
        rd.certificates();
        // The lab's dead (.70) and black-holed (.71) servers become servers that answer
        // REFUSED for everything (BIND views without zones): a cold Unbound can spend more than
        // 20 s on a zone whose first servers never answer before it tries the live one.
        let servers: Vec<Entry> = manifest
            .server
            .iter()
            .cloned()
            .map(|mut s| {
                s.address = format!("{NET}.{}", octet(&s.address));
                if s.fault.take().is_some() {
                    s.zones.clear();
                }
                s
            })
            .collect();
        // NSD: one instance per zone set.
        let mut nsd_groups: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        let mut knot = Vec::new();
        let mut bind = Vec::new();
        for s in &servers {
            if BIND_OCTETS.contains(&octet(&s.address)) || s.zones.is_empty() {
                bind.push(s.clone());
            } else if s.zones.iter().all(|z| NSD_FILES.contains(&z.as_str())) {
                nsd_groups
                    .entry(s.zones.clone())
                    .or_default()
                    .push(s.address.clone());
            } else {
                knot.push(s.clone());
            }
        }
        for (i, (zones, addrs)) in nsd_groups.iter().enumerate() {
            rd.nsd(i, zones, addrs);
        }
        for s in &knot {
            rd.knot(s);
        }
        rd.bind_auth(&bind);
        rd.unbound();
        rd.bind_resolver();
        rd.wait_ready(&servers);
        rd
    }

    /// A test CA and a certificate (with key) for each resolver: `ca.pem`, `NAME.pem`,
    /// `NAME.key` in the temp dir.
    fn certificates(&mut self) {
        let ca_key = rcgen::KeyPair::generate().expect("key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "dnscope interop CA");
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).expect("ca");
        self.ca_file = self.path("ca.pem");
        std::fs::write(&self.ca_file, ca.pem()).expect("ca.pem");
        for (name, addr) in [(UNBOUND_NAME, UNBOUND), (BIND_NAME, BIND_RESOLVER)] {
            let key = rcgen::KeyPair::generate().expect("key");
            let mut p = rcgen::CertificateParams::new(vec![name.to_string(), addr.to_string()])
                .expect("params");
            p.distinguished_name.push(rcgen::DnType::CommonName, name);
            p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
            let cert = p.signed_by(&key, &ca).expect("leaf");
            std::fs::write(self.path(&format!("{name}.pem")), cert.pem() + &ca.pem()).expect("pem");
            std::fs::write(self.path(&format!("{name}.key")), key.serialize_pem()).expect("key");
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn spawn(&mut self, what: &str, cmd: &mut Command) {
        let log = std::fs::File::create(self.path(&format!("{what}.log"))).expect("log");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        self.children.push((what.to_string(), child));
    }

    fn nsd(&mut self, i: usize, zones: &[String], addrs: &[String]) {
        let d = self.path(&format!("nsd{i}"));
        std::fs::create_dir_all(&d).expect("mkdir");
        let mut conf = String::from("server:\n");
        for a in addrs {
            let _ = writeln!(conf, "  ip-address: {a}");
        }
        let _ = write!(
            conf,
            "  port: 53\n  do-ip6: no\n  username: \"\"\n  chroot: \"\"\n  zonesdir: \"{d}\"\n  database: \"\"\n  pidfile: \"{d}/nsd.pid\"\n  xfrdfile: \"{d}/xfrd.state\"\n  zonelistfile: \"{d}/zone.list\"\n  server-count: 1\n  verbosity: 1\n  refuse-any: no\nremote-control:\n  control-enable: no\n",
            d = d.display()
        );
        for z in zones {
            std::fs::write(d.join(z), zone_text(z)).expect("zone");
            let _ = write!(
                conf,
                "zone:\n  name: \"{}\"\n  zonefile: \"{z}\"\n",
                origin(z)
            );
        }
        std::fs::write(d.join("nsd.conf"), conf).expect("conf");
        self.spawn(
            &format!("nsd{i}"),
            Command::new("nsd")
                .arg("-d")
                .arg("-c")
                .arg(d.join("nsd.conf")),
        );
    }

    fn knot(&mut self, s: &Entry) {
        let o = octet(&s.address);
        let d = self.path(&format!("knot{o}"));
        std::fs::create_dir_all(d.join("db")).expect("mkdir");
        let mut conf = format!(
            "server:\n    listen: {a}@53\n    rundir: \"{d}\"\n    pidfile: \"{d}/knot.pid\"\n    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\ncontrol:\n    listen: \"{d}/knot.sock\"\nlog:\n  - target: stderr\n    any: warning\ndatabase:\n    storage: \"{d}/db\"\ntemplate:\n  - id: default\n    storage: \"{d}\"\n    zonefile-sync: -1\n    zonefile-load: whole\n    journal-content: none\n    semantic-checks: off\nzone:\n",
            a = s.address,
            d = d.display()
        );
        for z in &s.zones {
            std::fs::write(d.join(z), zone_text(z)).expect("zone");
            let _ = write!(conf, "  - domain: \"{}\"\n    file: \"{z}\"\n", origin(z));
            if z == "cafe.example.zone" {
                self.cafe_primary = (d.join(z), d.join("knot.conf"));
            }
        }
        std::fs::write(d.join("knot.conf"), conf).expect("conf");
        self.spawn(
            &format!("knot{o}"),
            Command::new("knotd").arg("-c").arg(d.join("knot.conf")),
        );
    }

    /// BIND only listens on addresses configured on an interface (NSD, Knot and Unbound bind
    /// any 127/8 address), so its addresses are added to `lo` as /32s for the run.
    fn add_to_lo(&mut self, address: &str) {
        let cidr = format!("{address}/32");
        let out = Command::new("ip")
            .args(["addr", "add", &cidr, "dev", "lo"])
            .output()
            .expect("ip");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || err.contains("File exists"),
            "ip addr add {cidr}: {err}"
        );
        if out.status.success() {
            self.added.push(cidr);
        }
    }

    fn bind_auth(&mut self, servers: &[Entry]) {
        for s in servers {
            self.add_to_lo(&s.address);
        }
        let d = self.path("bind");
        std::fs::create_dir_all(&d).expect("mkdir");
        let listen: Vec<String> = servers.iter().map(|s| format!("{};", s.address)).collect();
        let mut conf = format!(
            "options {{\n  directory \"{d}\";\n  pid-file \"{d}/named.pid\";\n  session-keyfile \"{d}/session.key\";\n  managed-keys-directory \"{d}\";\n  listen-on port 53 {{ {l} }};\n  listen-on-v6 {{ none; }};\n  recursion no;\n  dnssec-validation no;\n  empty-zones-enable no;\n  notify no;\n  check-integrity no;\n  check-mx ignore;\n  check-mx-cname ignore;\n  check-srv-cname ignore;\n  check-names primary ignore;\n  check-sibling no;\n  version none;\n}};\ncontrols {{ }};\n",
            d = d.display(),
            l = listen.join(" ")
        );
        for s in servers {
            let o = octet(&s.address);
            let vd = d.join(format!("v{o}"));
            std::fs::create_dir_all(&vd).expect("mkdir");
            let _ = writeln!(
                conf,
                "view \"v{o}\" {{\n  match-destinations {{ {}; }};\n  recursion no;",
                s.address
            );
            for z in &s.zones {
                std::fs::write(vd.join(z), zone_text(z)).expect("zone");
                let name = origin(z);
                let name = if name == "." {
                    ".".to_string()
                } else {
                    name.trim_end_matches('.').to_string()
                };
                let _ = writeln!(
                    conf,
                    "  zone \"{name}\" {{ type primary; file \"{}\"; }};",
                    vd.join(z).display()
                );
            }
            let _ = writeln!(conf, "}};");
        }
        std::fs::write(d.join("named.conf"), conf).expect("conf");
        self.spawn(
            "bind",
            Command::new("named")
                .arg("-g")
                .arg("-c")
                .arg(d.join("named.conf")),
        );
    }

    fn hints(&self) -> String {
        format!(
            ".  3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A {NET}.2\n.  3600000 NS b.root-servers.test.\nb.root-servers.test. 3600000 A {NET}.3\n"
        )
    }

    fn unbound(&mut self) {
        let d = self.path("unbound");
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("root.hints"), self.hints()).expect("hints");
        let conf = format!(
            "server:\n  interface: {UNBOUND}\n  interface: {UNBOUND}@853\n  interface: {UNBOUND}@443\n  tls-port: 853\n  https-port: 443\n  http-endpoint: \"/dns-query\"\n  tls-service-pem: \"{pem}\"\n  tls-service-key: \"{key}\"\n  port: 53\n  do-ip6: no\n  do-daemonize: no\n  username: \"\"\n  chroot: \"\"\n  directory: \"{d}\"\n  pidfile: \"{d}/unbound.pid\"\n  use-syslog: no\n  logfile: \"\"\n  verbosity: 0\n  num-threads: 1\n  root-hints: \"{d}/root.hints\"\n  do-not-query-localhost: no\n  access-control: 127.0.0.0/8 allow\n  module-config: \"iterator\"\n  outgoing-interface: {UNBOUND}\n  local-zone: \"test.\" nodefault\n  local-zone: \"2.0.192.in-addr.arpa.\" nodefault\n  local-zone: \"8.b.d.0.1.0.0.2.ip6.arpa.\" nodefault\nremote-control:\n  control-enable: no\n",
            d = d.display(),
            pem = self.path(&format!("{UNBOUND_NAME}.pem")).display(),
            key = self.path(&format!("{UNBOUND_NAME}.key")).display(),
        );
        std::fs::write(d.join("unbound.conf"), conf).expect("conf");
        self.spawn(
            "unbound",
            Command::new("unbound")
                .arg("-d")
                .arg("-c")
                .arg(d.join("unbound.conf")),
        );
    }

    fn bind_resolver(&mut self) {
        self.add_to_lo(BIND_RESOLVER);
        let d = self.path("bindres");
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("root.hints"), self.hints()).expect("hints");
        let conf = format!(
            "tls interop-tls {{ key-file \"{key}\"; cert-file \"{pem}\"; }};\nhttp interop-doh {{ endpoints {{ \"/dns-query\"; }}; }};\noptions {{\n  directory \"{d}\";\n  pid-file \"{d}/named.pid\";\n  session-keyfile \"{d}/session.key\";\n  managed-keys-directory \"{d}\";\n  listen-on port 53 {{ {BIND_RESOLVER}; }};\n  listen-on port 853 tls interop-tls {{ {BIND_RESOLVER}; }};\n  listen-on port 443 tls interop-tls http interop-doh {{ {BIND_RESOLVER}; }};\n  listen-on-v6 {{ none; }};\n  query-source address {BIND_RESOLVER};\n  recursion yes;\n  allow-recursion {{ 127.0.0.0/8; }};\n  allow-query {{ 127.0.0.0/8; }};\n  dnssec-validation no;\n  empty-zones-enable no;\n  notify no;\n}};\ncontrols {{ }};\nzone \".\" {{ type hint; file \"{d}/root.hints\"; }};\n",
            d = d.display(),
            pem = self.path(&format!("{BIND_NAME}.pem")).display(),
            key = self.path(&format!("{BIND_NAME}.key")).display(),
        );
        std::fs::write(d.join("named.conf"), conf).expect("conf");
        self.spawn(
            "bindres",
            Command::new("named")
                .arg("-g")
                .arg("-c")
                .arg(d.join("named.conf")),
        );
    }

    /// Wait until every authoritative server answers for its first zone and both resolvers
    /// answer at all.
    fn wait_ready(&mut self, servers: &[Entry]) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut pending: Vec<(String, String)> = servers
            .iter()
            .map(|s| {
                (
                    s.address.clone(),
                    s.zones
                        .first()
                        .map(|z| origin(z))
                        .unwrap_or_else(|| ".".into()),
                )
            })
            .collect();
        pending.push((UNBOUND.to_string(), ".".to_string()));
        pending.push((BIND_RESOLVER.to_string(), ".".to_string()));
        while !pending.is_empty() {
            pending.retain(|(addr, zone)| !answers(addr, zone));
            if pending.is_empty() {
                break;
            }
            if Instant::now() > deadline {
                let logs: Vec<String> = self
                    .children
                    .iter()
                    .map(|(w, _)| {
                        format!(
                            "--- {w}:\n{}",
                            std::fs::read_to_string(self.path(&format!("{w}.log")))
                                .unwrap_or_default()
                        )
                    })
                    .collect();
                panic!("real servers not ready: {pending:?}\n{}", logs.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Edit the cafe.example primary (Knot): `menu` gets a new address and the serial goes up;
    /// then tell knotd to reload the zone (through its control socket in the temp dir).
    pub fn change_cafe_menu(&self, new_address: &str) {
        let (zone, conf) = &self.cafe_primary;
        let text = std::fs::read_to_string(zone).expect("zone");
        let text = text
            .replace("192.0.2.10", new_address)
            .replace("2026112801 ; serial", "2026112802 ; serial");
        std::fs::write(zone, text).expect("write zone");
        let out = Command::new("knotc")
            .arg("-c")
            .arg(conf)
            .args(["zone-reload", "cafe.example."])
            .output()
            .expect("knotc");
        assert!(
            out.status.success(),
            "knotc: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while soa_serial(&format!("{NET}.90"), "cafe.example.") != Some(2026112802) {
            assert!(Instant::now() < deadline, "the primary did not reload");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for RealDns {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        for cidr in &self.added {
            let _ = Command::new("ip")
                .args(["addr", "del", cidr, "dev", "lo"])
                .output();
        }
    }
}

/// Ask `addr` for `zone SOA` with the dnscope binary; true on any response.
fn answers(addr: &str, zone: &str) -> bool {
    let out = dnscope_query(&[
        zone,
        "SOA",
        &format!("@{addr}:53"),
        "--no-rd",
        "--timeout",
        "300ms",
        "--retries",
        "0",
    ]);
    out.is_some_and(|doc| doc["responses"][0]["ok"] == true)
}

/// The SOA serial `addr` serves for `zone`.
pub fn soa_serial(addr: &str, zone: &str) -> Option<u64> {
    let doc = dnscope_query(&[
        zone,
        "SOA",
        &format!("@{addr}:53"),
        "--no-rd",
        "--timeout",
        "500ms",
    ])?;
    let data = doc["responses"][0]["answer"][0]["data"]
        .as_str()?
        .to_string();
    data.split_whitespace().nth(2)?.parse().ok()
}

/// Run `dnscope query ARGS --json`.
pub fn dnscope_query(args: &[&str]) -> Option<serde_json::Value> {
    let out = super::common::dnscope()
        .arg("query")
        .args(args)
        .arg("--json")
        .output()
        .ok()?;
    serde_json::from_slice(&out.stdout).ok()
}
