//! Exporters: one module per output format, all reading the same [`KnowledgeGraph`].
//!
//! Only this module and its children know any syntax. Every exporter writes to a `std::io::Write`
//! so it can be tested in memory; [`write_atomic`] is the one place that touches the file system,
//! writing to a temporary file in the target directory and renaming it, so a failed run never
//! leaves a half-written file behind.

pub mod dot;
pub mod gexf;
pub mod graphml;
pub mod json;
pub mod render;
pub mod turtle;
pub mod xml;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::Path;

use crate::graph::{Entity, KnowledgeGraph};
use crate::vocab::{ns, EntityTypeDecl, RelationDecl};

/// An output format (`-f/--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Turtle,
    NTriples,
    GraphMl,
    Gexf,
    Dot,
    Json,
}

impl Format {
    /// All formats, in the order `--format` lists them.
    pub const ALL: [Format; 6] = [
        Format::Turtle,
        Format::NTriples,
        Format::GraphMl,
        Format::Gexf,
        Format::Dot,
        Format::Json,
    ];
    /// The formats written when `--format` is not given.
    pub const DEFAULT: [Format; 3] = [Format::Turtle, Format::GraphMl, Format::Dot];

    /// File extension and `--format` name.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Turtle => "ttl",
            Format::NTriples => "nt",
            Format::GraphMl => "graphml",
            Format::Gexf => "gexf",
            Format::Dot => "dot",
            Format::Json => "json",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == name)
    }
}

/// How GraphML and GEXF write symmetric relations (`partnerOf`).
///
/// Both formats allow a directed graph to hold undirected edges, and Gephi draws them without
/// arrow heads; but networkx refuses to read such a mixed graph. By default every edge is
/// directed (subject → object) and a symmetric one carries `symmetric = true`, so networkx,
/// igraph and Gephi all read the files; `--mixed-graph` writes symmetric relations as undirected
/// edges (`directed="false"` in GraphML, `type="undirected"` in GEXF).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SymmetricEdges {
    /// Every edge directed; readable by networkx, igraph and Gephi.
    #[default]
    Directed,
    /// Symmetric relations undirected; Gephi and igraph read it, networkx does not.
    Undirected,
}

/// Options shared by the exporters.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Base IRI for entities, documents, statements and evidence (ends with `/` or `#`).
    pub base_iri: String,
    pub symmetric_edges: SymmetricEdges,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self { base_iri: ns::DEFAULT_BASE.to_string(), symmetric_edges: SymmetricEdges::default() }
    }
}

impl ExportOptions {
    /// `{base}{type}/{slug}`.
    pub fn entity_iri(&self, entity: &Entity) -> String {
        format!("{}{}", self.base_iri, entity.iri_path)
    }

    /// How the documents of `g` are named: see [`DocumentIris`].
    pub fn document_namer(&self, g: &KnowledgeGraph) -> io::Result<DocumentIris> {
        // a graph may hold millions of documents: sort a 64-bit hash of each slug (with its
        // document), then compare the slugs themselves only where hashes repeat
        let documents = g.documents();
        let mut hashed: Vec<(u64, u32)> = Vec::with_capacity(documents.len());
        documents.each_id(|handle, id| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            crate::slug::slugify(id).hash(&mut h);
            hashed.push((h.finish(), handle));
        })?;
        hashed.sort_unstable();
        let mut candidates: Vec<String> = Vec::new();
        for (n, &(hash, i)) in hashed.iter().enumerate() {
            let repeated = hashed.get(n + 1).is_some_and(|next| next.0 == hash)
                || (n > 0 && hashed[n - 1].0 == hash);
            if repeated {
                candidates.push(crate::slug::slugify(&documents.id_of(i)?));
            }
        }
        candidates.sort_unstable();
        let shared = candidates.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0].clone()).collect();
        Ok(DocumentIris { prefix: format!("{}document/", self.base_iri), shared })
    }

    /// The IRI of every document of the graph, by id (see [`DocumentIris`]).
    pub fn document_iris(&self, g: &KnowledgeGraph) -> io::Result<BTreeMap<String, String>> {
        let namer = self.document_namer(g)?;
        // every id read once, block by block, where reading them in sorted order reads each
        // spilled one from the file by itself
        let mut iris = BTreeMap::new();
        g.documents().each_id(|_, id| {
            iris.insert(id.to_string(), namer.iri(id));
        })?;
        Ok(iris)
    }
}

/// Document IRIs: `{base}document/{slug of the id}`, except that when several ids of the graph
/// share a slug (`Doc A`, `doc-a`) each gets the hash of its id appended, so two documents never
/// share an IRI. Only the shared slugs are kept (usually none), not one entry per document.
#[derive(Debug, Clone)]
pub struct DocumentIris {
    prefix: String,
    shared: BTreeSet<String>,
}

