//! Partial graphs: the state of a [`GraphBuilder`] written as versioned JSON Lines, so that a
//! corpus split into shards can be extracted apart (`kgsmith extract`) and merged later
//! (`kgsmith merge`) with the result of one build of the whole, byte for byte.
//!
//! The builder's state is a sum — mention counts, names and languages add up, evidence is a
//! bounded set, amounts are counted — so merging partials in any order gives the same builder.
//! Entities are written by their resolution key (a gazetteer entry by type and name, never by
//! index), and the header records the rules' fingerprint: partials of other rules are refused.
//!
//! Format, version 1: a header line `{"kgsmith_partial":1,"rules":"<fingerprint>",
//! "max_evidence":N}`, then one JSON object per line, each with one key: `document` (a document),
//! `entity` (key, type, mentions, surfaces, languages) or `edge` (subject and object keys,
//! relation, support, amounts with their counts, evidence), in sorted order.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::graph::build::{EdgeSupport, EntityAcc, EntityKey, GraphBuilder};
use crate::graph::{Amount, DocumentInfo, DocumentRef, Evidence};

/// The version written in the header; a reader refuses others.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    kgsmith_partial: u32,
    rules: String,
    max_evidence: usize,
}

/// An entity key as written: by gazetteer entry (type and canonical name) or by resolved name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Key {
    #[serde(rename = "type")]
    entity_type: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    gazetteer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    name: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
enum Line {
    Document(DocumentInfo),
    Entity {
        key: Key,
        mentions: u32,
        surfaces: BTreeMap<String, u32>,
        languages: BTreeMap<String, u32>,
    },
    Edge {
        subject: Key,
        relation: String,
        object: Key,
        support: usize,
        amounts: Vec<(Amount, usize)>,
        evidence: Vec<Evidence>,
    },
}

