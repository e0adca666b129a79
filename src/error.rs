//! Error and diagnostic types of the library. Each names where the problem is (file and line,
//! column or byte offset) so that a user can go straight to it; the binary only adds context.

use std::fmt;
use std::path::PathBuf;

/// A position in a text file, 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`, read from `file`.
    pub fn at(file: impl Into<PathBuf>, text: &str, offset: usize) -> Location {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location { file: file.into(), line, column }
    }
}

/// Where each line of a text starts, to tell many locations in it ([`Lines::at`]) without
/// reading the text from its start for each one, as [`Location::at`] does.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn of(text: &str) -> Lines {
        let breaks = text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1);
        Lines { starts: std::iter::once(0).chain(breaks).collect() }
    }

    /// [`Location::at`] of byte `offset` in `text`, which these are the lines of.
    pub fn at(&self, file: impl Into<PathBuf>, text: &str, offset: usize) -> Location {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&start| start <= offset);
        let column = text[self.starts[line - 1]..offset].chars().count() + 1;
        Location { file: file.into(), line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// The largest char boundary of `text` at or before `index`.
pub fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// A problem in a rule file. Rule errors stop a run before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, thiserror::Error)]
#[error("{location}: {message}")]
pub struct RuleError {
    pub location: Location,
    pub message: String,
}

/// All the rule errors found in a pack (a pack is checked whole, not up to the first error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// How bad an input problem is. Both make the run exit with code 1; warnings keep the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The document was still processed (e.g. invalid UTF-8 decoded lossily).
    Warning,
    /// The document or record was skipped.
    Error,
}

/// Where in an input a problem is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum InputPosition {
    /// The whole file.
    File,
    /// A 1-based line (JSONL records).
    Line(usize),
    /// A byte offset (encoding problems).
    Byte(usize),
}

/// A problem with one input, reported while the other inputs go on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputDiagnostic {
    pub path: PathBuf,
    pub position: InputPosition,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for InputDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.position {
            InputPosition::File => write!(f, "{level}: {}: {}", self.path.display(), self.message),
            InputPosition::Line(l) => {
                write!(f, "{level}: {}:{l}: {}", self.path.display(), self.message)
            }
            InputPosition::Byte(b) => {
                write!(f, "{level}: {}: byte {b}: {}", self.path.display(), self.message)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_lines_and_characters() {
        let text = "ab\nçé x\n";
        let loc = Location::at("f.toml", text, text.find('x').unwrap());
        assert_eq!(loc.to_string(), "f.toml:2:4");
        assert_eq!(Location::at("f", text, 0).to_string(), "f:1:1");
    }

    #[test]
    fn lines_tell_the_locations_that_reading_from_the_start_tells() {
        for text in ["", "ab\nçé x\n", "\n\nx", "é\r\nà\n\nz", "no break"] {
            let lines = Lines::of(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    lines.at("f", text, offset),
                    Location::at("f", text, offset),
                    "{text:?} {offset}"
                );
            }
        }
    }
}
