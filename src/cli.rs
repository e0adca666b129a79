//! Command-line arguments as clap parses them, grouped as the commands share them (rules, reading,
//! output), and the functions that validate them. Nothing here reads input or rules.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};

use kgsmith::export::{ExportOptions, Format, SymmetricEdges};
use kgsmith::vocab::ns;

#[derive(Debug, Parser)]
#[command(
    name = "kgsmith",
    version,
    about = "Turn news articles into a knowledge graph with transparent, editable rules."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract entities and relations from INPUTs and export the graph.
    Build(BuildArgs),
    /// Extract from INPUTs into a partial graph, one shard of a corpus (see `merge`).
    Extract(ExtractArgs),
    /// Merge partial graphs and export the graph, as `build` would of the whole corpus.
    Merge(MergeArgs),
    /// Score the graph built from INPUTs against gold annotations.
    Eval(EvalArgs),
    /// Show every mention, relation match and near miss in INPUT, with rule ids and spans.
    Explain {
        /// A file, a directory, a *.jsonl file, or - for stdin.
        input: PathBuf,
        /// Rules directory.
        #[arg(short = 'r', long = "rules", default_value = "rules")]
        rules: PathBuf,
        /// Rule languages to load, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        lang: Option<Vec<String>>,
    },
    /// Check or test rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Load and check every rule file; print errors with file:line:column.
    Check {
        /// Rules directory.
        #[arg(default_value = "rules")]
        dir: PathBuf,
    },
    /// Run the inline examples of every rule.
    Test {
        /// Rules directory.
        #[arg(default_value = "rules")]
        dir: PathBuf,
    },
    /// Extract INPUTs on one thread and show where the time goes, per stage and per rule.
    Profile(ProfileArgs),
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Files, directories, *.jsonl files, or - for stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Show only the N slowest rules.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
}

/// Which rules to load.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Rules directory.
    #[arg(short = 'r', long = "rules", default_value = "rules")]
    pub rules: PathBuf,
    /// Rule languages to load, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub lang: Option<Vec<String>>,
}

/// How to read and extract.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Invalid UTF-8 is an error instead of a warning.
    #[arg(long)]
    pub strict: bool,
    /// Evidence kept per edge, the first in document order (0 keeps all); the weight still
    /// counts every supporting mention.
    #[arg(long, default_value_t = kgsmith::graph::build::DEFAULT_MAX_EVIDENCE)]
    pub max_evidence: usize,
}

/// Where and how to write the graph.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output directory.
    #[arg(short = 'o', long = "out", default_value = "out")]
    pub out: PathBuf,
    /// Output file stem.
    #[arg(long, default_value = "kg")]
    pub name: String,
    /// Output formats, comma-separated: ttl, nt, graphml, gexf, dot, json.
    #[arg(short = 'f', long = "format", value_delimiter = ',', default_values_t = Format::DEFAULT.map(|f| f.extension().to_string()))]
    pub formats: Vec<String>,
    /// Base IRI of entities, documents, statements and evidence.
    #[arg(long, default_value = ns::DEFAULT_BASE)]
    pub base_iri: String,
    /// GraphML and GEXF: write symmetric relations as undirected edges (a mixed graph, drawn by
    /// Gephi without arrow heads); networkx cannot read mixed graphs.
    #[arg(long)]
    pub mixed_graph: bool,
    /// Also draw the graph with Graphviz, comma-separated: svg, png, pdf, jpg.
    #[arg(long, value_delimiter = ',')]
    pub render: Vec<String>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Files, directories (recursive), *.jsonl files, or - for stdin.
    #[arg(default_value = "seeds")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Files, directories (recursive), *.jsonl files, or - for stdin.
    #[arg(default_value = "seeds")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub read: ReadArgs,
    /// The partial graph file to write; - for stdout.
    #[arg(short = 'o', long = "output", default_value = "-")]
    pub output: PathBuf,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partial graphs written by `kgsmith extract` with the same rules.
    #[arg(required = true)]
    pub partials: Vec<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold relations (TSV: doc, subject, relation, object, difficulty, amount, evidence).
    #[arg(long)]
    pub gold: PathBuf,
    /// Gold entities (TSV: doc, canonical_name, type, surface_forms).
    #[arg(long)]
    pub entities: PathBuf,
    /// List false positives and false negatives.
    #[arg(long)]
    pub show: bool,
    /// Files, directories, *.jsonl files, or - for stdin.
    #[arg(default_value = "seeds")]
    pub inputs: Vec<PathBuf>,
    /// Rules directory.
    #[arg(short = 'r', long = "rules", default_value = "rules")]
    pub rules: PathBuf,
    /// Rule languages to load, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub lang: Option<Vec<String>>,
}

/// Validated output settings.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    pub out: PathBuf,
    pub name: String,
    pub formats: Vec<Format>,
    pub options: ExportOptions,
    pub render: Vec<String>,
    pub quiet: bool,
}

impl OutputArgs {
    pub fn into_config(self) -> Result<OutputConfig> {
        let mut formats = Vec::new();
        for name in &self.formats {
            match Format::from_name(name.trim()) {
                Some(f) if !formats.contains(&f) => formats.push(f),
                Some(_) => {}
                None => {
                    let known: Vec<_> = Format::ALL.iter().map(|f| f.extension()).collect();
                    bail!("unknown format '{name}' (known: {})", known.join(", "));
                }
            }
        }
        if oxrdf::NamedNode::new(&self.base_iri).is_err()
            || !(self.base_iri.ends_with('/') || self.base_iri.ends_with('#'))
        {
            bail!("--base-iri '{}' must be an absolute IRI ending with '/' or '#'", self.base_iri);
        }
        if self.name.is_empty() || self.name.contains(['/', '\\']) {
            bail!("--name '{}' must be a plain file stem", self.name);
        }
        for r in &self.render {
            if !kgsmith::export::render::FORMATS.contains(&r.as_str()) {
                bail!(
                    "cannot render '{r}' (known: {})",
                    kgsmith::export::render::FORMATS.join(", ")
                );
            }
        }
        let symmetric_edges =
            if self.mixed_graph { SymmetricEdges::Undirected } else { SymmetricEdges::Directed };
        Ok(OutputConfig {
            out: self.out,
            name: self.name,
            formats,
            options: ExportOptions { base_iri: self.base_iri, symmetric_edges },
            render: self.render,
            quiet: self.quiet,
        })
    }
}

impl ReadArgs {
    pub fn check(&self) -> Result<()> {
        if self.jobs == Some(0) {
            bail!("--jobs must be at least 1");
        }
        Ok(())
    }
}
