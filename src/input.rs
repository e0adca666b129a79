//! Inputs → documents: files, directories (recursive), JSONL files and stdin (SPEC §2, §7).
//!
//! Reading never stops at a bad input: each problem becomes an [`InputDiagnostic`] naming the
//! file and the line or byte offset, and the other inputs are still read. This is the only stage
//! that touches input files.

use std::io::{BufRead, Read};
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

#[derive(Deserialize)]
struct JsonRecord {
    id: Option<serde_json::Value>,
    text: String,
    title: Option<String>,
    url: Option<String>,
    date: Option<String>,
    lang: Option<String>,
}

/// One thing read from the inputs: a document, or a problem with one input.
#[derive(Debug)]
pub enum InputItem {
    Document(Document),
    Problem(InputDiagnostic),
}

/// Where the reader is: inputs not yet opened, directories being walked, a JSONL file being read.
enum Source {
    Path { path: PathBuf, named: bool },
    Dir { entries: std::vec::IntoIter<PathBuf> },
    Jsonl { reader: Box<dyn std::io::BufRead + Send>, path: PathBuf, stem: String, line: usize },
}

/// The inputs as a lazy stream of documents (SPEC §2, §7): directories are walked one entry at a
/// time (each directory's entries sorted) and JSONL files are read line by line, so memory holds
/// one document at a time, never the corpus.
pub struct Inputs {
    stack: Vec<Source>,
    queue: std::collections::VecDeque<InputItem>,
    options: InputOptions,
    /// The ids seen so far, by a 128-bit hash of each (a corpus may hold millions of documents;
    /// two ids sharing a hash, about 1 chance in 10^20 for a billion documents, would only rename
    /// one of them).
    seen_ids: std::collections::HashSet<u128>,
    /// The ids seen more than once, with how many times (few, usually none).
    repeated_ids: std::collections::HashMap<String, u32>,
    bytes: u64,
}

impl Inputs {
    /// Reads `inputs` in order. `-` reads stdin: JSONL when its first non-blank character is
    /// `{`, one text document with id `stdin` otherwise.
    pub fn new(inputs: &[PathBuf], options: InputOptions) -> Self {
        let stack =
            inputs.iter().rev().map(|p| Source::Path { path: p.clone(), named: true }).collect();
        Self {
            stack,
            queue: std::collections::VecDeque::new(),
            options,
            seen_ids: std::collections::HashSet::new(),
            repeated_ids: std::collections::HashMap::new(),
            bytes: 0,
        }
    }

