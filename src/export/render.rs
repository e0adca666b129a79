//! `--render svg,png`: the DOT export drawn by Graphviz's `dot`, when it is installed.
//!
//! Graphviz is a program, not a library we link, so this is the one exporter that runs another
//! process: the DOT text goes to `dot` on stdin and the picture is written through a temporary
//! file and a rename, like every other output. A missing `dot` is a clear, typed error.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::export::{dot::write_dot, stage_path, ExportOptions};
use crate::graph::KnowledgeGraph;

/// Why a picture could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("Graphviz's `dot` is not installed (Debian/Ubuntu: apt-get install graphviz); {0} not written")]
    GraphvizMissing(String),
    #[error("`dot -T{format}` failed: {message}")]
    Graphviz { format: String, message: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Output formats Graphviz is asked for (`-T`); others are refused before running anything.
pub const FORMATS: [&str; 4] = ["svg", "png", "pdf", "jpg"];

/// Renders the graph's DOT to `path` in `format` (`svg`, `png`, …).
pub fn render(
    graph: &KnowledgeGraph,
    options: &ExportOptions,
    format: &str,
    path: &Path,
) -> Result<(), RenderError> {
    let mut dot = Vec::new();
    write_dot(graph, options, &mut dot)?;
    let tmp = stage_path(path)?;
    let child = Command::new("dot")
        .arg(format!("-T{format}"))
        .arg("-o")
        .arg(tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RenderError::GraphvizMissing(path.display().to_string()))
        }
        Err(e) => return Err(e.into()),
    };
    child.stdin.take().expect("piped stdin").write_all(&dot)?;
    let output = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if !output.status.success() {
        return Err(RenderError::Graphviz { format: format.to_string(), message: stderr });
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
