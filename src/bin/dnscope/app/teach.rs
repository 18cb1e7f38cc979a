//! The teaching commands: `explain`, `lab exercises`, and the generated `completions` and
//! `man` page.

use anyhow::anyhow;
use dnscope::exercises::{self, Exercise};
use dnscope::exit;
use dnscope::lab::LabConfig;

use super::{Failure, start_lab, stop_lab, transport};
use crate::cli::Cli;
use crate::output::emit;
use crate::plan::Output;
use crate::render;
use crate::words::catalog;

pub fn explain(topic: Option<&str>, out: Output) -> Result<u8, Failure> {
    let Some(topic) = topic else {
        emit(|w| {
            if out.json {
                render::json::write(w, &render::json::explain::list())
            } else {
                render::explain::list(w, &out)
            }
        })?;
        return Ok(exit::OK);
    };
    if let Some(doc) = catalog::type_doc(topic) {
        emit(|w| {
            if out.json {
                render::json::write(w, &render::json::explain::type_doc(doc))
            } else {
                render::explain::record_type(w, doc, &out)
            }
        })?;
        return Ok(exit::OK);
    }
    if let Some(doc) = catalog::concept(topic) {
        emit(|w| {
            if out.json {
                render::json::write(w, &render::json::explain::concept_doc(doc))
            } else {
                render::explain::concept(w, doc, &out)
            }
        })?;
        return Ok(exit::OK);
    }
    Err(Failure::new(
        exit::USAGE,
        anyhow!(
            "nothing to explain about {topic:?}: `dnscope explain` lists the record types and concepts"
        ),
    ))
}

pub async fn exercises(
    config: LabConfig,
    number: Option<usize>,
    solution: bool,
    out: Output,
) -> Result<u8, Failure> {
    let Some(n) = number else {
        emit(|w| {
            if out.json {
                render::json::write(w, &render::json::exercises::list())
            } else {
                render::exercises::list(w, &out)
            }
        })?;
        return Ok(exit::OK);
    };
    let Some(exercise) = Exercise::number(n) else {
        return Err(Failure::new(
            exit::USAGE,
            anyhow!(
                "there is no exercise {n}: `dnscope lab exercises` lists 1 to {}",
                Exercise::ALL.len()
            ),
        ));
    };
    let answer = if solution {
        let lab = start_lab(Some(&config)).await?;
        let Some(lab) = lab else { return Ok(exit::OK) };
        let found =
            exercises::solve(exercise, &lab, transport(Some(&lab), &Default::default())).await;
        stop_lab(Some(lab)).await;
        Some(found.map_err(|e| Failure::new(exit::LAB, anyhow!("exercise {n}: {e}")))?)
    } else {
        None
    };
    emit(|w| {
        if out.json {
            render::json::write(
                w,
                &render::json::exercises::one(n, exercise, answer.as_ref()),
            )
        } else {
            render::exercises::one(w, n, exercise, answer.as_ref(), &out)
        }
    })?;
    Ok(exit::OK)
}

pub fn completions(shell: clap_complete::Shell) -> Result<u8, Failure> {
    let mut command = <Cli as clap::CommandFactory>::command();
    emit(|w| {
        clap_complete::generate(shell, &mut command, "dnscope", w);
        Ok(())
    })?;
    Ok(exit::OK)
}

/// The main page, or `dnscope-SUB(1)`, the page the main one's SEE ALSO names.
pub fn man(sub: Option<&str>) -> Result<u8, Failure> {
    let command = <Cli as clap::CommandFactory>::command();
    let page = match sub {
        None => command,
        Some(name) => {
            let found = command
                .get_subcommands()
                .find(|c| c.get_name() == name)
                .cloned()
                .ok_or_else(|| {
                    let names: Vec<&str> =
                        command.get_subcommands().map(|c| c.get_name()).collect();
                    Failure::new(
                        exit::USAGE,
                        anyhow!("no subcommand {name:?} (one of: {})", names.join(", ")),
                    )
                })?;
            // The page's title is dnscope-NAME, as the main page refers to it.
            found
                .name(format!("dnscope-{name}"))
                .bin_name(format!("dnscope {name}"))
        }
    };
    emit(|w| clap_mangen::Man::new(page).render(w))?;
    Ok(exit::OK)
}