    /// Bytes of text read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn problem(
        &mut self,
        path: &Path,
        position: InputPosition,
        severity: Severity,
        message: String,
    ) {
        self.queue.push_back(InputItem::Problem(InputDiagnostic {
            path: path.to_path_buf(),
            position,
            severity,
            message,
        }));
    }

    /// Gives a repeated id a unique one: the first keeps it, the next get `id~2`, `id~3` (with a
    /// warning), so no document is silently merged with another.
    fn document(&mut self, mut doc: Document) {
        self.bytes += doc.text.len() as u64;
        if !self.seen_ids.insert(id_hash(&doc.info.id)) {
            let count = self.repeated_ids.entry(doc.info.id.to_string()).or_insert(1);
            *count += 1;
            let new_id = format!("{}~{}", doc.info.id, count);
            let message =
                format!("document id {:?} already used; this one is {:?}", doc.info.id, new_id);
            self.problem(&doc.source.clone(), InputPosition::File, Severity::Warning, message);
            doc.info.id = new_id.into_boxed_str();
        }
        self.queue.push_back(InputItem::Document(doc));
    }

    fn open(&mut self, path: PathBuf, named: bool) {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut bytes) {
                Ok(_) => self.read_bytes(&path, bytes, true),
                Err(e) => self.problem(
                    &path,
                    InputPosition::File,
                    Severity::Error,
                    format!("cannot read stdin: {e}"),
                ),
            }
            return;
        }
        let hidden =
            !named && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            return;
        }
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => match std::fs::read_dir(&path) {
                Ok(rd) => {
                    let mut entries: Vec<PathBuf> =
                        rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
                    entries.sort();
                    self.stack.push(Source::Dir { entries: entries.into_iter() });
                }
                Err(e) => self.problem(
                    &path,
                    InputPosition::File,
                    Severity::Error,
                    format!("cannot read directory: {}", io_reason(&e)),
                ),
            },
            Ok(_) if path.extension().is_some_and(|e| e == "jsonl") => {
                match std::fs::File::open(&path) {
                    Ok(file) => {
                        let stem = path.file_stem().map_or_else(
                            || "jsonl".to_string(),
                            |s| s.to_string_lossy().into_owned(),
                        );
                        let reader = Box::new(std::io::BufReader::with_capacity(1 << 16, file));
                        self.stack.push(Source::Jsonl { reader, path, stem, line: 0 });
                    }
                    Err(e) => self.problem(
                        &path,
                        InputPosition::File,
                        Severity::Error,
                        format!("cannot read: {}", io_reason(&e)),
                    ),
                }
            }
            Ok(_) => match std::fs::read(&path) {
                Ok(bytes) => self.read_bytes(&path, bytes, named),
                Err(e) => self.problem(
                    &path,
                    InputPosition::File,
                    Severity::Error,
                    format!("cannot read: {}", io_reason(&e)),
                ),
            },
            Err(e) => self.problem(
                &path,
                InputPosition::File,
                Severity::Error,
                format!("cannot open: {}", io_reason(&e)),
            ),
        }
    }

    fn read_bytes(&mut self, path: &Path, bytes: Vec<u8>, named: bool) {
        if looks_binary(&bytes) {
            let severity = if named { Severity::Error } else { Severity::Warning };
            self.problem(
                path,
                InputPosition::File,
                severity,
                "binary file (NUL bytes), skipped".into(),
            );
            return;
        }
        let is_stdin = path.as_os_str() == "-";
        let jsonl = is_stdin && bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if jsonl {
            let reader = Box::new(std::io::Cursor::new(bytes));
            self.stack.push(Source::Jsonl {
                reader,
                path: path.to_path_buf(),
                stem: "stdin".into(),
                line: 0,
            });
            return;
        }
        let Some(text) = self.decode(path, bytes, InputPosition::Byte) else {
            return;
        };
        if text.trim().is_empty() {
            self.problem(
                path,
                InputPosition::File,
                Severity::Error,
                "empty document, skipped".into(),
            );
            return;
        }
        let id = if is_stdin {
            "stdin".to_string()
        } else {
            path.file_stem()
                .map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned())
        };
        self.document(Document {
            info: DocumentInfo { id: id.into_boxed_str(), title: None, url: None, date: None },
            text,
            source: path.to_path_buf(),
            lang: None,
        });
    }

    /// Decodes UTF-8; invalid bytes are replaced (warning) or make the input an error (`--strict`).
    fn decode(
        &mut self,
        path: &Path,
        bytes: Vec<u8>,
        position: impl Fn(usize) -> InputPosition,
    ) -> Option<String> {
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                if self.options.strict_utf8 {
                    self.problem(
                        path,
                        position(offset),
                        Severity::Error,
                        "invalid UTF-8, skipped (--strict)".into(),
                    );
                    None
                } else {
                    self.problem(
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

    /// Reads the next JSONL record of the source on top of the stack; `false` at its end.
    fn next_record(&mut self) -> bool {
        let Some(Source::Jsonl { reader, path, stem, line }) = self.stack.last_mut() else {
            return false;
        };
        let mut bytes = Vec::new();
        let read = reader.read_until(b'\n', &mut bytes);
        *line += 1;
        let (path, stem, line_no) = (path.clone(), stem.clone(), *line);
        match read {
            Ok(0) => return false,
            Ok(_) => {}
            Err(e) => {
                self.problem(
                    &path,
                    InputPosition::Line(line_no),
                    Severity::Error,
                    format!("cannot read: {e}"),
                );
                return false;
            }
        }
        let Some(text) = self.decode(&path, bytes, |_| InputPosition::Line(line_no)) else {
            return true;
        };
        if text.trim().is_empty() {
            return true;
        }
        let record: JsonRecord = match serde_json::from_str(text.trim_end()) {
            Ok(r) => r,
            Err(e) => {
                self.problem(
                    &path,
                    InputPosition::Line(line_no),
                    Severity::Error,
                    format!("malformed JSON record, skipped: {e}"),
                );
                return true;
            }
        };
        let id = match record.id {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            None => format!("{stem}-{line_no}"),
            Some(other) => {
                let message = format!(
                    "\"id\" must be a non-empty string or a number, not {other}; record skipped"
                );
                self.problem(&path, InputPosition::Line(line_no), Severity::Error, message);
                return true;
            }
        };
        if record.text.trim().is_empty() {
            let message = format!("record {id:?} has an empty \"text\", skipped");
            self.problem(&path, InputPosition::Line(line_no), Severity::Error, message);
            return true;
        }
        self.document(Document {
            info: DocumentInfo {
                id: id.into_boxed_str(),
                title: record.title.map(String::into_boxed_str),
                url: record.url.map(String::into_boxed_str),
                date: record.date.map(String::into_boxed_str),
            },
            text: record.text,
            source: path,
            lang: record.lang,
        });
        true
    }
}

impl Iterator for Inputs {
    type Item = InputItem;

    fn next(&mut self) -> Option<InputItem> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            match self.stack.last_mut()? {
                Source::Path { .. } => {
                    let Some(Source::Path { path, named }) = self.stack.pop() else {
                        unreachable!()
                    };
                    self.open(path, named);
                }
                Source::Dir { entries } => match entries.next() {
                    Some(path) => self.open(path, false),
                    None => {
                        self.stack.pop();
                    }
                },
                Source::Jsonl { .. } => {
                    if !self.next_record() {
                        self.stack.pop();
                    }
                }
            }
        }
    }
}

/// Reads every input into memory (see [`Inputs`] for the stream).
pub fn read_inputs(inputs: &[PathBuf], options: InputOptions) -> InputBatch {
    let mut batch = InputBatch::default();
    let mut stream = Inputs::new(inputs, options);
    for item in stream.by_ref() {
        match item {
            InputItem::Document(d) => batch.documents.push(d),
            InputItem::Problem(p) => batch.diagnostics.push(p),
        }
    }
    batch.bytes = stream.bytes();
    batch
}

/// A 128-bit hash of a document id (the first half of its SHA-256).
fn id_hash(id: &str) -> u128 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(id.as_bytes());
    u128::from_be_bytes(digest[..16].try_into().expect("32 bytes"))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
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
        let ids: Vec<_> = batch.documents.iter().map(|d| &*d.info.id).collect();
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
        let ids: Vec<_> = batch.documents.iter().map(|d| &*d.info.id).collect();
        assert_eq!(ids, vec!["a", "a~2"]);
    }
}
