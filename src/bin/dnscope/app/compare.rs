//! `dnscope compare`: set up once (scenario, servers, discovery), then one round, or rounds
//! every `--watch` interval while waiting can still change the verdict.

use std::time::Instant;

use dnscope::compare::{self, Authoritative, CompareError, ComparePlan, Round};
use dnscope::trace::TraceOptions;
use dnscope::wire::QueryOptions;

use super::{Failure, start_lab, stop_lab, transport};
use crate::output::emit;
use crate::plan::{CompareJob, Output, servers};
use crate::render;
use crate::render::compare::WatchEnd;

pub async fn run(job: CompareJob, out: Output) -> Result<u8, Failure> {
    let lab = start_lab(job.start.lab.as_ref()).await?;
    let port = job.start.port;
    let resolvers = servers::compare_resolvers(&job.resolvers, lab.as_deref(), port).await?;
    let authoritative = if job.auth.is_empty() {
        // The discovery trace asks with the same patience as the comparison.
        let settings = TraceOptions {
            query: QueryOptions {
                recursion_desired: false,
                ..job.query.clone()
            },
            ..TraceOptions::default()
        };
        Authoritative::Discover(job.start.options(lab.as_deref(), settings))
    } else {
        Authoritative::Given(servers::auth_targets(&job.auth, lab.as_deref(), port).await?)
    };
    let plan = ComparePlan {
        question: job.question,
        resolvers,
        authoritative,
        query: job.query,
    };
    let (session, mut round) =
        compare::run(transport(lab.as_deref(), &job.tls), plan, lab.as_ref())
            .await
            .map_err(|e| {
                let code = match e {
                    CompareError::ScenarioNeedsLab => dnscope::exit::USAGE,
                    CompareError::Lab(_) => dnscope::exit::LAB,
                };
                Failure::new(code, e)
            })?;
    // The watch limit counts from the first round (a scenario is played before it).
    let started = Instant::now();
    let changed_at = session.context().changed_at;
    let mut number = 1u32;
    let code = loop {
        let code = round.comparison.exit_code();
        // Waiting only helps while something will expire by itself; a dead server or a
        // conflict needs a person.
        let helps = code == dnscope::exit::FAILED && round.comparison.waiting_helps();
        let next = job
            .watch
            .filter(|every| helps && started.elapsed() + *every <= job.watch_limit);
        // Under --watch the last round says why the watch ends.
        let end = match (job.watch, next) {
            (Some(_), None) => Some(if round.comparison.consistent {
                WatchEnd::Consistent {
                    after: started.elapsed(),
                    rounds: number,
                    since_change: changed_at.map(|t| round.comparison.at.saturating_sub(t)),
                }
            } else if helps {
                WatchEnd::Limit {
                    limit: job.watch_limit,
                    rounds: number,
                }
            } else {
                WatchEnd::NothingToWaitFor { rounds: number }
            }),
            _ => None,
        };
        show(&session, &round, job.watch.map(|_| number), next, end, &out)?;
        match next {
            Some(every) => {
                tokio::time::sleep(every).await;
                round = session.round().await;
                number += 1;
            }
            None => break code,
        }
    };
    drop(session);
    stop_lab(lab).await;
    Ok(code)
}

fn show(
    session: &compare::Session,
    round: &Round,
    number: Option<u32>,
    next: Option<std::time::Duration>,
    end: Option<WatchEnd>,
    out: &Output,
) -> Result<(), Failure> {
    let view = render::compare::View {
        session,
        round,
        number,
        next,
        end,
    };
    emit(|w| {
        if out.json {
            let doc = render::json::compare::document(&view, out.explain);
            // With --watch, one document per round, each on its own line (JSON Lines).
            if number.is_some() {
                render::json::write_line(w, &doc)
            } else {
                render::json::write(w, &doc)
            }
        } else if out.short {
            render::compare::short(w, &view)
        } else {
            render::compare::render(w, &view, out)
        }
    })
}
