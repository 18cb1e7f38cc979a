//! `lab exercises --json`: schema `dnscope.exercises/1`.

use dnscope::exercises::{Exercise, Solution};
use serde::Serialize;

use crate::words::exercises::{solution, text};

/// Schema name and version of `lab exercises --json`.
pub const SCHEMA: &str = "dnscope.exercises/1";

#[derive(Serialize)]
pub struct ExerciseDoc {
    number: usize,
    title: &'static str,
    question: &'static str,
    commands: &'static [&'static str],
    /// With `--solution`: the solution worked out from the lab, a sentence each.
    #[serde(skip_serializing_if = "Option::is_none")]
    solution: Option<Vec<String>>,
}

#[derive(Serialize)]
pub struct ListDoc {
    schema: &'static str,
    exercises: Vec<ExerciseDoc>,
}

#[derive(Serialize)]
pub struct OneDoc {
    schema: &'static str,
    #[serde(flatten)]
    exercise: ExerciseDoc,
}

fn doc(number: usize, e: Exercise, found: Option<&Solution>) -> ExerciseDoc {
    let t = text(e);
    ExerciseDoc {
        number,
        title: t.title,
        question: t.question,
        commands: t.commands,
        solution: found.map(solution),
    }
}

/// Every exercise.
pub fn list() -> ListDoc {
    ListDoc {
        schema: SCHEMA,
        exercises: Exercise::ALL
            .iter()
            .enumerate()
            .map(|(i, e)| doc(i + 1, *e, None))
            .collect(),
    }
}

/// One exercise, with its solution when worked out.
pub fn one(number: usize, e: Exercise, found: Option<&Solution>) -> OneDoc {
    OneDoc {
        schema: SCHEMA,
        exercise: doc(number, e, found),
    }
}