impl DocumentIris {
    /// The last segment of the IRI of document `id`.
    pub fn slug(&self, id: &str) -> String {
        let slug = crate::slug::slugify(id);
        if self.shared.contains(&slug) {
            format!("{slug}-{}", crate::slug::short_hash(id.as_bytes()))
        } else {
            slug
        }
    }

    /// The IRI of document `id`.
    pub fn iri(&self, id: &str) -> String {
        self.iri_of_slug(&self.slug(id))
    }

    /// The IRI whose last segment is `slug` (from [`Self::slug`]).
    pub fn iri_of_slug(&self, slug: &str) -> String {
        format!("{}{slug}", self.prefix)
    }
}

/// The declaration of an entity's type. An undeclared type is a bug of whoever built the graph,
/// reported as `InvalidData` rather than guessed.
pub(crate) fn type_decl<'g>(
    g: &'g KnowledgeGraph,
    entity: &Entity,
) -> io::Result<&'g EntityTypeDecl> {
    g.vocabulary.entity_type(&entity.entity_type).ok_or_else(|| {
        invalid_data(format!(
            "entity {:?} has the undeclared type {:?}",
            entity.id, entity.entity_type
        ))
    })
}

/// The declaration of an entity type by name (see [`type_decl`]).
pub(crate) fn type_decl_named<'g>(
    g: &'g KnowledgeGraph,
    name: &str,
) -> io::Result<&'g EntityTypeDecl> {
    g.vocabulary
        .entity_type(name)
        .ok_or_else(|| invalid_data(format!("the entity type {name:?} is not declared")))
}

/// The declaration of a relation (see [`type_decl`]).
pub(crate) fn relation_decl<'g>(g: &'g KnowledgeGraph, name: &str) -> io::Result<&'g RelationDecl> {
    g.vocabulary
        .relation(name)
        .ok_or_else(|| invalid_data(format!("an edge has the undeclared relation {name:?}")))
}

pub(crate) fn invalid_data(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Writes `graph` in `format` to `out`.
pub fn write(
    format: Format,
    graph: &KnowledgeGraph,
    options: &ExportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Turtle => turtle::write_turtle(graph, options, out),
        Format::NTriples => turtle::write_ntriples(graph, options, out),
        Format::GraphMl => graphml::write_graphml(graph, options, out),
        Format::Gexf => gexf::write_gexf(graph, options, out),
        Format::Dot => dot::write_dot(graph, options, out),
        Format::Json => json::write_json(graph, options, out),
    }
}

/// Writes a file through a temporary sibling and a rename: the target is either the old file or
/// the complete new one, never a partial write.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    stage(dir, fill)?.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Outputs are ordinary files readable by everyone (temporary files default to owner-only).
fn output_permissions() -> std::fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o644)
    }
    #[cfg(not(unix))]
    {
        tempfile::NamedTempFile::new()
            .and_then(|f| f.as_file().metadata())
            .map(|m| m.permissions())
            .unwrap_or_else(|_| unreachable!("a temporary file can be created"))
    }
}

/// An empty temporary file beside `path` (deleted if dropped before it is persisted), for
/// outputs written by another program.
pub(crate) fn stage_path(path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".kgsmith-")
        .suffix(".tmp")
        .permissions(output_permissions())
        .tempfile_in(dir)
}

/// Writes a complete temporary file in `dir` (deleted if dropped before it is persisted).
fn stage(
    dir: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".kgsmith-")
        .suffix(".tmp")
        .permissions(output_permissions())
        .tempfile_in(dir)?;
    {
        let mut buffered = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Writes `graph` in every format to `{dir}/{name}.{ext}`, all or nothing: each file is first
/// written in full to a temporary sibling, and only when all are complete are they renamed into
/// place. On error the previous outputs are left as they were.
pub fn write_all(
    dir: &Path,
    name: &str,
    formats: &[Format],
    graph: &KnowledgeGraph,
    options: &ExportOptions,
) -> io::Result<Vec<std::path::PathBuf>> {
    graph.sort_documents()?;
    std::fs::create_dir_all(dir)?;
    let mut staged = Vec::with_capacity(formats.len());
    for &format in formats {
        let target = dir.join(format!("{name}.{}", format.extension()));
        let tmp = stage(dir, |out| write(format, graph, options, out))?;
        staged.push((tmp, target));
    }
    let mut written = Vec::with_capacity(staged.len());
    for (tmp, target) in staged {
        tmp.persist(&target).map_err(|e| e.error)?;
        written.push(target);
    }
    Ok(written)
}
