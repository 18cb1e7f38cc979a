//! Many names at once: `compare --zone FILE` / `--names FILE` (every RRset against every
//! server, and against the zone file's intended state) and `trace --names FILE` (many traces).
//!
//! What makes a batch more than a loop:
//! - one [`Shared`](crate::wire::Shared) transport for the run: each zone cut and each server
//!   address is learnt once (referrals reused for every name under the zone), repeated
//!   questions asked once, a bounded number of questions in flight, in all and per server;
//! - the zones met ([`zones`]): each found once, its servers' SOA asked once;
//! - rows folded as they come ([`Summary`]): counts, causes shared by many rows, identical
//!   rows collapsed, so memory stays flat however long the input;
//! - input streamed ([`input`]): a names list is read line by line, a bad line is reported
//!   with its number and the rest goes on.
//!
//! The engine sends each row as it is done ([`Event`]) and returns the summary; the binary
//! renders both. Nothing here prints.

mod cause;
mod check;
mod engine;
pub mod input;
mod summary;
mod traces;
pub mod zones;

use std::time::Duration;

use hickory_proto::rr::Name;

pub use cause::{Cause, Found, ProblemKind};
pub use check::{Check, RowStatus, ServerCheck, compare_keys};
pub use engine::{CompareBatch, run};
pub use input::{BadLine, Entry, Intended, Item, Names, Skipped, ZoneInput, ZoneOptions};
pub use summary::{CauseTally, Counts, EXAMPLES, Group, ServerTally, Summary};
pub use traces::{
    Endings, FailureTally, TraceBatch, TraceEvent, TraceRow, TraceSummary, Verdicts, run_traces,
};
pub use zones::{NoZone, Zone};

use crate::compare::{AnswerKey, Comparison};

/// One RRset checked at every server.
#[derive(Debug, Clone)]
pub struct Row {
    /// The question, and what it should give.
    pub item: Item,
    /// The zone it was asked in.
    pub zone: Option<Name>,
    /// What every server said, analysed as `compare` does; None when the zone could not be
    /// found.
    pub comparison: Option<Comparison>,
    /// Why the zone could not be found.
    pub no_zone: Option<NoZone>,
    /// The intended data as compared (the file's RRset, nothing, or the authoritative
    /// reference).
    pub intended: Option<AnswerKey>,
    /// Each server's verdict, in the order of the comparison's servers.
    pub checks: Vec<ServerCheck>,
    /// The row's status.
    pub status: RowStatus,
    /// Why it is not as intended.
    pub causes: Vec<Found>,
    /// Questions this row sent (answers reused from the run's cache are not counted).
    pub sent: usize,
    /// From the first question to the last answer.
    pub elapsed: Duration,
}

/// What the engine reports while it runs, in the order things happen.
#[derive(Debug)]
pub enum Event {
    /// A row is done.
    Row(Box<Row>),
    /// An input line could not be read; the rest goes on.
    BadLine(BadLine),
    /// An input line repeats a name and type already checked: checked once.
    Duplicate(Item),
}
