//! The `kgsmith` binary: parses arguments, wires the library's stages, prints the summary and
//! maps outcomes to exit codes (0 ok, 1 finished with input errors, 2 usage or rule errors).

mod cli;

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use cli::{
    BuildArgs, Cli, Command, EvalArgs, ExtractArgs, MergeArgs, OutputConfig, ProfileArgs, ReadArgs,
    RulesCommand,
};
use kgsmith::error::Severity;
use kgsmith::export;
use kgsmith::graph::build::GraphBuilder;
use kgsmith::input::{read_inputs, InputOptions, Inputs};
use kgsmith::pipeline::Stats;
use kgsmith::rules::{LoadOptions, RulePack};

/// mimalloc: a build spent a sixth of its time in glibc's `malloc` and `free` (many short strings
/// and vectors per sentence, on two threads); BENCHMARKS.md ("Allocator") has the figures. It is
/// the binary's choice, not the library's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option `purge_delay` (`mi_option_purge_delay` in the `mimalloc.h` of the bundled
/// mimalloc 3, which `libmimalloc-sys` does not name).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps the peak memory of a long run near the graph's size: freed pages go back to the system
/// at once, not after mimalloc's default of one second, and the process takes no transparent
/// huge pages, which round every touched region of mimalloc's arena up to 2 MiB. On 1 GB of
/// files, a 10 ms delay peaked at 307 MiB against 263 MiB at once; on 100 MB of JSONL, the
/// default delay held 25 MB more and huge pages 58 MB more (BENCHMARKS.md, "Allocator").
fn tune_allocator() {
    // SAFETY: sets an integer option before any thread but this one exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    #[cfg(target_os = "linux")]
    // SAFETY: a process-wide flag that only changes how later page faults are served; it fails
    // harmlessly (ignored) on kernels without it.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build(args),
        Command::Extract(args) => extract_partial(args),
        Command::Merge(args) => merge(args),
        Command::Eval(args) => eval(args),
        Command::Explain { input, rules, lang } => explain(&input, &rules, lang),
        Command::Rules { command: RulesCommand::Check { dir } } => rules_check(&dir),
        Command::Rules { command: RulesCommand::Test { dir } } => rules_test(&dir),
        Command::Rules { command: RulesCommand::Profile(args) } => rules_profile(args),
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
    load_rules_with(dir, &LoadOptions { languages, ..LoadOptions::default() })
}

