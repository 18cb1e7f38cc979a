//! A trace shown while it runs: each step of the main resolution is printed as soon as it is
//! decided and its slower servers have had a short grace to land (the same rule as the end of
//! a trace), with a one-line progress note on stderr while a step waits (terminal only). The
//! summary comes at the end. What is printed is what the final trace would print.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dnscope::trace::{self, AttemptStatus, End, Live, Step, Trace, TraceOptions};
use dnscope::wire::Transport;
use hickory_proto::rr::{Name, RecordType};

use super::Failure;
use crate::output::{clear_progress, emit, progress};
use crate::plan::Output;
use crate::render;
use crate::words::trace as said;

/// How often the progress note is refreshed and late steps are looked at.
const TICK: Duration = Duration::from_millis(100);

/// Run the trace, printing steps as they are ready; the finished trace.
///
/// # Errors
/// [`Failure`] when stdout fails (a closed pipe is not a failure).
pub async fn trace(
    transport: Arc<dyn Transport>,
    options: TraceOptions,
    name: Name,
    rtype: RecordType,
    out: &Output,
) -> Result<Trace, Failure> {
    let start = said::start_of(&options.start, &options.roots);
    emit(|w| render::trace::header(w, &name, rtype, &start, out))?;
    let (tx, mut rx) = tokio::sync::watch::channel(Live::default());
    let t0 = Instant::now();
    let mut shown = Shown {
        printed: 0,
        number: 0,
        note: std::io::stderr().is_terminal(),
        noted: false,
    };
    let view = Partial {
        name: name.clone(),
        rtype,
        options: options.clone(),
    };
    let engine = trace::run_live(transport, options.clone(), name, rtype, tx);
    tokio::pin!(engine);
    let mut tick = tokio::time::interval(TICK);
    let result = loop {
        tokio::select! {
            t = &mut engine => break t,
            _ = rx.changed() => {}
            _ = tick.tick() => {}
        }
        let snapshot = rx.borrow_and_update().clone();
        let partial = view.trace(snapshot.steps);
        shown.ready(&partial, t0.elapsed(), &options, out)?;
    };
    shown.clear();
    // The rest, from the finished trace (late servers marked as such), then the summary.
    let rest: Vec<usize> = result
        .main_steps()
        .map(|(i, _)| i)
        .skip(shown.printed)
        .collect();
    for i in rest {
        emit(|w| render::trace::main_step(w, &result, i, out, &mut shown.number))?;
    }
    emit(|w| render::trace::footer(w, &result, out))?;
    Ok(result)
}

/// What has been printed so far.
struct Shown {
    /// Main steps printed.
    printed: usize,
    /// The display number of the last step printed (nested ones count too).
    number: usize,
    /// Whether to show a progress note on stderr.
    note: bool,
    /// Whether a progress note is on the screen.
    noted: bool,
}

impl Shown {
    /// Print every main step that is ready, in order; note what the next one waits for.
    fn ready(
        &mut self,
        t: &Trace,
        now: Duration,
        options: &TraceOptions,
        out: &Output,
    ) -> Result<(), Failure> {
        let main: Vec<usize> = t.main_steps().map(|(i, _)| i).collect();
        while let Some(&i) = main.get(self.printed) {
            // A later main step exists only once this one is decided; the last one waits
            // for the end of the trace.
            let decided_and_followed = main.get(self.printed + 1).is_some();
            if !decided_and_followed || !settled(t, i, now, options) {
                break;
            }
            self.clear();
            emit(|w| render::trace::main_step(w, t, i, out, &mut self.number))?;
            self.printed += 1;
        }
        if self.note
            && let Some(&i) = main.get(self.printed)
            && let Some(s) = t.steps.get(i)
        {
            let waiting = s
                .attempts
                .iter()
                .filter(|a| matches!(a.status, AttemptStatus::Pending))
                .count();
            progress(&said::waiting(s, waiting, now));
            self.noted = true;
        }
        Ok(())
    }

    fn clear(&mut self) {
        if self.noted {
            clear_progress();
            self.noted = false;
        }
    }
}

/// Whether a decided step can be shown: nothing of it (or of its nested lookups) is still
/// waiting, or the grace for late servers has passed since it was decided.
fn settled(t: &Trace, index: usize, now: Duration, options: &TraceOptions) -> bool {
    let Some(s) = t.steps.get(index) else {
        return false;
    };
    let family: Vec<&Step> = std::iter::once(s).chain(descendants(t, index)).collect();
    let pending = family
        .iter()
        .flat_map(|s| s.attempts.iter())
        .any(|a| matches!(a.status, AttemptStatus::Pending));
    if !pending {
        return true;
    }
    let slowest = family
        .iter()
        .flat_map(|s| s.attempts.iter())
        .filter_map(dnscope::trace::Attempt::rtt)
        .max()
        .unwrap_or_default();
    let grace = (slowest * 3)
        .max(Duration::from_millis(50))
        .min(options.query.timeout);
    now >= s.started + s.elapsed + grace
}

fn descendants(t: &Trace, index: usize) -> Vec<&Step> {
    let mut out = Vec::new();
    for (c, s) in t.children(index) {
        out.push(s);
        out.extend(descendants(t, c));
    }
    out
}

/// What a trace under way is, besides its steps.
struct Partial {
    name: Name,
    rtype: RecordType,
    options: TraceOptions,
}

impl Partial {
    /// The trace so far, to render its steps (its end is not known yet, and not shown).
    fn trace(&self, steps: Vec<Step>) -> Trace {
        Trace {
            name: self.name.clone(),
            rtype: self.rtype,
            start: self.options.start.clone(),
            roots: self.options.roots.clone(),
            family: self.options.family,
            steps,
            end: End::Limit(trace::Limit::Deadline(self.options.deadline)),
            cnames: Vec::new(),
            answer: Vec::new(),
            zone_cuts: Vec::new(),
            queries: 0,
            checks: 0,
            elapsed: Duration::ZERO,
            wall: Duration::ZERO,
            cold_best_path: Duration::ZERO,
            fetches: Vec::new(),
            dnssec_queries: 0,
            keys_wait: Duration::ZERO,
            dnssec: None,
        }
    }
}
