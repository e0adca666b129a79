//! Inputs → documents: files, directories (recursive), JSONL files and stdin (SPEC §2, §7).
//!
//! Reading never stops at a bad input: each problem becomes an [`InputDiagnostic`] naming the
//! file and the line or byte offset, and the other inputs are still read. This is the only stage
//! that touches input files.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{InputDiagnostic, InputPosition, Severity};
use crate::graph::DocumentInfo;

/// A document to extract from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub info: DocumentInfo,
    /// The text as decoded (UTF-8; invalid bytes replaced by U+FFFD with a warning).
    pub text: String,
    /// Where it was read from (`-` for stdin).
    pub source: PathBuf,
    /// Language given by the input (`lang` of a JSONL record), if any.
    pub lang: Option<String>,
}

/// How strictly to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct InputOptions {
    /// Invalid UTF-8 is an error (the document is skipped) instead of a warning.
    pub strict_utf8: bool,
}

/// Documents read and problems met, in input order.
#[derive(Debug, Default)]
pub struct InputBatch {
    pub documents: Vec<Document>,
    pub diagnostics: Vec<InputDiagnostic>,
    /// Bytes of text read, for the throughput summary.
    pub bytes: u64,
}

impl InputBatch {
    fn problem(
        &mut self,
        path: &Path,
        position: InputPosition,
        severity: Severity,
        message: String,
    ) {
        self.diagnostics.push(InputDiagnostic {
            path: path.to_path_buf(),
            position,
            severity,
            message,
        });
    }
}

#[derive(Deserialize)]
struct JsonRecord {
    id: Option<serde_json::Value>,
    text: String,
    title: Option<String>,
    url: Option<String>,
    date: Option<String>,
    lang: Option<String>,
}

/// Reads every input. `-` reads stdin: JSONL when its first non-blank character is `{`, one
/// text document with id `stdin` otherwise.
pub fn read_inputs(inputs: &[PathBuf], options: InputOptions) -> InputBatch {
    let mut batch = InputBatch::default();
    for input in inputs {
        if input.as_os_str() == "-" {
            let mut bytes = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut bytes) {
                Ok(_) => read_bytes(input, bytes, true, options, &mut batch),
                Err(e) => batch.problem(
                    input,
                    InputPosition::File,
                    Severity::Error,
                    format!("cannot read stdin: {e}"),
                ),
            }
            continue;
        }
        match std::fs::metadata(input) {
            Ok(m) if m.is_dir() => walk(input, options, &mut batch),
            Ok(_) => read_file(input, true, options, &mut batch),
            Err(e) => batch.problem(
                input,
                InputPosition::File,
                Severity::Error,
                format!("cannot open: {}", io_reason(&e)),
            ),
        }
    }
    disambiguate_ids(&mut batch);
    batch
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

fn walk(dir: &Path, options: InputOptions, batch: &mut InputBatch) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            batch.problem(
                dir,
                InputPosition::File,
                Severity::Error,
                format!("cannot read directory: {}", io_reason(&e)),
            );
            return;
        }
    };
    entries.sort();
    for path in entries {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, options, batch);
        } else {
            read_file(&path, false, options, batch);
        }
    }
}

fn read_file(path: &Path, named: bool, options: InputOptions, batch: &mut InputBatch) {
    match std::fs::read(path) {
        Ok(bytes) => {
            let jsonl = path.extension().is_some_and(|e| e == "jsonl");
            read_bytes(path, bytes, named || jsonl, options, batch);
        }
        Err(e) => batch.problem(
            path,
            InputPosition::File,
            Severity::Error,
            format!("cannot read: {}", io_reason(&e)),
        ),
    }
}

fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

fn read_bytes(
    path: &Path,
    bytes: Vec<u8>,
    named: bool,
    options: InputOptions,
    batch: &mut InputBatch,
) {
    if looks_binary(&bytes) {
        let severity = if named { Severity::Error } else { Severity::Warning };
        batch.problem(
            path,
            InputPosition::File,
            severity,
            "binary file (NUL bytes), skipped".into(),
        );
        return;
    }
    let is_stdin = path.as_os_str() == "-";
    let jsonl = path.extension().is_some_and(|e| e == "jsonl")
        || (is_stdin && bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'));
    let Some(text) = decode(path, bytes, InputPosition::Byte, options, batch) else {
        return;
    };
    batch.bytes += text.len() as u64;
    if jsonl {
        read_jsonl(path, &text, batch);
        return;
    }
    if text.trim().is_empty() {
        batch.problem(path, InputPosition::File, Severity::Error, "empty document, skipped".into());
        return;
    }
    let id = if is_stdin {
        "stdin".to_string()
    } else {
        path.file_stem()
            .map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned())
    };
    batch.documents.push(Document {
        info: DocumentInfo { id, title: None, url: None, date: None },
        text,
        source: path.to_path_buf(),
        lang: None,
    });
}

