//! A batch's rows folded as they come: counts per status and per server, causes with the
//! rows they explain, and identical rows collapsed into groups. Only the counts and a few
//! examples are kept, so a batch of a million rows needs no more memory than one of ten.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::{Name, RecordType};

use super::Row;
use super::cause::Cause;
use super::check::{Check, RowStatus};
use super::input::BadLine;
use super::zones::Zone;
use crate::compare::Kind;
use crate::wire::SharedStats;

/// Examples kept per cause and per group.
pub const EXAMPLES: usize = 5;

/// Bad input lines kept (the rest are counted).
const BAD_LINES: usize = 100;

/// Rows per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub matches: usize,
    pub differs: usize,
    pub missing: usize,
    pub extra: usize,
    pub error: usize,
}

impl Counts {
    /// Count one row of `status`.
    pub fn add(&mut self, status: RowStatus) {
        *self.get_mut(status) += 1;
    }

    fn get_mut(&mut self, status: RowStatus) -> &mut usize {
        match status {
            RowStatus::Matches => &mut self.matches,
            RowStatus::Differs => &mut self.differs,
            RowStatus::Missing => &mut self.missing,
            RowStatus::Extra => &mut self.extra,
            RowStatus::Error => &mut self.error,
        }
    }

    /// The rows of `status`.
    pub fn get(&self, status: RowStatus) -> usize {
        match status {
            RowStatus::Matches => self.matches,
            RowStatus::Differs => self.differs,
            RowStatus::Missing => self.missing,
            RowStatus::Extra => self.extra,
            RowStatus::Error => self.error,
        }
    }

    /// Every row counted.
    pub fn total(&self) -> usize {
        RowStatus::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// One server's checks, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTally {
    pub label: String,
    pub addr: SocketAddr,
    pub kind: Kind,
    pub matches: usize,
    pub differs: usize,
    pub missing: usize,
    pub extra: usize,
    pub error: usize,
    /// Rows where it could not be checked (nothing to compare with).
    pub unchecked: usize,
}

/// A cause and the rows it explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseTally {
    pub cause: Cause,
    /// Rows it explains.
    pub rows: usize,
    /// The first few, in input order.
    pub examples: Vec<(usize, Name, RecordType)>,
    /// When the last of the cached data it explains expires (Unix seconds), for cache causes.
    pub expires_by: Option<u64>,
}

/// Rows with the same status, the same verdict at every server and the same causes.
#[derive(Debug, Clone)]
pub struct Group {
    pub status: RowStatus,
    /// Each server's verdict, in the order of the first row's servers.
    pub checks: Vec<(String, Option<Check>)>,
    pub causes: Vec<Cause>,
    /// Rows in the group.
    pub rows: usize,
    /// The first few, in input order.
    pub examples: Vec<(usize, Name, RecordType)>,
    /// The first row whole: what a one-row group shows.
    pub first: Box<Row>,
}

type GroupKey = (RowStatus, Vec<(String, Option<Check>)>, Vec<Cause>);

/// Everything a batch found, folded.
#[derive(Debug, Default)]
pub struct Summary {
    /// Rows per status.
    pub counts: Counts,
    /// Per server, in the order first seen.
    pub servers: Vec<ServerTally>,
    /// Causes, in the order first seen.
    pub causes: Vec<CauseTally>,
    /// Groups of identical rows, in the order first seen.
    pub groups: Vec<Group>,
    group_index: HashMap<GroupKey, usize>,
    /// Bad input lines (the first hundred).
    pub bad_lines: Vec<BadLine>,
    /// Bad input lines in all.
    pub bad_count: usize,
    /// Input lines that repeated a name and type already checked (checked once).
    pub duplicates: usize,
    /// The first few of them: (line, name, type).
    pub duplicate_examples: Vec<(Option<usize>, Name, RecordType)>,
    /// Zones learnt.
    pub zones: Vec<Arc<Zone>>,
    /// What the transport sent and reused.
    pub transport: SharedStats,
    /// Questions the rows themselves sent (the rest went to finding the zones).
    pub row_queries: usize,
    /// Servers asked per row, at most.
    pub servers_per_row: usize,
    /// The zone file's serial, when checking a zone file.
    pub file_serial: Option<u32>,
    /// The whole run.
    pub elapsed: Duration,
}

