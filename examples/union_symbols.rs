//! What one automaton per stage would cost, with and without lexicons read as symbols
//! (BENCHMARKS.md, "Targets"): the entity patterns, or the relation rules, of a pack in one
//! multi-pattern lazy DFA over the byte alphabet of those patterns, walked twice over the
//! sentences of the first MB megabytes of a JSONL corpus, which patterns match each sentence
//! (`MatchKind::All`, overlapping search).
//!
//! `cargo run --release --example union_symbols -- RULES_DIR CORPUS.jsonl [MB] [CACHE_MIB]`
//!
//! The first walk reads the text for the first time, as a run over new articles does; the
//! second reads it again with every state the first built, as a corpus that repeats its articles
//! lets a run do. With symbols, each lexicon's alternation in a pattern is one private-use
//! character of its own. The sentences are the normalized text split as the pipeline splits it,
//! not masked, and the symbols stand for no word of the text: branches that need a placeholder or
//! a lexicon word die at once, where a matcher over symbolized, masked text would follow them. So
//! the walk with symbols costs at most what that matcher's walk would: a lower bound.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::time::{Duration, Instant};

use kgsmith::rules::bytes::{sets_of, ByteAlphabet, ByteText};
use kgsmith::rules::pattern::lexicon_regex;
use regex_automata::hybrid::dfa::{Cache, OverlappingState, DFA};
use regex_automata::nfa::thompson;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::Hir;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).map_or("rules", String::as_str);
    let corpus = args.get(2).expect("usage: union_symbols RULES_DIR CORPUS.jsonl [MB] [CACHE_MIB]");
    let mb: f64 = args.get(3).map_or(2.0, |s| s.parse().expect("MB"));
    let cache_mib: usize = args.get(4).map_or(64, |s| s.parse().expect("CACHE_MIB"));
    let pack = kgsmith::rules::RulePack::load(std::path::Path::new(dir), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));

    // each lexicon's alternation, longest first, so that none is replaced inside a longer one
    let mut lexicons: Vec<(String, String)> = pack
        .lexicons
        .values()
        .enumerate()
        .map(|(k, words)| {
            let symbol = char::from_u32(0xF0000 + k as u32).expect("a private-use character");
            (lexicon_regex(words), symbol.to_string())
        })
        .collect();
    lexicons.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    let symbolized = |source: &str| {
        let mut s = source.to_string();
        for (regex, symbol) in &lexicons {
            s = s.replace(regex.as_str(), symbol);
        }
        s
    };

    let sentences = read_sentences(corpus, mb);
    let bytes: usize = sentences.iter().map(String::len).sum();
    println!(
        "{} sentences, {:.3} MB of text; lazy DFA cache {cache_mib} MiB",
        sentences.len(),
        bytes as f64 / 1e6
    );
    println!(
        "| patterns | lexicons | regexes | symbols | NFA states | first walk, ns a byte | its quarters | again, ns a byte | cache | matches |"
    );
    println!("|---|---|---:|---:|---:|---:|---|---:|---:|---:|");
    let stages: [(&str, Vec<String>); 2] = [
        ("entity", pack.entity_patterns.iter().map(|p| p.regex.source().into_owned()).collect()),
        ("relation", pack.relation_rules.iter().map(|r| r.regex.source().into_owned()).collect()),
    ];
    for (stage, sources) in &stages {
        for symbols in [false, true] {
            let sources: Vec<String> = if symbols {
                sources.iter().map(|s| symbolized(s)).collect()
            } else {
                sources.clone()
            };
            let replaced: usize = sources
                .iter()
                .map(|s| s.chars().filter(|c| ('\u{F0000}'..='\u{FFFFD}').contains(c)).count())
                .sum();
            let union = Union::new(&sources, cache_mib << 20);
            let first = union.walk(&sentences);
            let again = union.walk(&sentences);
            println!(
                "| {stage} | {} | {} | {replaced} | {} | {:.0} | {} | {:.0} | {:.1} MB, {} clears | {} |",
                if symbols { "symbols" } else { "as bundled" },
                sources.len(),
                union.nfa_states,
                first.time.as_nanos() as f64 / bytes as f64,
                first.quarters.map(|q| format!("{q:.0}")).join(", "),
                again.time.as_nanos() as f64 / bytes as f64,
                union.cache_bytes() as f64 / 1e6,
                union.clears(),
                again.matches,
            );
        }
    }
}