/// [`load_rules`] on the workers of `--jobs`, where the rules compile in parallel.
fn load_rules_on(pool: &rayon::ThreadPool, rules: &cli::RulesArgs) -> Result<Option<RulePack>> {
    pool.install(|| load_rules(&rules.rules, rules.lang.clone()))
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

/// Reads the inputs as a stream into `builder`, with a progress line; prints the input problems.
/// The worker threads of `--jobs` (extraction, then the exports that run in parallel).
fn worker_pool(read: &ReadArgs) -> Result<rayon::ThreadPool> {
    read.check()?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(read.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")
}

fn extract_into(
    rules: &RulePack,
    inputs: &[std::path::PathBuf],
    read: &ReadArgs,
    pool: &rayon::ThreadPool,
    quiet: bool,
    builder: &mut GraphBuilder<'_>,
) -> Result<(Stats, usize)> {
    let inputs = Inputs::new(inputs, InputOptions { strict_utf8: read.strict });
    let (bar, show_progress) = progress_bar(quiet);
    let mut stats = Stats::default();
    let diagnostics = pool.install(|| {
        kgsmith::pipeline::extract_stream(rules, inputs, builder, &mut stats, &mut |s| {
            if show_progress && bar.is_hidden() && s.elapsed.as_secs() >= 1 {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_message(format!(
                "{} documents, {:.1} MB, {}",
                s.documents,
                s.bytes as f64 / 1e6,
                throughput(s)
            ));
        })
    });
    bar.finish_and_clear();
    for d in &diagnostics {
        eprintln!("{d}");
    }
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    Ok((stats, errors))
}

/// Writes every output of `graph`, renders, prints the summary; returns the render failures.
fn write_outputs(
    graph: &kgsmith::graph::KnowledgeGraph,
    output: &OutputConfig,
    stats: Option<&Stats>,
) -> Result<usize> {
    let mut written =
        export::write_all(&output.out, &output.name, &output.formats, graph, &output.options)
            .with_context(|| format!("cannot write the outputs in {}", output.out.display()))?;
    let mut render_errors = 0;
    for format in &output.render {
        let path = output.out.join(format!("{}.{format}", output.name));
        match export::render::render(graph, &output.options, format, &path) {
            Ok(()) => written.push(path),
            Err(e) => {
                eprintln!("kgsmith: cannot render: {e}");
                render_errors += 1;
            }
        }
    }
    if !output.quiet {
        let per_relation: Vec<String> =
            graph.relation_counts().iter().map(|(r, n)| format!("{r} {n}")).collect();
        let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        let read = stats.map_or_else(String::new, |s| {
            format!("{} documents, {} sentences, ", s.documents, s.sentences)
        });
        let speed = stats.map_or_else(String::new, |s| {
            format!(" in {:.3} s ({})", s.elapsed.as_secs_f64(), throughput(s))
        });
        emit(&format!(
            "kgsmith: {read}{} entities, {} relations ({}){speed} -> {}\n",
            graph.entity_count(),
            graph.relation_count(),
            per_relation.join(", "),
            files.join(", ")
        ))?;
    }
    Ok(render_errors)
}

fn build(args: BuildArgs) -> Result<ExitCode> {
    let output = args.output.into_config()?;
    let pool = worker_pool(&args.read)?;
    let Some(rules) = load_rules_on(&pool, &args.rules)? else {
        return Ok(ExitCode::from(2));
    };
    let started = std::time::Instant::now();
    let mut builder = GraphBuilder::new(&rules).with_max_evidence(args.read.max_evidence);
    let (mut stats, input_errors) =
        extract_into(&rules, &args.inputs, &args.read, &pool, output.quiet, &mut builder)?;
    warn_spill_failure(&builder);
    let graph = builder.finish().context("cannot build the graph")?;
    stats.elapsed = started.elapsed();
    // the automata and their per-thread caches (most of the memory of a run) are not needed to
    // write the graph
    drop(rules);
    let render_errors = pool.install(|| write_outputs(&graph, &output, Some(&stats)))?;
    finish(input_errors, render_errors)
}

fn extract_partial(args: ExtractArgs) -> Result<ExitCode> {
    let pool = worker_pool(&args.read)?;
    let Some(rules) = load_rules_on(&pool, &args.rules)? else {
        return Ok(ExitCode::from(2));
    };
    let mut builder = GraphBuilder::new(&rules).with_max_evidence(args.read.max_evidence);
    let (stats, input_errors) =
        extract_into(&rules, &args.inputs, &args.read, &pool, args.quiet, &mut builder)?;
    warn_spill_failure(&builder);
    if args.output.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        builder.write_partial(&mut out).context("cannot write the partial graph")?;
        std::io::Write::flush(&mut out).context("cannot write the partial graph")?;
    } else {
        export::write_atomic(&args.output, |out| builder.write_partial(out))
            .with_context(|| format!("cannot write {}", args.output.display()))?;
    }
    if !args.quiet {
        eprintln!(
            "kgsmith: {} documents, {} sentences in {:.3} s ({}) -> {}",
            stats.documents,
            stats.sentences,
            stats.elapsed.as_secs_f64(),
            throughput(&stats),
            args.output.display()
        );
    }
    finish(input_errors, 0)
}

fn merge(args: MergeArgs) -> Result<ExitCode> {
    let output = args.output.into_config()?;
    let Some(rules) = load_rules(&args.rules.rules, args.rules.lang.clone())? else {
        return Ok(ExitCode::from(2));
    };
    let mut builder = GraphBuilder::new(&rules);
    for path in &args.partials {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot open the partial graph {}", path.display()))?;
        builder.merge_partial(std::io::BufReader::new(file), path)?;
    }
    warn_spill_failure(&builder);
    let graph = builder.finish().context("cannot build the graph")?;
    drop(rules);
    let render_errors = write_outputs(&graph, &output, None)?;
    finish(0, render_errors)
}

/// Says so when the documents could not go to their temporary file: the outputs are the same,
/// but the run kept them in memory.
fn warn_spill_failure(builder: &GraphBuilder<'_>) {
    if let Some(why) = builder.spill_failure() {
        eprintln!(
            "kgsmith: warning: cannot write the documents to a temporary file ({why}); they were \
             kept in memory (set TMPDIR to a writable directory)"
        );
    }
}

/// Exit code 1 when inputs had errors or a picture could not be rendered (both already listed).
fn finish(input_errors: usize, render_errors: usize) -> Result<ExitCode> {
    if input_errors > 0 {
        eprintln!("kgsmith: finished with {input_errors} input error(s)");
    }
    Ok(if input_errors + render_errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
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
    emit(&evaluation.report(args.show))?;
    Ok(ExitCode::SUCCESS)
}

fn explain(
    input: &std::path::Path,
    rules: &std::path::Path,
    languages: Option<Vec<String>>,
) -> Result<ExitCode> {
    let Some(rules) =
        load_rules_with(rules, &LoadOptions { languages, near_misses: true, build_all: false })?
    else {
        return Ok(ExitCode::from(2));
    };
    let batch = read_inputs(&[input.to_path_buf()], InputOptions::default());
    for d in &batch.diagnostics {
        eprintln!("{d}");
    }
    for document in &batch.documents {
        let extraction = kgsmith::extract::extract(document, &rules);
        emit(&kgsmith::explain::explain(&extraction, &rules))?;
    }
    let errors = batch.diagnostics.iter().any(|d| d.severity == Severity::Error);
    Ok(if errors { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn rules_profile(args: ProfileArgs) -> Result<ExitCode> {
    let Some(rules) = load_rules(&args.rules.rules, args.rules.lang.clone())? else {
        return Ok(ExitCode::from(2));
    };
    let inputs = Inputs::new(&args.inputs, InputOptions::default());
    let profile = kgsmith::profile::run(&rules, inputs);
    for d in &profile.diagnostics {
        eprintln!("{d}");
    }
    emit(&kgsmith::profile::report(&profile, &rules, args.top))?;
    let errors = profile.diagnostics.iter().any(|d| d.severity == Severity::Error);
    Ok(if errors { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn rules_check(dir: &std::path::Path) -> Result<ExitCode> {
    let options = LoadOptions { build_all: true, ..LoadOptions::default() };
    let Some(rules) = load_rules_with(dir, &options)? else {
        return Ok(ExitCode::from(2));
    };
    emit(&format!(
        "kgsmith: {} ok: {} entity types, {} relations, {} gazetteer entries, {} entity patterns, {} money patterns, {} date patterns, {} relation rules\n",
        dir.display(),
        rules.vocabulary.entity_types.len(),
        rules.vocabulary.relations.len(),
        rules.gazetteer.entries.len(),
        rules.entity_patterns.len(),
        rules.money_patterns.len(),
        rules.date_patterns.len(),
        rules.relation_rules.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn rules_test(dir: &std::path::Path) -> Result<ExitCode> {
    let options = LoadOptions { build_all: true, ..LoadOptions::default() };
    let Some(rules) = load_rules_with(dir, &options)? else {
        return Ok(ExitCode::from(2));
    };
    let report = kgsmith::rules::examples::run_examples(&rules);
    for failure in &report.failures {
        eprintln!("{failure}");
    }
    emit(&format!(
        "kgsmith: {} examples: {} passed, {} failed\n",
        report.total,
        report.total - report.failures.len(),
        report.failures.len()
    ))?;
    Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// A run's throughput in MB/s: one decimal from 1 MB/s up, three below, so that a small input
/// (the seeds, about 0.04 MB/s) does not read as nothing.
fn throughput(stats: &Stats) -> String {
    match stats.megabytes_per_second() {
        v if v >= 1.0 => format!("{v:.1} MB/s"),
        v => format!("{v:.3} MB/s"),
    }
}

/// Writes `text` to stdout. A reader that stops early (`kgsmith explain FILE | head`) ends the run
/// quietly with success, as other command-line tools do, instead of a panic on the broken pipe.
fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other.context("cannot write to stdout"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // the bundled mimalloc 3 gives `purge_delay` a default of 1000 (ms), which no option
        // near it has: were the index wrong, `tune_allocator` would set another option.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, 1000);
        }
    }
}