impl Summary {
    /// Fold one row in.
    pub fn add(&mut self, row: &Row) {
        self.counts.add(row.status);
        self.row_queries += row.sent;
        let example = (row.item.index, row.item.name.clone(), row.item.rtype);
        if let Some(c) = &row.comparison {
            self.servers_per_row = self.servers_per_row.max(c.servers.len());
            for (s, k) in c.servers.iter().zip(&row.checks) {
                let i = match self.servers.iter().position(|t| t.addr == s.addr) {
                    Some(i) => i,
                    None => {
                        self.servers.push(ServerTally {
                            label: s.label.clone(),
                            addr: s.addr,
                            kind: s.kind,
                            matches: 0,
                            differs: 0,
                            missing: 0,
                            extra: 0,
                            error: 0,
                            unchecked: 0,
                        });
                        self.servers.len() - 1
                    }
                };
                let t = &mut self.servers[i];
                match k.check {
                    Some(Check::Matches) => t.matches += 1,
                    Some(Check::Differs) => t.differs += 1,
                    Some(Check::Missing) => t.missing += 1,
                    Some(Check::Extra) => t.extra += 1,
                    Some(Check::Error) => t.error += 1,
                    None => t.unchecked += 1,
                }
            }
        }
        for f in &row.causes {
            let i = match self.causes.iter().position(|t| t.cause == f.cause) {
                Some(i) => i,
                None => {
                    self.causes.push(CauseTally {
                        cause: f.cause.clone(),
                        rows: 0,
                        examples: Vec::new(),
                        expires_by: None,
                    });
                    self.causes.len() - 1
                }
            };
            let t = &mut self.causes[i];
            t.rows += 1;
            keep_example(&mut t.examples, &example);
            t.expires_by = t.expires_by.max(f.expires_at);
        }
        let checks: Vec<(String, Option<Check>)> = match &row.comparison {
            Some(c) => c
                .servers
                .iter()
                .zip(&row.checks)
                .map(|(s, k)| (s.label.clone(), k.check))
                .collect(),
            None => Vec::new(),
        };
        let causes: Vec<Cause> = row.causes.iter().map(|f| f.cause.clone()).collect();
        let key = (row.status, checks, causes);
        match self.group_index.get(&key) {
            Some(&i) => {
                let g = &mut self.groups[i];
                g.rows += 1;
                keep_example(&mut g.examples, &example);
                if row.item.index < g.first.item.index {
                    *g.first = row.clone();
                }
            }
            None => {
                self.group_index.insert(key.clone(), self.groups.len());
                self.groups.push(Group {
                    status: key.0,
                    checks: key.1,
                    causes: key.2,
                    rows: 1,
                    examples: vec![example],
                    first: Box::new(row.clone()),
                });
            }
        }
    }

    /// Note a bad input line.
    pub fn bad_line(&mut self, bad: BadLine) {
        self.bad_count += 1;
        if self.bad_lines.len() < BAD_LINES {
            self.bad_lines.push(bad);
        }
    }

    /// Note a repeated name and type.
    pub fn duplicate(&mut self, line: Option<usize>, name: Name, rtype: RecordType) {
        self.duplicates += 1;
        if self.duplicate_examples.len() < EXAMPLES {
            self.duplicate_examples.push((line, name, rtype));
        }
    }

    /// Rows checked.
    pub fn rows(&self) -> usize {
        self.counts.total()
    }

    /// Questions sent to find the zones and their servers (the one-time descent), beside the
    /// rows' own.
    pub fn descent_queries(&self) -> usize {
        self.transport.sent.saturating_sub(self.row_queries)
    }

    /// Groups sorted for showing: by status (matches last), then input order.
    pub fn groups_in_order(&self) -> Vec<&Group> {
        let mut g: Vec<&Group> = self.groups.iter().collect();
        g.sort_by_key(|g| {
            (
                g.status == RowStatus::Matches,
                g.examples.first().map_or(usize::MAX, |e| e.0),
            )
        });
        g
    }

    /// The exit code (see [`crate::exit`]): bad input first (the check is incomplete), then
    /// differences, then success. An empty input is bad input.
    pub fn exit_code(&self) -> u8 {
        if self.bad_count > 0 || self.rows() == 0 {
            crate::exit::USAGE
        } else if self.counts.matches == self.rows() {
            crate::exit::OK
        } else {
            crate::exit::FAILED
        }
    }
}

/// Keep the example if it is among the first few in input order (rows arrive as they finish).
fn keep_example(list: &mut Vec<(usize, Name, RecordType)>, e: &(usize, Name, RecordType)) {
    let at = list.partition_point(|x| x.0 < e.0);
    if at < EXAMPLES {
        list.insert(at, e.clone());
        list.truncate(EXAMPLES);
    }
}