/// The patterns of a stage in one lazy DFA over their byte alphabet, with its cache.
struct Union {
    alphabet: ByteAlphabet,
    dfa: DFA,
    cache: std::cell::RefCell<Cache>,
    nfa_states: usize,
    patterns: usize,
}

/// What a walk over every sentence took and found.
struct Walk {
    time: Duration,
    /// Nanoseconds a byte over each quarter of the text, in order.
    quarters: [f64; 4],
    /// Pattern and sentence pairs where the pattern matches.
    matches: usize,
}

impl Union {
    fn new(sources: &[String], cache_capacity: usize) -> Union {
        let hirs: Vec<Hir> = sources
            .iter()
            .map(|s| regex_syntax::Parser::new().parse(s).expect("a pattern parses"))
            .collect();
        let sets: Vec<_> =
            hirs.iter().map(|h| sets_of(h).expect("a pattern reads bytes")).collect();
        let alphabet = ByteAlphabet::new(sets.iter()).expect("a byte alphabet");
        let translated: Vec<Hir> = hirs.iter().map(|h| alphabet.translate(h)).collect();
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().utf8(false).nfa_size_limit(None))
            .build_many_from_hir(&translated)
            .expect("the union compiles");
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(cache_capacity)
                    .minimum_cache_clear_count(None),
            )
            .build_from_nfa(nfa.clone())
            .expect("a lazy DFA");
        let cache = std::cell::RefCell::new(Cache::new(&dfa));
        Union { alphabet, dfa, cache, nfa_states: nfa.states().len(), patterns: sources.len() }
    }

    /// Which patterns match each sentence, for all the sentences.
    fn walk(&self, sentences: &[String]) -> Walk {
        let cache = &mut *self.cache.borrow_mut();
        let mut text = ByteText::default();
        let mut matched = vec![false; self.patterns];
        let mut matches = 0;
        let total: usize = sentences.iter().map(String::len).sum();
        let (mut quarters, mut quarter, mut read) = ([0.0; 4], 0, 0);
        let (mut mark, mut from) = (Instant::now(), 0);
        let started = Instant::now();
        for sentence in sentences {
            text.clear();
            let row = self.alphabet.map_into(sentence, &mut text);
            let input = Input::new(text.get(row).bytes);
            let mut state = OverlappingState::start();
            matched.iter_mut().for_each(|m| *m = false);
            loop {
                self.dfa
                    .try_search_overlapping_fwd(cache, &input, &mut state)
                    .expect("the lazy DFA gives up on no text");
                let Some(m) = state.get_match() else { break };
                let seen = &mut matched[m.pattern().as_usize()];
                matches += usize::from(!*seen);
                *seen = true;
            }
            read += sentence.len();
            if quarter < 4 && read * 4 >= total * (quarter + 1) {
                quarters[quarter] = mark.elapsed().as_nanos() as f64 / (read - from) as f64;
                (quarter, from, mark) = (quarter + 1, read, Instant::now());
            }
        }
        Walk { time: started.elapsed(), quarters, matches }
    }

    fn cache_bytes(&self) -> usize {
        self.cache.borrow().memory_usage()
    }

    fn clears(&self) -> usize {
        self.cache.borrow().clear_count()
    }
}

/// The sentences of the corpus's texts, normalized and split as the pipeline does, up to `mb`
/// megabytes of text.
fn read_sentences(path: &str, mb: f64) -> Vec<String> {
    let file = std::fs::File::open(path).expect("the corpus opens");
    let mut out = Vec::new();
    let mut read = 0usize;
    for line in std::io::BufReader::new(file).lines() {
        let line = line.expect("a line");
        let record: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(&line).expect("a JSON record");
        let Some(text) = record.get("text").and_then(|t| t.as_str()) else { continue };
        read += text.len();
        let normalized = kgsmith::normalize::normalize(text);
        for span in kgsmith::sentence::split_sentences(&normalized.text) {
            out.push(normalized.text[span.start..span.end].to_string());
        }
        if read as f64 >= mb * 1e6 {
            break;
        }
    }
    out
}