/// A problem in a partial file: where, and what.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct PartialError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl GraphBuilder<'_> {
    fn key_out(&self, key: &EntityKey) -> Key {
        match key {
            EntityKey::Gazetteer(i) => {
                let entry = &self.rules.gazetteer.entries[*i];
                Key {
                    entity_type: entry.entity_type.clone(),
                    gazetteer: Some(entry.name.clone()),
                    name: None,
                }
            }
            EntityKey::Named { entity_type, key } => Key {
                entity_type: entity_type.to_string(),
                gazetteer: None,
                name: Some(key.to_string()),
            },
        }
    }

    /// The key a partial graph wrote.
    fn key_in(&self, key: Key) -> Result<EntityKey, String> {
        match (key.gazetteer, key.name) {
            (Some(name), None) => self
                .gazetteer_entries
                .get_or_init(|| {
                    // the first entry of each type and name, as a search in order finds it
                    let mut entries = std::collections::HashMap::new();
                    for (i, e) in self.rules.gazetteer.entries.iter().enumerate() {
                        entries.entry((e.entity_type.as_str(), e.name.as_str())).or_insert(i);
                    }
                    entries
                })
                .get(&(key.entity_type.as_str(), name.as_str()))
                .map(|&i| EntityKey::Gazetteer(i))
                .ok_or_else(|| format!("no gazetteer entry {name:?} of type {}", key.entity_type)),
            (None, Some(name)) => Ok(EntityKey::Named {
                entity_type: self.resolver.types.get(&key.entity_type),
                key: name.into(),
            }),
            _ => Err("an entity key has both or neither of \"gazetteer\" and \"name\"".into()),
        }
    }

    /// Writes the builder's state as a partial graph.
    pub fn write_partial(&self, out: &mut dyn Write) -> io::Result<()> {
        let header = Header {
            kgsmith_partial: VERSION,
            rules: self.rules.fingerprint.clone(),
            max_evidence: self.max_evidence,
        };
        let mut line = |value: &dyn erased::Json| -> io::Result<()> {
            value.write(out)?;
            out.write_all(b"\n")
        };
        line(&header)?;
        for i in self.documents.sorted_order()? {
            line(&Line::Document(self.documents.info(i as usize)?))?;
        }
        for (key, acc) in &self.resolver.entities {
            line(&Line::Entity {
                key: self.key_out(key),
                mentions: acc.mentions,
                surfaces: acc.surfaces.iter().map(|(s, n)| (s.to_string(), n)).collect(),
                languages: acc.languages.iter().map(|(l, n)| (l.to_string(), n)).collect(),
            })?;
        }
        for ((s, relation, o), support) in &self.edges {
            line(&Line::Edge {
                subject: self.key_out(s),
                relation: relation.to_string(),
                object: self.key_out(o),
                support: support.support,
                amounts: support.amounts.iter().map(|(a, n)| (a.clone(), *n)).collect(),
                evidence: support.evidence.iter().cloned().collect(),
            })?;
        }
        Ok(())
    }

    /// Adds a partial graph, read from `input` (named `path` in errors), to the builder.
    pub fn merge_partial(&mut self, input: impl BufRead, path: &Path) -> Result<(), PartialError> {
        let error =
            |line: usize, message: String| PartialError { path: path.to_path_buf(), line, message };
        let mut lines = input.lines();
        let header = lines
            .next()
            .ok_or_else(|| error(1, "empty file, not a partial graph".into()))?
            .map_err(|e| error(1, e.to_string()))?;
        let header: Header = serde_json::from_str(&header)
            .map_err(|e| error(1, format!("not a kgsmith partial graph: {e}")))?;
        if header.kgsmith_partial != VERSION {
            let v = header.kgsmith_partial;
            return Err(error(
                1,
                format!("partial format version {v}; this kgsmith reads {VERSION}"),
            ));
        }
        if self.partials == 0 && self.documents.is_empty() {
            self.max_evidence = header.max_evidence;
        } else if header.max_evidence != self.max_evidence {
            return Err(error(
                1,
                format!(
                    "extracted with --max-evidence {}, the others with {}",
                    header.max_evidence, self.max_evidence
                ),
            ));
        }
        self.partials += 1;
        if header.rules != self.rules.fingerprint {
            return Err(error(
                1,
                format!(
                    "extracted with other rules (fingerprint {}, these rules are {})",
                    header.rules, self.rules.fingerprint
                ),
            ));
        }
        for (n, text) in lines.enumerate() {
            let line_no = n + 2;
            let text = text.map_err(|e| error(line_no, e.to_string()))?;
            if text.trim().is_empty() {
                continue;
            }
            let line: Line =
                serde_json::from_str(&text).map_err(|e| error(line_no, e.to_string()))?;
            match line {
                Line::Document(d) => self.documents.push(DocumentRef::of(&d)),
                Line::Entity { key, mentions, surfaces, languages } => {
                    let key = self.key_in(key).map_err(|m| error(line_no, m))?;
                    let entity_type = match &key {
                        EntityKey::Gazetteer(i) => {
                            self.resolver.types.get(&self.rules.gazetteer.entries[*i].entity_type)
                        }
                        EntityKey::Named { entity_type, .. } => entity_type.clone(),
                    };
                    let acc: &mut EntityAcc = self.resolver.entities.entry(key).or_default();
                    acc.entity_type = entity_type;
                    acc.mentions += mentions;
                    for (s, c) in surfaces {
                        acc.surfaces.add(&s, c);
                    }
                    for (l, c) in languages {
                        acc.languages.add(&l, c);
                    }
                }
                Line::Edge { subject, relation, object, support, amounts, evidence } => {
                    let s = self.key_in(subject).map_err(|m| error(line_no, m))?;
                    let o = self.key_in(object).map_err(|m| error(line_no, m))?;
                    if self.rules.vocabulary.relation(&relation).is_none() {
                        return Err(error(line_no, format!("unknown relation {relation:?}")));
                    }
                    let max = self.max_evidence;
                    let relation = self.relations.get(&relation);
                    let entry: &mut EdgeSupport = self.edges.entry((s, relation, o)).or_default();
                    entry.support += support;
                    for (a, n) in amounts {
                        *entry.amounts.entry(a).or_insert(0) += n;
                    }
                    for e in evidence {
                        entry.add_evidence(e, max);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Writes one value as compact JSON; a trait object so one closure writes every line type.
mod erased {
    use std::io::{self, Write};

    pub trait Json {
        fn write(&self, out: &mut dyn Write) -> io::Result<()>;
    }

    impl<T: serde::Serialize> Json for T {
        fn write(&self, out: &mut dyn Write) -> io::Result<()> {
            serde_json::to_writer(&mut *out, self).map_err(io::Error::other)
        }
    }
}
