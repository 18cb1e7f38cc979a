//! `dnscope query`: the servers (given, the lab's, or resolv.conf's), one question to each.

use dnscope::query::{self, QueryPlan};

use super::{Failure, start_lab, stop_lab, transport};
use crate::output::emit;
use crate::plan::{Output, QueryJob, servers};
use crate::render;

pub async fn run(job: QueryJob, out: Output) -> Result<u8, Failure> {
    let lab = start_lab(job.lab.as_ref()).await?;
    let targets = servers::query_targets(&job.servers, &job.name, lab.as_deref(), job.port).await?;
    let targets = servers::of_family(targets, job.family)?;
    let plan = QueryPlan {
        name: job.name,
        rtype: job.rtype,
        class: job.class,
        targets,
        options: job.options,
        validate: job.validate,
    };
    let report = query::run(transport(lab.as_deref(), &job.tls), &plan).await;
    stop_lab(lab).await;
    emit(|w| {
        if out.json {
            render::json::write(w, &render::json::query::document(&report, out.explain))
        } else if out.short {
            render::query::short(w, &report)
        } else {
            render::query::render(w, &report, &out)
        }
    })?;
    Ok(report.exit_code())
}