/// Decodes UTF-8; invalid bytes are replaced (warning) or make the input an error (`--strict`).
fn decode(
    path: &Path,
    bytes: Vec<u8>,
    position: impl Fn(usize) -> InputPosition,
    options: InputOptions,
    batch: &mut InputBatch,
) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            if options.strict_utf8 {
                batch.problem(
                    path,
                    position(offset),
                    Severity::Error,
                    "invalid UTF-8, skipped (--strict)".into(),
                );
                None
            } else {
                batch.problem(
                    path,
                    position(offset),
                    Severity::Warning,
                    "invalid UTF-8, decoded with U+FFFD replacement characters".into(),
                );
                Some(String::from_utf8_lossy(e.as_bytes()).into_owned())
            }
        }
    }
}

fn read_jsonl(path: &Path, text: &str, batch: &mut InputBatch) {
    let stem =
        path.file_stem().map_or_else(|| "stdin".to_string(), |s| s.to_string_lossy().into_owned());
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let record: JsonRecord = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => {
                batch.problem(
                    path,
                    InputPosition::Line(line_no),
                    Severity::Error,
                    format!("malformed JSON record, skipped: {e}"),
                );
                continue;
            }
        };
        let id = match record.id {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            None => format!("{stem}-{line_no}"),
            Some(other) => {
                batch.problem(path, InputPosition::Line(line_no), Severity::Error, format!("\"id\" must be a non-empty string or a number, not {other}; record skipped"));
                continue;
            }
        };
        if record.text.trim().is_empty() {
            batch.problem(
                path,
                InputPosition::Line(line_no),
                Severity::Error,
                format!("record {id:?} has an empty \"text\", skipped"),
            );
            continue;
        }
        batch.documents.push(Document {
            info: DocumentInfo { id, title: record.title, url: record.url, date: record.date },
            text: record.text,
            source: path.to_path_buf(),
            lang: record.lang,
        });
    }
}

/// Gives documents that share an id a unique one: the first keeps it, the next get `id~2`, `id~3`
/// (with a warning), so no document is silently merged with another.
fn disambiguate_ids(batch: &mut InputBatch) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut warnings = Vec::new();
    for doc in &mut batch.documents {
        let count = seen.entry(doc.info.id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            let new_id = format!("{}~{}", doc.info.id, count);
            warnings.push(InputDiagnostic {
                path: doc.source.clone(),
                position: InputPosition::File,
                severity: Severity::Warning,
                message: format!(
                    "document id {:?} already used; this one is {:?}",
                    doc.info.id, new_id
                ),
            });
            doc.info.id = new_id;
        }
    }
    batch.diagnostics.extend(warnings);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn bad_inputs_are_reported_and_the_rest_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "a.txt", "Bonjour Berlin.".as_bytes());
        write(d, "b.txt", b"caf\xe9 Paris");
        write(d, "c.txt", b"   \n");
        write(d, "d.jsonl", b"{\"id\":\"x\",\"text\":\"Un.\",\"url\":\"https://e.x/1\"}\n{\"id\": 3,\n{\"text\":\"Deux.\"}\n");
        write(d, "e.bin", b"\x00\x01\x02");
        let missing = d.join("missing.txt");
        let batch = read_inputs(&[d.to_path_buf(), missing.clone()], InputOptions::default());
        let ids: Vec<_> = batch.documents.iter().map(|d| d.info.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "b", "x", "d-3"]);
        assert_eq!(batch.documents[1].text, "caf\u{fffd} Paris");
        assert_eq!(batch.documents[2].info.url.as_deref(), Some("https://e.x/1"));
        let msgs: Vec<String> = batch.diagnostics.iter().map(|d| d.to_string()).collect();
        let has = |needle: &str| msgs.iter().any(|m| m.contains(needle));
        assert!(has("b.txt: byte 3: invalid UTF-8"), "{msgs:#?}");
        assert!(has("c.txt: empty document"), "{msgs:#?}");
        assert!(has("d.jsonl:2: malformed JSON record"), "{msgs:#?}");
        assert!(has("e.bin: binary file"), "{msgs:#?}");
        assert!(has("missing.txt: cannot open: no such file or directory"), "{msgs:#?}");
    }

    #[test]
    fn strict_mode_skips_invalid_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "b.txt", b"ok \xff");
        let batch = read_inputs(&[p], InputOptions { strict_utf8: true });
        assert!(batch.documents.is_empty());
        assert_eq!(batch.diagnostics[0].severity, Severity::Error);
    }

    #[test]
    fn duplicate_ids_are_renamed_not_merged() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        write(dir.path(), "a.txt", b"Un.");
        write(&dir.path().join("sub"), "a.txt", b"Deux.");
        let batch = read_inputs(&[dir.path().to_path_buf()], InputOptions::default());
        let ids: Vec<_> = batch.documents.iter().map(|d| d.info.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "a~2"]);
    }
}
