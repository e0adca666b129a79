//! The `kgsmith` binary: parses arguments, wires the library's stages, prints the summary and
//! maps outcomes to exit codes (0 ok, 1 finished with input errors, 2 usage or rule errors).

mod cli;

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use cli::{BuildConfig, Cli, Command, EvalArgs, RulesCommand};
use kgsmith::error::Severity;
use kgsmith::export::{self, ExportOptions};
use kgsmith::input::{read_inputs, InputOptions, Inputs};
use kgsmith::rules::{LoadOptions, RulePack};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => args.into_config().and_then(|config| build(&config)),
        Command::Eval(args) => eval(args),
        Command::Explain { input, rules, lang } => explain(&input, &rules, lang),
        Command::Rules { command: RulesCommand::Check { dir } } => rules_check(&dir),
        Command::Rules { command: RulesCommand::Test { dir } } => rules_test(&dir),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kgsmith: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn load_rules(dir: &std::path::Path, languages: Option<Vec<String>>) -> Result<Option<RulePack>> {
    load_rules_with(dir, &LoadOptions { languages, near_misses: false })
}

fn load_rules_with(dir: &std::path::Path, options: &LoadOptions) -> Result<Option<RulePack>> {
    match RulePack::load(dir, options) {
        Ok(pack) => Ok(Some(pack)),
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            eprintln!(
                "kgsmith: {} rule error(s) in {}; nothing written",
                errors.0.len(),
                dir.display()
            );
            Ok(None)
        }
    }
}

/// A spinner on stderr for long runs: hidden when stderr is not a terminal or with `--quiet`,
/// and drawn only after the first second.
fn progress_bar(quiet: bool) -> (indicatif::ProgressBar, bool) {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return (indicatif::ProgressBar::hidden(), false);
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    (bar, true)
}

fn build(config: &BuildConfig) -> Result<ExitCode> {
    let Some(rules) = load_rules(&config.rules, config.languages.clone())? else {
        return Ok(ExitCode::from(2));
    };
    let inputs = Inputs::new(&config.inputs, InputOptions { strict_utf8: config.strict_utf8 });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let (bar, show_progress) = progress_bar(config.quiet);
    let output = pool
        .install(|| {
            kgsmith::pipeline::run_stream(&rules, inputs, config.max_evidence, &mut |s| {
                if show_progress && bar.is_hidden() && s.elapsed.as_secs() >= 1 {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                }
                bar.set_message(format!(
                    "{} documents, {:.1} MB, {:.1} MB/s",
                    s.documents,
                    s.bytes as f64 / 1e6,
                    s.megabytes_per_second()
                ));
            })
        })
        .context("cannot build the graph")?;
    bar.finish_and_clear();
    for d in &output.diagnostics {
        eprintln!("{d}");
    }
    let options = ExportOptions {
        base_iri: config.base_iri.clone(),
        symmetric_edges: config.symmetric_edges,
    };
    let written =
        export::write_all(&config.out, &config.name, &config.formats, &output.graph, &options)
            .with_context(|| format!("cannot write the outputs in {}", config.out.display()))?;
    let mut written = written;
    let mut render_errors = 0;
    for format in &config.render {
        let path = config.out.join(format!("{}.{format}", config.name));
        match export::render::render(&output.graph, &options, format, &path) {
            Ok(()) => written.push(path),
            Err(e) => {
                eprintln!("kgsmith: cannot render: {e}");
                render_errors += 1;
            }
        }
    }
    if !config.quiet {
        let s = &output.stats;
        let per_relation: Vec<String> =
            output.graph.relation_counts().iter().map(|(r, n)| format!("{r} {n}")).collect();
        let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        println!(
            "kgsmith: {} documents, {} sentences, {} entities, {} relations ({}) in {:.3} s ({:.1} MB/s) -> {}",
            s.documents,
            s.sentences,
            output.graph.entity_count(),
            output.graph.relation_count(),
            per_relation.join(", "),
            s.elapsed.as_secs_f64(),
            s.megabytes_per_second(),
            files.join(", ")
        );
    }
    let input_errors = output.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    if render_errors > 0 {
        return Ok(ExitCode::from(1));
    }
    if input_errors > 0 {
        eprintln!("kgsmith: finished with {input_errors} input error(s)");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn eval(args: EvalArgs) -> Result<ExitCode> {
    let Some(rules) = load_rules(&args.rules, args.lang.clone())? else {
        return Ok(ExitCode::from(2));
    };
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let gold = kgsmith::eval::Gold::parse(
        &args.gold,
        &read(&args.gold)?,
        &args.entities,
        &read(&args.entities)?,
    )?;
    let batch = read_inputs(&args.inputs, InputOptions::default());
    let output = kgsmith::pipeline::run(&rules, &batch.documents, batch.diagnostics)
        .context("cannot build the graph")?;
    for d in &output.diagnostics {
        eprintln!("{d}");
    }
    let evaluation = kgsmith::eval::evaluate(&output.graph, &gold);
    print!("{}", evaluation.report(args.show));
    Ok(ExitCode::SUCCESS)
}

fn explain(
    input: &std::path::Path,
    rules: &std::path::Path,
    languages: Option<Vec<String>>,
) -> Result<ExitCode> {
    let Some(rules) = load_rules_with(rules, &LoadOptions { languages, near_misses: true })? else {
        return Ok(ExitCode::from(2));
    };
    let batch = read_inputs(&[input.to_path_buf()], InputOptions::default());
    for d in &batch.diagnostics {
        eprintln!("{d}");
    }
    for document in &batch.documents {
        let extraction = kgsmith::extract::extract(document, &rules);
        print!("{}", kgsmith::explain::explain(&extraction, &rules));
    }
    let errors = batch.diagnostics.iter().any(|d| d.severity == Severity::Error);
    Ok(if errors { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn rules_check(dir: &std::path::Path) -> Result<ExitCode> {
    let Some(rules) = load_rules(dir, None)? else {
        return Ok(ExitCode::from(2));
    };
    println!(
        "kgsmith: {} ok: {} entity types, {} relations, {} gazetteer entries, {} entity patterns, {} money patterns, {} date patterns, {} relation rules",
        dir.display(),
        rules.vocabulary.entity_types.len(),
        rules.vocabulary.relations.len(),
        rules.gazetteer.entries.len(),
        rules.entity_patterns.len(),
        rules.money_patterns.len(),
        rules.date_patterns.len(),
        rules.relation_rules.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn rules_test(dir: &std::path::Path) -> Result<ExitCode> {
    let Some(rules) = load_rules(dir, None)? else {
        return Ok(ExitCode::from(2));
    };
    let report = kgsmith::rules::examples::run_examples(&rules);
    for failure in &report.failures {
        eprintln!("{failure}");
    }
    println!(
        "kgsmith: {} examples: {} passed, {} failed",
        report.total,
        report.total - report.failures.len(),
        report.failures.len()
    );
    Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
