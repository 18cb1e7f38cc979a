//! `explain --json`: schema `dnscope.explain/1`.

use serde::Serialize;

use crate::words::catalog::{ConceptDoc, TypeDoc};

/// Schema name and version of `explain --json`.
pub const SCHEMA: &str = "dnscope.explain/1";

#[derive(Serialize)]
pub struct TypeDocJson {
    schema: &'static str,
    name: &'static str,
    summary: &'static str,
    fields: Vec<FieldDoc>,
    example: &'static str,
    rfc: &'static str,
    mistakes: &'static [&'static str],
}

#[derive(Serialize)]
struct FieldDoc {
    field: &'static str,
    meaning: &'static str,
}

pub fn type_doc(d: &TypeDoc) -> TypeDocJson {
    TypeDocJson {
        schema: SCHEMA,
        name: d.name,
        summary: d.summary,
        fields: d
            .fields
            .iter()
            .map(|(field, meaning)| FieldDoc { field, meaning })
            .collect(),
        example: d.example,
        rfc: d.rfc,
        mistakes: d.mistakes,
    }
}

#[derive(Serialize)]
pub struct ConceptDocJson {
    schema: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
    summary: &'static str,
    text: &'static str,
    rfc: &'static str,
    try_it: &'static str,
}

pub fn concept_doc(d: &ConceptDoc) -> ConceptDocJson {
    ConceptDocJson {
        schema: SCHEMA,
        name: d.name,
        aliases: d.aliases,
        summary: d.summary,
        text: d.text,
        rfc: d.rfc,
        try_it: d.try_it,
    }
}

#[derive(Serialize)]
pub struct ListDoc {
    schema: &'static str,
    types: Vec<Entry>,
    concepts: Vec<Entry>,
}

#[derive(Serialize)]
struct Entry {
    name: &'static str,
    summary: &'static str,
}

/// `dnscope explain --json`: every topic.
pub fn list() -> ListDoc {
    use crate::words::catalog::{CONCEPTS, TYPES};
    ListDoc {
        schema: SCHEMA,
        types: TYPES
            .iter()
            .map(|t| Entry {
                name: t.name,
                summary: t.summary,
            })
            .collect(),
        concepts: CONCEPTS
            .iter()
            .map(|c| Entry {
                name: c.name,
                summary: c.summary,
            })
            .collect(),
    }
}
