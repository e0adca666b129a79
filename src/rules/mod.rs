//! Rule packs: everything kgsmith knows about a language lives in `rules/` as TOML data.
//!
//! [`RulePack::load`] reads every `*.toml` file of a directory (sorted, recursively), checks the
//! whole pack and either returns a compiled pack or *all* the errors found, each with
//! file:line:column. A compiled pack holds the vocabulary, one Aho-Corasick automaton for the
//! gazetteer and demonyms, and the regexes of entity patterns, money patterns and relation rules,
//! sorted by priority then id so that extraction is deterministic.

pub mod alphabet;
pub mod bounds;
pub mod bytes;
pub mod examples;
pub mod forward;
pub mod literals;
pub mod matcher;
pub mod pattern;
pub mod prefilter;
pub mod raw;
pub mod slots;
pub mod splice;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Most names (aliases and demonyms included) for which the gazetteer's automaton may be
/// aho-corasick's DFA when its states do not fit a table of 16 bits (32,767 states; the bundled
/// gazetteer has 5,033), whose memory grows with the names (about 1.2 KB each): a larger
/// gazetteer gets an NFA about twelve times smaller.
const GAZETTEER_DFA_NAMES: usize = 10_000;

use bytes::ByteAlphabet;
use literals::{Case, Scanner};
pub use matcher::Matcher;
use prefilter::{Prefilter, Required};
use splice::Pieces;
use toml::Spanned;

use crate::error::{Lines, Location, RuleError, RuleErrors};
use crate::normalize::fold_str;
use crate::vocab::{ns, EntityTypeDecl, RelationDecl, Rgb, Vocabulary};
use bounds::NameBounds;
use matcher::ReadAtBuild;
use pattern::{Definitions, Expanded, Slot, TypeCodes};
use raw::RawFile;
use slots::SlotLayout;

/// A gazetteer entry: a known entity with its aliases.
#[derive(Debug, Clone)]
pub struct GazetteerEntry {
    pub name: String,
    pub entity_type: String,
    pub aliases: Vec<String>,
    pub qid: Option<String>,
    pub country: Option<String>,
    /// Labels by language code.
    pub labels: BTreeMap<String, String>,
    /// A news source, which no description names (`raw::RawGazetteerEntry::news_source`).
    pub news_source: bool,
}

/// What a gazetteer automaton pattern stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LexicalTarget {
    /// A name or alias of gazetteer entry `i`.
    Entry(usize),
    /// A demonym or nationality adjective of the place in gazetteer entry `i`.
    Demonym(usize),
    /// A word of a rule that reads the folded copy ([`FoldGate`]), anywhere in a word: not a
    /// mention, it tells that stage 3 must fold the sentence.
    FoldWord,
}

/// One pattern of the gazetteer automaton.
#[derive(Debug, Clone)]
pub struct LexicalPattern {
    pub target: LexicalTarget,
    /// The form as written in the rules.
    pub form: String,
    /// The text must start with a capital where the form does.
    pub capitalized: bool,
    /// The text must equal the form exactly (the entry asked for it).
    pub exact: bool,
}

/// Gazetteer names, aliases and demonyms, matched in one pass over folded text.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    pub entries: Vec<GazetteerEntry>,
    pub patterns: Vec<LexicalPattern>,
    pub automaton: Scanner,
}

/// A flag that the first thread to take it sets: which thread builds something shared that
/// several may want at once. A copy starts untaken, as the copy of what it guards is built on its
/// own.
#[derive(Debug, Default)]
pub(crate) struct Claim(std::sync::atomic::AtomicBool);

impl Claim {
    /// Whether this call took the claim (no other had).
    pub(crate) fn take(&self) -> bool {
        !self.0.swap(true, std::sync::atomic::Ordering::AcqRel)
    }
}

impl Clone for Claim {
    fn clone(&self) -> Self {
        Claim::default()
    }
}

/// An entity pattern: a regex with a `name` group over masked text.
#[derive(Debug, Clone)]
pub struct EntityPattern {
    pub id: String,
    /// A declared entity type, or `Name` for untyped proper names.
    pub entity_type: String,
    /// `fr`, `en`, … or `any`: the pattern runs only on documents of that language.
    pub lang: String,
    pub priority: i32,
    pub regex: Matcher,
    /// The words (folded) trimmed from both ends of a name: a hash set, as every match of the
    /// patterns with `trim` looks up two words in it.
    pub trim: Option<std::collections::HashSet<String>>,
    pub not_sentence_initial: bool,
    /// A match that overlaps a mention found before keeps its words before it
    /// (see `raw::RawEntityPattern::cut_before_mentions`).
    pub cut_before_mentions: bool,
    /// A match that runs into a mention found before, and keeps no words before it, keeps its
    /// words after it (see `raw::RawEntityPattern::cut_after_mentions`).
    pub cut_after_mentions: bool,
    /// Where the `name` group is in a match, told without the capture engine when the parts
    /// around it leave one choice ([`bounds`]); `None` when the group is the match or off the
    /// pattern's spine. Read at load: read when the automata are built instead, the bounds of
    /// the patterns a run uses took 2 % more CPU time on 100 MB with two threads
    /// (BENCHMARKS.md, "Slot layouts read when the automata are built").
    pub bounds: Option<NameBounds>,
    /// The match is a description naming a preceding entity, chosen so (see
    /// `raw::RawEntityPattern::antecedent`); `None` for a name.
    pub antecedent: Option<Antecedent>,
    /// Matched against the folded sentence (lower case, no accents).
    pub fold: bool,
    pub location: Location,
    pub examples: Vec<MentionExample>,
}

/// Which preceding entity a definite description names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Antecedent {
    /// The nearest preceding mention of its type ("le centre de calcul").
    Nearest,
    /// The entity of its type, or the untyped name, with the most mentions before it ("la
    /// start-up" names the company the article is about), unless a mention was introduced with
    /// the description's noun ("la biotech Kymeris Bio" for "la biotech"); on ties the one last
    /// written as a clause's subject (`ResolutionWords::subject_verbs`), else the earliest.
    MostMentioned,
    /// The same without the noun, among the sentences before its own: for a pronoun or a
    /// determiner that stands for the article's company ("Elle", "Its", "the" of "the round"),
    /// whose word before a name ("its partner Norvik") does not introduce it.
    MostMentionedOnly,
}

#[derive(Debug, Clone)]
pub struct MentionExample {
    pub text: String,
    pub expect: Vec<String>,
    /// Language of the example's text, when not the pattern's.
    pub lang: Option<String>,
    pub location: Location,
}

/// A money pattern: groups `num` or `word`, optional `scale`, and `cur`.
#[derive(Debug, Clone)]
pub struct MoneyPattern {
    pub id: String,
    pub lang: String,
    pub regex: Matcher,
    /// Each expected mention written `text = value CUR`.
    pub examples: Vec<MentionExample>,
}

/// A date pattern: groups `year`, optional `month` (a number or a month word) and `day`; the
/// mention is the group `date` when there is one.
#[derive(Debug, Clone)]
pub struct DatePattern {
    pub id: String,
    pub regex: Matcher,
}

/// The tables that turn money words into amounts.
#[derive(Debug, Clone, Default)]
pub struct MoneyWords {
    pub numbers: BTreeMap<String, u64>,
    pub scales: BTreeMap<String, u32>,
    pub currencies: BTreeMap<String, String>,
}

/// Word lists used to compare names in entity resolution (all folded).
#[derive(Debug, Clone, Default)]
pub struct ResolutionWords {
    pub articles: BTreeSet<String>,
    pub legal_suffixes: BTreeSet<String>,
    pub connectors: BTreeSet<String>,
    /// Folded, as the others (`raw::RawResolution::apposition_openers`).
    pub apposition_openers: BTreeSet<String>,
    /// Folded (`raw::RawResolution::subject_verbs`).
    pub subject_verbs: BTreeSet<String>,
    /// Whether abbreviations defined in the text make their long forms mentions
    /// (`raw::RawResolution::abbreviations`).
    pub abbreviations: bool,
    /// Folded words that neither open a long form nor are a short form
    /// (`raw::RawResolution::not_abbreviations`).
    pub not_abbreviations: BTreeSet<String>,
    /// The language of the gazetteer's canonical names (`raw::RawResolution::name_lang`); `None`:
    /// an entry without a label in its mentions' language is labelled with its canonical name.
    pub name_lang: Option<String>,
    /// Capitalized articles that open a pattern's name after them inside a sentence, as written
    /// (`raw::RawResolution::name_articles`).
    pub name_articles: Vec<String>,
}

/// A relation rule, compiled.
#[derive(Debug, Clone)]
pub struct RelationRule {
    pub id: String,
    pub relation: String,
    /// `fr`, `en`, … or `any`: the rule runs only on documents of that language.
    pub lang: String,
    pub priority: i32,
    pub regex: Matcher,
    /// The same pattern with slots that accept anything (only with `LoadOptions::near_misses`).
    pub relaxed: Option<Matcher>,
    /// Matched against the folded sentence (lower case, no accents).
    pub fold: bool,
    pub slots: Vec<Slot>,
    /// Where the slots are among a match's placeholders ([`RelationRule::layout`]), worked out
    /// the first time the rule's automata are built, not at load: a run builds a few of the
    /// pack's rules, and the layouts of all of them were a fifth of a short run's instructions.
    layout: ReadAtBuild<Option<SlotLayout>>,
    /// The words (folded) that may not stand right before a match: a match after one is dropped.
    pub not_after: std::collections::HashSet<String>,
    pub location: Location,
    pub examples: Vec<RelationExample>,
}

impl RelationRule {
    /// Where the slots are among a match's placeholders, when the regex tells it: then a match's
    /// span is enough to read them, and no capture engine runs ([`slots`]). Read from the syntax
    /// tree the automata were built from when [`RelationRule::build_unless_claimed`] built them,
    /// else from the tree made again.
    pub fn layout(&self) -> Option<&SlotLayout> {
        self.layout.get(&self.regex, |hir| SlotLayout::of(hir, &self.slots)).as_ref()
    }

    /// Builds the rule's automata unless they are built or claimed
    /// ([`Matcher::build_unless_claimed`]), and its layout from the same syntax tree.
    pub fn build_unless_claimed(&self) {
        self.layout.build(&self.regex, |hir| SlotLayout::of(hir, &self.slots));
    }
}

#[derive(Debug, Clone)]
pub struct RelationExample {
    pub text: String,
    pub expect: Vec<String>,
    pub reject: Vec<String>,
    /// Language of the example's text, when not the rule's.
    pub lang: Option<String>,
    pub location: Location,
}

/// The literal prefilters of a rule pack (see [`prefilter`]).
#[derive(Debug, Clone)]
pub struct Prefilters {
    /// Of every entity pattern, for documents of unknown language.
    pub entity: Prefilter,
    /// The money patterns, then the date patterns: one scan of a sentence serves both.
    pub money_and_dates: Prefilter,
    /// Of every relation rule, for documents of unknown language.
    pub relation: Prefilter,
    /// Per language of the pack's patterns, the prefilters of the entity patterns and of the
    /// relation rules, with the clauses of those that apply to the language only (the others
    /// have none, and do not run on such documents): a scan looks for no literal of another
    /// language's rules (`in` of an English rule in every French "industrie").
    pub by_language: Vec<LanguagePrefilters>,
    /// Whether a relation rule that reads the folded copy (`fold`) may match a sentence.
    pub relation_fold: FoldGate,
}

/// The prefilters of one language's documents ([`Prefilters::by_language`]).
#[derive(Debug, Clone)]
pub struct LanguagePrefilters {
    pub lang: String,
    pub entity: Prefilter,
    pub relation: Prefilter,
}

impl Prefilters {
    /// The entity and relation prefilters for documents in `lang`, with a number of their own
    /// (0 for those of every pattern), under which a caller may keep what it needs per
    /// prefilter.
    pub fn for_language(&self, lang: Option<&str>) -> (usize, &Prefilter, &Prefilter) {
        let own = self.by_language.iter().position(|p| Some(p.lang.as_str()) == lang);
        match own {
            Some(k) => (k + 1, &self.by_language[k].entity, &self.by_language[k].relation),
            None => (0, &self.entity, &self.relation),
        }
    }
}

/// Whether some rule that reads the folded copy may match a sentence, told by the gazetteer's
/// walk of the folded sentence in stage 1, so that stage 3 folds only the sentences where one
/// may. Each such rule gives its most selective clause of words
/// ([`Prefilter::folded_clause`]): a clause met in a folded masked sentence is met in the folded
/// sentence, as masking keeps the text between the placeholders as it is and folding goes
/// character by character; clauses with a part of a placeholder are left out, as the sentence
/// of stage 1 has none.
#[derive(Debug, Clone)]
pub enum FoldGate {
    /// No rule reads the folded copy.
    Never,
    /// Some rule that reads it has no clause of words worth looking for.
    Always,
    /// The words of the clauses, one of which a sentence must hold: the gazetteer's automaton
    /// looks for them too ([`LexicalTarget::FoldWord`]).
    Words(Vec<String>),
}

impl FoldGate {
    fn new<'r>(
        prefilter: &Prefilter,
        rules: impl Iterator<Item = (usize, &'r RelationRule)>,
        codes: &TypeCodes,
    ) -> FoldGate {
        let mut words = Vec::new();
        for (i, _) in rules.filter(|(_, r)| r.fold) {
            match prefilter.folded_clause(i, |literal| !codes.in_literal(literal)) {
                Some(clause) => words.extend(clause),
                None => return FoldGate::Always,
            }
        }
        words.sort();
        words.dedup();
        if words.is_empty() {
            return FoldGate::Never;
        }
        FoldGate::Words(words)
    }
}

/// A loaded, checked and compiled rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    pub root: PathBuf,
    pub vocabulary: Vocabulary,
    pub gazetteer: Gazetteer,
    pub entity_patterns: Vec<EntityPattern>,
    pub money_patterns: Vec<MoneyPattern>,
    pub money_words: MoneyWords,
    pub date_patterns: Vec<DatePattern>,
    /// Month words (folded) to their number.
    pub months: BTreeMap<String, u32>,
    pub resolution: ResolutionWords,
    pub relation_rules: Vec<RelationRule>,
    pub lexicons: BTreeMap<String, Vec<String>>,
    /// The character that stands for each mention type in placeholders.
    pub type_codes: TypeCodes,
    /// Literal prefilters of the patterns and rules above, in their order.
    pub prefilters: Prefilters,
    /// The alphabet of bytes the patterns read (all but those that cannot be read over bytes),
    /// when the pack's characters fit one ([`bytes`]): texts are mapped to it once for them all.
    pub bytes: Option<std::sync::Arc<ByteAlphabet>>,
    /// A hash of every rule file (path below the root and content) and of the languages loaded:
    /// partial graphs record it, so that only partials made with the same rules are merged.
    pub fingerprint: String,
    /// The macros and lexicons of the patterns, each parsed once for them all ([`splice`]),
    /// until a stream has built what it needs first ([`Pieces::release`]).
    pub pieces: Arc<Pieces>,
}

/// Whether a rule or pattern written for `rule_lang` runs on a document in `doc_lang`: rules
/// marked `any` run everywhere, and so does every rule on a document whose language is unknown.
pub fn applies_to(rule_lang: &str, doc_lang: Option<&str>) -> bool {
    rule_lang == "any" || doc_lang.is_none_or(|l| l == rule_lang)
}

/// Which languages to load (`--lang`); `None` loads all. Rules marked `any` always load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub languages: Option<Vec<String>>,
    /// Also compile each relation rule with relaxed slots, for near misses (`explain`).
    pub near_misses: bool,
    /// Build every pattern's automata at load, under the size limit (`rules check`), instead of
    /// on first use.
    pub build_all: bool,
}

impl LoadOptions {
    fn wants(&self, lang: &str) -> bool {
        lang == "any" || self.languages.as_ref().is_none_or(|l| l.iter().any(|x| x == lang))
    }
}

/// One parsed file with its text, for locations.
struct SourceFile {
    path: PathBuf,
    text: String,
    lines: Lines,
    raw: RawFile,
}

impl SourceFile {
    /// The location of byte `offset` of the file.
    fn location(&self, offset: usize) -> Location {
        self.lines.at(&self.path, &self.text, offset)
    }
}

struct Loader {
    errors: Vec<RuleError>,
    parsing: Parsing,
}

/// How the patterns of a pack are parsed and built.
struct Parsing {
    /// Build each pattern's automata at load ([`LoadOptions::build_all`]).
    build_all: bool,
    /// The macros and lexicons of the pack's patterns, each parsed once ([`splice`]).
    pieces: Arc<Pieces>,
}

impl Loader {
    fn error(&mut self, file: &SourceFile, offset: usize, message: impl Into<String>) {
        self.errors.push(RuleError { location: file.location(offset), message: message.into() });
    }
}

fn rule_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            rule_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

fn parse_color(text: &str) -> Option<Rgb> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let v = u32::from_str_radix(hex, 16).ok()?;
    Some(Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

/// Expands a prefixed name (`schema:Organization`) or checks a full IRI.
fn expand_iri(text: &str) -> Option<String> {
    let prefixes = [
        ("schema:", ns::SCHEMA),
        ("kgo:", ns::KGO),
        ("owl:", ns::OWL),
        ("rdfs:", ns::RDFS),
        ("prov:", ns::PROV),
    ];
    let full = prefixes
        .iter()
        .find_map(|(p, n)| text.strip_prefix(p).map(|rest| format!("{n}{rest}")))
        .unwrap_or_else(|| text.to_string());
    oxrdf::NamedNode::new(&full).ok().map(|n| n.into_string())
}

/// Byte offset of the first character of a string value whose token starts at `token_start`.
fn string_content_start(text: &str, token_start: usize) -> usize {
    let rest = &text[token_start..];
    if rest.starts_with("'''") || rest.starts_with("\"\"\"") {
        let after = token_start + 3;
        if text[after..].starts_with('\n') {
            after + 1
        } else {
            after
        }
    } else {
        token_start + 1
    }
}

impl RulePack {
    /// Frees what loading keeps to build the patterns' automata: the parsed macros and lexicons
    /// ([`Pieces::release`]) and the classes translated to the pack's bytes
    /// ([`ByteAlphabet::release_memo`](bytes::ByteAlphabet::release_memo)). A pattern built
    /// later is parsed and translated whole. A stream calls it after every batch, from its
    /// first on, when the automata a run needs first are built.
    pub fn release_build_caches(&self) {
        self.pieces.release();
        if let Some(bytes) = &self.bytes {
            bytes.release_memo();
        }
    }

    /// Builds the automata of every pattern now, instead of on first use (for `rules profile`,
    /// which times building apart from searching).
    pub fn build_automata(&self) {
        // with what the relation rules read from the same trees
        self.relation_rules.iter().for_each(RelationRule::build_unless_claimed);
        self.matchers().for_each(|(_, m)| m.build_if_needed());
    }

    /// Every pattern of the pack with its id: entity, money and date patterns, relation rules.
    pub fn matchers(&self) -> impl Iterator<Item = (&str, &Matcher)> {
        let entity = self.entity_patterns.iter().map(|p| (p.id.as_str(), &p.regex));
        let money = self.money_patterns.iter().map(|p| (p.id.as_str(), &p.regex));
        let date = self.date_patterns.iter().map(|p| (p.id.as_str(), &p.regex));
        let relation = self.relation_rules.iter().map(|r| (r.id.as_str(), &r.regex));
        entity.chain(money).chain(date).chain(relation)
    }

    /// Loads every `*.toml` below `dir`.
    pub fn load(dir: &Path, options: &LoadOptions) -> Result<RulePack, RuleErrors> {
        let mut paths = Vec::new();
        if let Err(e) = rule_files(dir, &mut paths) {
            return Err(RuleErrors(vec![RuleError {
                location: Location { file: dir.to_path_buf(), line: 0, column: 0 },
                message: format!("cannot read the rules directory: {e}"),
            }]));
        }
        let parsing = Parsing { build_all: options.build_all, pieces: Arc::default() };
        let mut loader = Loader { errors: Vec::new(), parsing };
        if paths.is_empty() {
            loader.errors.push(RuleError {
                location: Location { file: dir.to_path_buf(), line: 0, column: 0 },
                message: "no rule files (*.toml) in this directory".into(),
            });
        }
        let mut files = Vec::new();
        for path in paths {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    loader.errors.push(RuleError {
                        location: Location { file: path.clone(), line: 0, column: 0 },
                        message: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            match toml::from_str::<RawFile>(&text) {
                Ok(raw) => files.push(SourceFile { lines: Lines::of(&text), path, text, raw }),
                Err(e) => {
                    let offset = e.span().map_or(0, |s| s.start);
                    let message = e.message().to_string();
                    loader
                        .errors
                        .push(RuleError { location: Location::at(&path, &text, offset), message });
                }
            }
        }
        let mut pack = compile(dir, &files, options, &mut loader);
        if let Some(pack) = pack.as_mut() {
            let mut material = String::new();
            for file in &files {
                let relative = file.path.strip_prefix(dir).unwrap_or(&file.path);
                material.push_str(&format!("{}\n{}\n\u{0}", relative.display(), file.text));
            }
            material.push_str(&format!("{:?}", options.languages));
            pack.fingerprint = crate::slug::short_hash(material.as_bytes());
        }
        if loader.errors.is_empty() {
            Ok(pack.expect("a pack compiles when no error was found"))
        } else {
            loader.errors.sort();
            loader.errors.dedup();
            Err(RuleErrors(loader.errors))
        }
    }

    /// The gazetteer entry of a place, by canonical name.
    pub fn gazetteer_entry(&self, name: &str) -> Option<usize> {
        self.gazetteer.entries.iter().position(|e| e.name == name)
    }
}

fn compile(
    dir: &Path,
    files: &[SourceFile],
    options: &LoadOptions,
    loader: &mut Loader,
) -> Option<RulePack> {
    // 1. vocabulary
    let mut vocabulary = Vocabulary::default();
    for file in files {
        for item in &file.raw.entity_type {
            let at = item.span().start;
            let t = item.get_ref();
            let class = expand_iri(&t.class);
            let color = parse_color(&t.color);
            if class.is_none() {
                loader.error(
                    file,
                    at,
                    format!("entity type {}: '{}' is not an IRI", t.name, t.class),
                );
            }
            if color.is_none() {
                loader.error(
                    file,
                    at,
                    format!("entity type {}: colour '{}' is not #rrggbb", t.name, t.color),
                );
            }
            if pattern::PSEUDO_TYPES.contains(&t.name.as_str()) {
                loader.error(
                    file,
                    at,
                    format!("'{}' is a built-in pseudo-type and cannot be declared", t.name),
                );
            }
            let decl = EntityTypeDecl {
                name: t.name.clone(),
                class_iri: class.unwrap_or_default(),
                color: color.unwrap_or(Rgb(0, 0, 0)),
                shape: t.shape.clone(),
                size: t.size,
            };
            if vocabulary.entity_types.insert(t.name.clone(), decl).is_some() {
                loader.error(file, at, format!("entity type '{}' is declared twice", t.name));
            } else if vocabulary.entity_types.len() == pattern::MAX_ENTITY_TYPES + 1 {
                let most = pattern::MAX_ENTITY_TYPES;
                loader.error(file, at, format!("more than {most} entity types are declared"));
            }
        }
    }
    for file in files {
        for item in &file.raw.relation {
            let at = item.span().start;
            let r = item.get_ref();
            let property = expand_iri(&r.property);
            if property.is_none() {
                loader.error(
                    file,
                    at,
                    format!("relation {}: '{}' is not an IRI", r.name, r.property),
                );
            }
            let color = parse_color(&r.color);
            if color.is_none() {
                loader.error(
                    file,
                    at,
                    format!("relation {}: colour '{}' is not #rrggbb", r.name, r.color),
                );
            }
            let mut supers = Vec::new();
            for s in &r.sub_property_of {
                match expand_iri(s) {
                    Some(iri) => supers.push(iri),
                    None => {
                        loader.error(file, at, format!("relation {}: '{s}' is not an IRI", r.name))
                    }
                }
            }
            for t in r.domain.iter().chain(&r.range) {
                if !vocabulary.entity_types.contains_key(t) {
                    loader.error(
                        file,
                        at,
                        format!("relation {}: unknown entity type '{t}'", r.name),
                    );
                }
            }
            let decl = RelationDecl {
                name: r.name.clone(),
                property_iri: property.unwrap_or_default(),
                label: r.label.clone(),
                comment: r.comment.clone(),
                symmetric: r.symmetric,
                sub_property_of: supers,
                domain: r.domain.clone(),
                range: r.range.clone(),
                color: color.unwrap_or(Rgb(0, 0, 0)),
            };
            if vocabulary.relations.insert(r.name.clone(), decl).is_some() {
                loader.error(file, at, format!("relation '{}' is declared twice", r.name));
            }
        }
    }
    let type_names: Vec<String> =
        vocabulary.entity_types.keys().take(pattern::MAX_ENTITY_TYPES).cloned().collect();
    let type_codes = TypeCodes::new(&type_names);

    // 2. gazetteer and demonyms
    let mut entries: Vec<GazetteerEntry> = Vec::new();
    let mut exact_flags = Vec::new();
    let mut seen_entries: BTreeMap<(String, String), ()> = BTreeMap::new();
    for file in files {
        for item in &file.raw.entity {
            let at = item.span().start;
            let e = item.get_ref();
            if !vocabulary.entity_types.contains_key(&e.entity_type) {
                loader.error(
                    file,
                    at,
                    format!("gazetteer entry '{}': unknown type '{}'", e.name, e.entity_type),
                );
            }
            if let Some(q) = &e.qid {
                let ok =
                    q.len() > 1 && q.starts_with('Q') && q[1..].chars().all(|c| c.is_ascii_digit());
                if !ok {
                    loader.error(
                        file,
                        at,
                        format!("gazetteer entry '{}': '{q}' is not a Wikidata QID", e.name),
                    );
                }
            }
            let forms = std::iter::once(&e.name).chain(&e.aliases).chain(e.labels.values());
            for form in forms.filter(|f| fold_str(f).is_empty()) {
                loader.error(
                    file,
                    at,
                    format!("gazetteer entry '{}': '{form}' is empty once folded", e.name),
                );
            }
            if seen_entries.insert((e.entity_type.clone(), e.name.clone()), ()).is_some() {
                loader.error(
                    file,
                    at,
                    format!("gazetteer entry '{}' ({}) appears twice", e.name, e.entity_type),
                );
            }
            entries.push(GazetteerEntry {
                name: e.name.clone(),
                entity_type: e.entity_type.clone(),
                aliases: e.aliases.clone(),
                qid: e.qid.clone(),
                country: e.country.clone(),
                labels: e.labels.clone(),
                news_source: e.news_source,
            });
            exact_flags.push(e.exact);
        }
    }
    let mut patterns: Vec<LexicalPattern> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let mut forms: Vec<&String> = std::iter::once(&e.name).chain(&e.aliases).collect();
        forms.extend(e.labels.values().filter(|l| !e.aliases.contains(l) && **l != e.name));
        for form in forms {
            let capitalized = form.chars().next().is_some_and(char::is_uppercase);
            patterns.push(LexicalPattern {
                target: LexicalTarget::Entry(i),
                form: form.replace(['\u{2019}', '\u{2018}'], "'"),
                capitalized,
                exact: exact_flags[i],
            });
        }
    }
    for file in files {
        for item in &file.raw.demonym {
            let at = item.span().start;
            let d = item.get_ref();
            match entries.iter().position(|e| e.name == d.place && e.entity_type == "Place") {
                Some(i) => {
                    for form in &d.forms {
                        if fold_str(form).is_empty() {
                            let message =
                                format!("demonym of '{}': '{form}' is empty once folded", d.place);
                            loader.error(file, at, message);
                            continue;
                        }
                        patterns.push(LexicalPattern {
                            target: LexicalTarget::Demonym(i),
                            form: form.replace(['\u{2019}', '\u{2018}'], "'"),
                            capitalized: false,
                            exact: false,
                        });
                    }
                }
                None => loader.error(
                    file,
                    at,
                    format!(
                        "demonym of '{}': no gazetteer entry of type Place has that name",
                        d.place
                    ),
                ),
            }
        }
    }

    // 3. money tables, lexicons and macros
    let mut money_words = MoneyWords::default();
    let mut money_forms: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for file in files {
        if let Some(words) = &file.raw.money_words {
            let w = words.get_ref();
            for (k, v) in &w.numbers {
                money_words.numbers.insert(fold_str(k), *v);
                money_forms.entry("money_number").or_default().push(k.clone());
            }
            for (k, v) in &w.scales {
                money_words.scales.insert(fold_str(k), *v);
                money_forms.entry("money_scale").or_default().push(k.clone());
            }
            for (k, v) in &w.currencies {
                money_words.currencies.insert(fold_str(k), v.clone());
                money_forms.entry("money_currency").or_default().push(k.clone());
            }
            for (k, v) in &w.codes {
                money_words.currencies.insert(fold_str(k), v.clone());
            }
        }
    }
    let mut months: BTreeMap<String, u32> = BTreeMap::new();
    for file in files {
        if let Some(words) = &file.raw.date_words {
            for (k, v) in &words.get_ref().months {
                if !(1..=12).contains(v) {
                    loader.error(
                        file,
                        words.span().start,
                        format!("month '{k}' = {v} is not 1 to 12"),
                    );
                }
                months.insert(fold_str(k), *v);
                money_forms.entry("date_month").or_default().push(k.clone());
            }
        }
    }
    let mut lexicons: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut lexicon_regexes: BTreeMap<String, String> = BTreeMap::new();
    // the money and month tables double as case-insensitive lexicons for their patterns
    for (name, forms) in &money_forms {
        lexicon_regexes.insert(name.to_string(), format!("(?i:{})", pattern::lexicon_regex(forms)));
    }
    let mut macros: BTreeMap<String, String> = BTreeMap::new();
    for file in files {
        for item in &file.raw.lexicon {
            let l = item.get_ref();
            if lexicons.insert(l.name.clone(), l.words.clone()).is_some() {
                loader.error(
                    file,
                    item.span().start,
                    format!("lexicon '{}' is defined twice", l.name),
                );
            }
            lexicon_regexes.insert(l.name.clone(), pattern::lexicon_regex(&l.words));
        }
        for (name, body) in &file.raw.macros {
            if macros.insert(name.clone(), body.get_ref().clone()).is_some() {
                loader.error(file, body.span().start, format!("macro '{name}' is defined twice"));
            }
        }
    }
    for (name, _) in lexicons.iter() {
        if macros.contains_key(name) {
            loader.errors.push(RuleError {
                location: Location { file: dir.to_path_buf(), line: 0, column: 0 },
                message: format!("'{name}' is both a macro and a lexicon"),
            });
        }
    }
    let defs = Definitions {
        macros: &macros,
        lexicons: &lexicon_regexes,
        entity_types: &type_names,
        codes: &type_codes,
        relaxed_slots: false,
        lang: None,
    };
    let relaxed_defs = Definitions { relaxed_slots: true, ..defs };

    // 4. patterns and rules
    let mut ids: BTreeMap<String, Location> = BTreeMap::new();
    let mut check_id = |loader: &mut Loader, file: &SourceFile, at: usize, id: &str| {
        let loc = file.location(at);
        if let Some(first) = ids.get(id) {
            loader.error(file, at, format!("duplicate id '{id}' (first defined at {first})"));
        } else {
            ids.insert(id.to_string(), loc);
        }
    };
    let items: Vec<_> =
        files.iter().flat_map(|f| f.raw.entity_pattern.iter().map(move |i| (f, i))).collect();
    let name_bounds = |hir: &_, _: &_| NameBounds::of(hir, "name");
    let mut compiled = compile_all(&items, |file, item| {
        let p = item.get_ref();
        options.wants(&p.lang).then(|| {
            compiled_pattern(file, &p.id, &p.pattern, &defs, false, &loader.parsing, name_bounds)
        })
    })
    .into_iter();
    let mut entity_patterns = Vec::new();
    for file in files {
        for item in &file.raw.entity_pattern {
            let compiled = compiled.next().expect("one result per entity pattern");
            let at = item.span().start;
            let p = item.get_ref();
            check_id(loader, file, at, &p.id);
            if !options.wants(&p.lang) {
                continue;
            }
            if p.entity_type != "Name" && !vocabulary.entity_types.contains_key(&p.entity_type) {
                loader.error(
                    file,
                    at,
                    format!("entity pattern {}: unknown type '{}'", p.id, p.entity_type),
                );
            }
            let trim = p.trim.as_ref().map(|names| {
                let mut words = std::collections::HashSet::new();
                for name in names.names() {
                    match lexicons.get(name) {
                        Some(list) => words.extend(list.iter().map(|w| fold_str(w))),
                        None => loader.error(
                            file,
                            at,
                            format!("entity pattern {}: unknown lexicon '{name}'", p.id),
                        ),
                    }
                }
                words
            });
            let antecedent = match (p.antecedent, p.antecedent_choice.as_deref()) {
                (false, None) => None,
                (true, None | Some("nearest")) => Some(Antecedent::Nearest),
                (true, Some("most-mentioned")) => Some(Antecedent::MostMentioned),
                (true, Some("most-mentioned-only")) => Some(Antecedent::MostMentionedOnly),
                (false, Some(_)) => {
                    let message = "antecedent_choice without antecedent = true";
                    loader.error(file, at, format!("entity pattern {}: {message}", p.id));
                    None
                }
                (true, Some(other)) => {
                    let message = format!(
                        "unknown antecedent_choice '{other}' (known: nearest, most-mentioned, most-mentioned-only)"
                    );
                    loader.error(file, at, format!("entity pattern {}: {message}", p.id));
                    None
                }
            };
            let Some((regex, _, bounds)) =
                compiled.and_then(|compiled| reported(loader, file, compiled))
            else {
                continue;
            };
            if !regex.has_group("name") {
                loader.error(file, at, format!("entity pattern {}: no (?P<name>...) group", p.id));
            }
            entity_patterns.push(EntityPattern {
                id: p.id.clone(),
                entity_type: p.entity_type.clone(),
                lang: p.lang.clone(),
                priority: p.priority,
                regex,
                trim,
                not_sentence_initial: p.not_sentence_initial,
                cut_before_mentions: p.cut_before_mentions,
                cut_after_mentions: p.cut_after_mentions,
                bounds,
                antecedent,
                fold: p.fold,
                location: file.location(at),
                examples: mention_examples(file, &p.example),
            });
        }
    }
    entity_patterns.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.id.cmp(&b.id)));

    let mut money_patterns = Vec::new();
    for file in files {
        for item in &file.raw.money {
            let p = item.get_ref();
            check_id(loader, file, item.span().start, &p.id);
            if !options.wants(&p.lang) {
                continue;
            }
            if let Some((regex, ..)) =
                compile_pattern(loader, file, &p.id, &p.pattern, &defs, false, |_, _| ())
            {
                let names: Vec<_> = regex.group_names().collect();
                let has_number = names.contains(&"num") || names.contains(&"word");
                if !has_number || !names.contains(&"cur") {
                    loader.error(
                        file,
                        item.span().start,
                        format!(
                            "money pattern {}: needs a group num or word, and a group cur",
                            p.id
                        ),
                    );
                }
                money_patterns.push(MoneyPattern {
                    id: p.id.clone(),
                    lang: p.lang.clone(),
                    regex,
                    examples: mention_examples(file, &p.example),
                });
            }
        }
    }
    let mut date_patterns = Vec::new();
    for file in files {
        for item in &file.raw.date {
            let p = item.get_ref();
            check_id(loader, file, item.span().start, &p.id);
            if !options.wants(&p.lang) {
                continue;
            }
            if let Some((regex, ..)) =
                compile_pattern(loader, file, &p.id, &p.pattern, &defs, false, |_, _| ())
            {
                if !regex.has_group("year") {
                    loader.error(
                        file,
                        item.span().start,
                        format!("date pattern {}: needs a group year", p.id),
                    );
                }
                date_patterns.push(DatePattern { id: p.id.clone(), regex });
            }
        }
    }
    let mut resolution = ResolutionWords::default();
    for file in files {
        if let Some(r) = &file.raw.resolution {
            let r = r.get_ref();
            resolution.articles.extend(r.articles.iter().map(|w| fold_str(w)));
            resolution.legal_suffixes.extend(r.legal_suffixes.iter().map(|w| fold_str(w)));
            resolution.connectors.extend(r.connectors.iter().map(|w| fold_str(w)));
            let openers = r.apposition_openers.iter().map(|w| fold_str(w));
            resolution.apposition_openers.extend(openers);
            resolution.subject_verbs.extend(r.subject_verbs.iter().map(|w| fold_str(w)));
            resolution.abbreviations |= r.abbreviations;
            resolution.name_articles.extend(r.name_articles.iter().cloned());
            if r.name_lang.is_some() {
                resolution.name_lang.clone_from(&r.name_lang);
            }
            if let Some(name) = &r.not_abbreviations {
                match lexicons.get(name) {
                    Some(words) => {
                        resolution.not_abbreviations.extend(words.iter().map(|w| fold_str(w)))
                    }
                    None => loader.error(
                        file,
                        file.raw.resolution.as_ref().map_or(0, |r| r.span().start),
                        format!("resolution: unknown lexicon '{name}' in not_abbreviations"),
                    ),
                }
            }
        }
    }

    let items: Vec<_> = files.iter().flat_map(|f| f.raw.rule.iter().map(move |i| (f, i))).collect();
    // when every automaton is built at load (`rules check`, `rules test`), so is every layout,
    // from the same tree; else each is read when its rule's automata are built
    let build_all = loader.parsing.build_all;
    let slot_layout = |hir: &_, e: &Expanded| build_all.then(|| SlotLayout::of(hir, &e.slots));
    let mut compiled = compile_all(&items, |file, item| {
        let r = item.get_ref();
        options.wants(&r.lang).then(|| {
            let defs = Definitions { lang: Some(&r.lang), ..defs };
            compiled_pattern(file, &r.id, &r.pattern, &defs, true, &loader.parsing, slot_layout)
        })
    })
    .into_iter();
    let mut relation_rules = Vec::new();
    for file in files {
        for item in &file.raw.rule {
            let compiled = compiled.next().expect("one result per relation rule");
            let at = item.span().start;
            let r = item.get_ref();
            check_id(loader, file, at, &r.id);
            if !options.wants(&r.lang) {
                continue;
            }
            let Some(decl) = vocabulary.relations.get(&r.relation) else {
                loader.error(file, at, format!("rule {}: unknown relation '{}'", r.id, r.relation));
                continue;
            };
            let Some((regex, expanded, layout)) =
                compiled.and_then(|compiled| reported(loader, file, compiled))
            else {
                continue;
            };
            let roles: BTreeSet<_> = expanded.slots.iter().map(|s| s.role).collect();
            use pattern::SlotRole::*;
            let pairwise =
                roles.contains(&Parties) && !roles.contains(&Subject) && !roles.contains(&Object);
            let directed =
                roles.contains(&Subject) && roles.contains(&Object) && !roles.contains(&Parties);
            if !(pairwise || directed) {
                loader.error(
                    file,
                    at,
                    format!("rule {}: needs slots subject and object, or parties alone", r.id),
                );
            }
            if pairwise && !decl.symmetric {
                loader.error(
                    file,
                    at,
                    format!(
                        "rule {}: a parties slot needs a symmetric relation ('{}' is not)",
                        r.id, r.relation
                    ),
                );
            }
            // a match is compared with the one word before it: an empty word or one with a
            // space would drop every match at a sentence's start, or none
            for word in
                r.not_after.iter().filter(|w| w.is_empty() || w.contains(char::is_whitespace))
            {
                loader.error(
                    file,
                    at,
                    format!("rule {}: not_after holds '{word}', which is not one word", r.id),
                );
            }
            let relaxed = if options.near_misses {
                let relaxed_defs = Definitions { lang: Some(&r.lang), ..relaxed_defs };
                pattern::expand(r.pattern.get_ref(), &relaxed_defs, true)
                    .ok()
                    .and_then(|e| Matcher::new(&e.regex).ok())
            } else {
                None
            };
            relation_rules.push(RelationRule {
                id: r.id.clone(),
                relation: r.relation.clone(),
                lang: r.lang.clone(),
                priority: r.priority,
                regex,
                relaxed,
                fold: r.fold,
                slots: expanded.slots,
                layout: ReadAtBuild::read(layout),
                not_after: r.not_after.iter().map(|w| fold_str(w)).collect(),
                location: file.location(at),
                examples: r
                    .example
                    .iter()
                    .map(|x| RelationExample {
                        text: x.get_ref().text.clone(),
                        expect: x.get_ref().expect.clone(),
                        reject: x.get_ref().reject.clone(),
                        lang: x.get_ref().lang.clone(),
                        location: file.location(x.span().start),
                    })
                    .collect(),
            });
        }
    }
    relation_rules.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.id.cmp(&b.id)));

    let bytes = {
        let mut matchers: Vec<&mut Matcher> = (entity_patterns.iter_mut().map(|p| &mut p.regex))
            .chain(money_patterns.iter_mut().map(|p| &mut p.regex))
            .chain(date_patterns.iter_mut().map(|p| &mut p.regex))
            .chain(relation_rules.iter_mut().map(|r| &mut r.regex))
            .collect();
        let bytes = ByteAlphabet::new(matchers.iter().filter_map(|m| m.char_sets()));
        let bytes = bytes.map(std::sync::Arc::new);
        if let Some(alphabet) = &bytes {
            matchers.iter_mut().for_each(|m| m.read_bytes(alphabet));
        }
        bytes
    };
    // relation rules find few matches, where finding a start forward costs little
    relation_rules.iter_mut().for_each(|r| r.regex.read_forward());
    // what the prefilters need of each pattern, read when it was parsed
    let entity_required: Vec<_> =
        entity_patterns.iter_mut().map(|p| p.regex.take_required()).collect();
    let money_and_dates_required: Vec<_> = (money_patterns.iter_mut().map(|p| &mut p.regex))
        .chain(date_patterns.iter_mut().map(|p| &mut p.regex))
        .map(Matcher::take_required)
        .collect();
    let relation_required: Vec<_> =
        relation_rules.iter_mut().map(|r| r.regex.take_required()).collect();
    // the languages of the pack's patterns, each with prefilters of its own
    let mut langs: Vec<&str> = (entity_patterns.iter().map(|p| p.lang.as_str()))
        .chain(relation_rules.iter().map(|r| r.lang.as_str()))
        .filter(|&l| l != "any")
        .collect();
    langs.sort_unstable();
    langs.dedup();
    let by_language = {
        use rayon::prelude::*;
        let none = Required::default();
        let of_language =
            |required: &[Required], patterns: &mut dyn Iterator<Item = &str>, lang| {
                let own = required.iter().zip(patterns);
                Prefilter::of(own.map(|(r, l)| if applies_to(l, Some(lang)) { r } else { &none }))
            };
        langs
            .par_iter()
            .map(|&lang| LanguagePrefilters {
                lang: lang.to_string(),
                entity: of_language(
                    &entity_required,
                    &mut entity_patterns.iter().map(|p| p.lang.as_str()),
                    lang,
                ),
                relation: of_language(
                    &relation_required,
                    &mut relation_rules.iter().map(|r| r.lang.as_str()),
                    lang,
                ),
            })
            .collect()
    };
    let ((entity, money_and_dates), relation) = rayon::join(
        || {
            let entity = Prefilter::of(&entity_required);
            let money_and_dates = Prefilter::of(&money_and_dates_required);
            (entity, money_and_dates)
        },
        || {
            let relation = Prefilter::of(&relation_required);
            let gate = FoldGate::new(&relation, relation_rules.iter().enumerate(), &type_codes);
            (relation, gate)
        },
    );
    let (relation, relation_fold) = relation;
    // the gazetteer's walk of each folded sentence also looks for the words of the rules that
    // read the folded copy
    if let FoldGate::Words(words) = &relation_fold {
        patterns.extend(words.iter().map(|w| LexicalPattern {
            target: LexicalTarget::FoldWord,
            form: w.clone(),
            capitalized: false,
            exact: false,
        }));
    }
    let folded: Vec<String> = patterns.iter().map(|p| fold_str(&p.form)).collect();
    // A table or a DFA, not an NFA: every sentence is scanned, and on real articles aho-corasick's
    // DFA made whole runs 4 to 5 % faster than its NFA (1.3 MB against 0.1 MB for the bundled
    // 1,130 names); the table is half that DFA's size.
    let automaton = Scanner::new(&folded, Case::Exact, GAZETTEER_DFA_NAMES)
        .map_err(|e| {
            loader.errors.push(RuleError {
                location: Location { file: dir.to_path_buf(), line: 0, column: 0 },
                message: format!("cannot build the gazetteer automaton: {e}"),
            })
        })
        .ok();
    let prefilters = Prefilters { entity, money_and_dates, relation, by_language, relation_fold };
    Some(RulePack {
        prefilters,
        bytes,
        root: dir.to_path_buf(),
        vocabulary,
        gazetteer: Gazetteer { entries, patterns, automaton: automaton? },
        entity_patterns,
        money_patterns,
        money_words,
        date_patterns,
        months,
        resolution,
        relation_rules,
        lexicons,
        type_codes,
        fingerprint: String::new(),
        pieces: Arc::clone(&loader.parsing.pieces),
    })
}

/// The inline examples of an entity or money pattern, located in their file.
fn mention_examples(
    file: &SourceFile,
    examples: &[Spanned<raw::RawMentionExample>],
) -> Vec<MentionExample> {
    examples
        .iter()
        .map(|x| MentionExample {
            text: x.get_ref().text.clone(),
            expect: x.get_ref().expect.clone(),
            lang: x.get_ref().lang.clone(),
            location: file.location(x.span().start),
        })
        .collect()
}

/// A pattern expanded and compiled, with what its reader made of it; or where its error is in
/// its file, and the message.
type Compiled<T> = Result<(Matcher, Expanded, T), (usize, String)>;

/// Expands and compiles one pattern; reports errors at their position in the file.
fn compile_pattern<T>(
    loader: &mut Loader,
    file: &SourceFile,
    id: &str,
    pattern: &Spanned<String>,
    defs: &Definitions<'_>,
    allow_slots: bool,
    read: impl FnOnce(&regex_syntax::hir::Hir, &Expanded) -> T,
) -> Option<(Matcher, Expanded, T)> {
    let compiled = compiled_pattern(file, id, pattern, defs, allow_slots, &loader.parsing, read);
    reported(loader, file, compiled)
}

/// The pattern of a [`Compiled`] result, its error reported.
fn reported<T>(
    loader: &mut Loader,
    file: &SourceFile,
    compiled: Compiled<T>,
) -> Option<(Matcher, Expanded, T)> {
    compiled.map_err(|(at, message)| loader.error(file, at, message)).ok()
}

/// `compile` over `items` (each with its file), in parallel on the current rayon pool: the
/// results in the items' order, `None` where `compile` skips an item (a language not loaded).
fn compile_all<'f, I: Sync, T: Send>(
    items: &[(&'f SourceFile, &'f I)],
    compile: impl Fn(&'f SourceFile, &'f I) -> Option<Compiled<T>> + Sync,
) -> Vec<Option<Compiled<T>>> {
    use rayon::prelude::*;
    items.par_iter().map(|&(file, item)| compile(file, item)).collect()
}

/// [`compile_pattern`] without reporting: the error's offset in the file and its message.
fn compiled_pattern<T>(
    file: &SourceFile,
    id: &str,
    pattern: &Spanned<String>,
    defs: &Definitions<'_>,
    allow_slots: bool,
    parsing: &Parsing,
    read: impl FnOnce(&regex_syntax::hir::Hir, &Expanded) -> T,
) -> Compiled<T> {
    let content = string_content_start(&file.text, pattern.span().start);
    let expanded = pattern::expand(pattern.get_ref(), defs, allow_slots)
        .map_err(|e| (content + e.offset, format!("{id}: {}", e.message)))?;
    // a syntax or class error is reported where it is; a pattern too large, at its start
    let pieces = (&parsing.pieces, expanded.pieces.as_slice());
    let built = Matcher::parse_pieces(&expanded.regex, pieces, |hir| {
        (unseen_char(hir), read(hir, &expanded))
    })
        .map_err(|e| (Some(e.offset), format!("regex error: {}", e.message)))
        .and_then(|(m, (unseen, read))| {
            if let Some(c) = unseen {
                let at = position_outside_classes(&expanded.regex, c);
                let written = crate::normalize::written_for(c).unwrap_or_default();
                return Err((
                    Some(at),
                    format!("{c:?} never occurs in the text a pattern reads (normalization writes {written:?} for it)"),
                ));
            }
            if parsing.build_all {
                m.build_now().map_err(|message| (None, format!("regex error: {message}")))?;
            }
            Ok((m, read))
        });
    match built {
        Ok((regex, read)) => Ok((regex, expanded, read)),
        Err((offset, message)) => {
            let at = offset.map_or(content, |o| content + expanded.original_offset(o));
            Err((at, format!("{id}: {message}")))
        }
    }
}

/// Where `c` first stands in `regex` outside a bracketed class (a class that holds it with other
/// characters is no error), else where it first stands at all: the place an error about it
/// points to.
fn position_outside_classes(regex: &str, c: char) -> usize {
    let (mut depth, mut escaped) = (0usize, false);
    for (at, ch) in regex.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            _ if ch == c && depth == 0 => return at,
            _ => {}
        }
    }
    regex.find(c).unwrap_or(0)
}

/// A character that `hir` looks for somewhere, in any branch, optional or not, but that no
/// normalized text holds ([`crate::normalize::written_for`]): one of a literal, or a class that
/// holds only such characters. The part of the pattern that holds it can never match, so a
/// dead alternative (`(?:^|« )`) is reported too. A class that also holds characters the text
/// keeps (`['’]`) is not one.
fn unseen_char(hir: &regex_syntax::hir::Hir) -> Option<char> {
    use regex_syntax::hir::{Class, HirKind};
    let unseen = |c: char| crate::normalize::written_for(c).is_some();
    match hir.kind() {
        HirKind::Literal(literal) => {
            std::str::from_utf8(&literal.0).ok()?.chars().find(|&c| unseen(c))
        }
        HirKind::Class(Class::Unicode(class)) => {
            let mut chars = class.ranges().iter().flat_map(|r| r.start()..=r.end());
            let first = chars.next()?;
            (unseen(first) && chars.all(unseen)).then_some(first)
        }
        HirKind::Class(Class::Bytes(_)) | HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Capture(c) => unseen_char(&c.sub),
        HirKind::Repetition(r) => unseen_char(&r.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().find_map(unseen_char),
    }
}

/// The bundled pack, for tests.
#[cfg(test)]
pub(crate) fn bundled() -> RulePack {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    RulePack::load(&root.join("rules"), &LoadOptions::default()).expect("the bundled rules load")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bundled_pattern_is_parsed_through_its_pieces_to_the_parsers_tree() {
        let rules = crate::rules::bundled();
        let matchers = rules.entity_patterns.iter().map(|p| (&p.id, &p.regex));
        let matchers = matchers.chain(rules.relation_rules.iter().map(|r| (&r.id, &r.regex)));
        let mut with_pieces = 0;
        for (id, m) in matchers {
            let whole = regex_syntax::parse(&m.source()).expect("a bundled pattern parses");
            if let Some(spliced) = m.spliced() {
                assert!(spliced == whole, "{id}: the spliced tree differs");
                with_pieces += 1;
            }
        }
        // every pattern but those without a macro, a lexicon or a list slot
        assert!(with_pieces > 400, "{with_pieces} patterns parsed through their pieces");
    }

    #[test]
    fn the_bundled_literals_are_walked_as_tables() {
        let rules = crate::rules::bundled();
        assert!(rules.gazetteer.automaton.is_table());
        let p = &rules.prefilters;
        for prefilter in [&p.entity, &p.relation, &p.money_and_dates] {
            assert!(prefilter.walks_a_table());
        }
        let langs: Vec<&str> = p.by_language.iter().map(|l| l.lang.as_str()).collect();
        assert_eq!(langs, ["en", "fr"]);
        for l in &p.by_language {
            assert!(l.entity.walks_a_table() && l.relation.walks_a_table());
        }
    }

    /// Clauses as sets of sets of literals (their order follows the literals' numbering, which
    /// differs from one prefilter to another).
    fn sorted(mut clauses: Vec<Vec<String>>) -> Vec<Vec<String>> {
        clauses.iter_mut().for_each(|c| c.sort());
        clauses.sort();
        clauses
    }

    #[test]
    fn a_language_prefilter_has_the_clauses_of_its_language_patterns_and_no_other() {
        let rules = crate::rules::bundled();
        let p = &rules.prefilters;
        let entity: Vec<&str> = rules.entity_patterns.iter().map(|e| e.lang.as_str()).collect();
        let relation: Vec<&str> = rules.relation_rules.iter().map(|r| r.lang.as_str()).collect();
        for l in &p.by_language {
            let stages = [
                (&p.entity, &l.entity, entity.clone()),
                (&p.relation, &l.relation, relation.clone()),
            ];
            for (all, own, langs) in stages {
                let (mut applying, mut clauses) = (0, 0);
                for (i, &lang) in langs.iter().enumerate() {
                    if applies_to(lang, Some(&l.lang)) {
                        assert_eq!(
                            sorted(own.describe(i)),
                            sorted(all.describe(i)),
                            "{} {i}",
                            l.lang
                        );
                        applying += 1;
                        clauses += own.clause_count(i);
                    } else {
                        assert_eq!(own.clause_count(i), 0, "{} pattern {i}", l.lang);
                    }
                }
                assert!(applying > 10 && clauses > applying, "{}: {applying}, {clauses}", l.lang);
            }
        }
        assert_eq!(p.for_language(Some("fr")).0, 2);
        assert_eq!(p.for_language(None).0, 0);
        assert_eq!(p.for_language(Some("de")).0, 0);
    }

    #[test]
    fn rules_run_on_documents_of_their_language_or_of_unknown_language() {
        assert!(applies_to("en", Some("en")));
        assert!(!applies_to("en", Some("fr")));
        assert!(applies_to("en", None));
        assert!(applies_to("any", Some("fr")));
    }

    const VOCABULARY: &str = r##"
[[entity_type]]
name = "Organization"
class = "schema:Organization"
color = "#4e79a7"
shape = "box"

[[relation]]
name = "partnerOf"
property = "kgo:partnerOf"
label = "partner of"
comment = "c"
symmetric = true
domain = ["Organization"]
range = ["Organization"]
color = "#e15759"
"##;

    fn load(files: &[(&str, &str)]) -> Result<RulePack, RuleErrors> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vocabulary.toml"), VOCABULARY).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        RulePack::load(dir.path(), &LoadOptions::default())
    }

    fn messages(files: &[(&str, &str)]) -> Vec<String> {
        let errors = load(files).expect_err("the pack has errors");
        errors
            .0
            .iter()
            .map(|e| {
                let file = e.location.file.file_name().unwrap().to_string_lossy();
                format!("{file}:{}:{}: {}", e.location.line, e.location.column, e.message)
            })
            .collect()
    }

    #[test]
    fn a_valid_pack_loads() {
        let rule = "[[rule]]\nid = \"r\"\nrelation = \"partnerOf\"\npattern = '{parties:Organization+} coopèrent'\n";
        let pack = load(&[("r.toml", rule)]).unwrap();
        assert_eq!(pack.relation_rules.len(), 1);
        assert_eq!(
            pack.vocabulary.relations["partnerOf"].property_iri,
            format!("{}partnerOf", ns::KGO)
        );
    }

    #[test]
    fn an_example_may_declare_the_language_of_its_text() {
        let rule = "[[rule]]\nid = \"r\"\nrelation = \"partnerOf\"\nlang = \"en\"\npattern = '{parties:Organization+} team up'\n[[rule.example]]\ntext = \"Acme Corp. and Zeta Corp. team up\"\nexpect = [\"Acme Corp. partnerOf Zeta Corp.\"]\n[[rule.example]]\ntext = \"Acme Corp. and Zeta Corp. team up\"\nlang = \"fr\"\nreject = [\"Acme Corp. partnerOf Zeta Corp.\"]\n";
        let pattern = "[[entity_pattern]]\nid = \"p\"\ntype = \"Organization\"\npattern = '(?P<name>\\p{Lu}\\w+ Corp\\.)'\n";
        let pack = load(&[("p.toml", pattern), ("r.toml", rule)]).unwrap();
        let examples = &pack.relation_rules[0].examples;
        assert_eq!(examples[0].lang, None);
        assert_eq!(examples[1].lang.as_deref(), Some("fr"));
        let report = examples::run_examples(&pack);
        assert_eq!(report.total, 2);
        assert!(report.failures.is_empty(), "{:?}", report.failures);
    }

    #[test]
    fn a_money_example_checks_the_text_and_the_amount() {
        let money = |expect: &str| {
            format!("[[money]]\nid = \"m\"\npattern = '(?P<amount>(?P<num>\\d+) (?P<scale>crore) (?P<cur>rupees))'\n[[money.example]]\ntext = \"It paid 3 crore rupees.\"\nlang = \"en\"\nexpect = [{expect}]\n[money_words.scales]\ncrore = 7\n[money_words.currencies]\nrupees = \"INR\"\n")
        };
        let report = |expect: &str| {
            let pack = load(&[("m.toml", &money(expect))]).unwrap();
            examples::run_examples(&pack)
        };
        assert!(report("\"3 crore rupees = 30000000 INR\"").failures.is_empty());
        for wrong in ["\"3 crore rupees = 3 INR\"", "\"3 crore = 30000000 INR\"", ""] {
            let failures = report(wrong).failures;
            assert_eq!(failures.len(), 1, "{wrong}");
            assert!(failures[0].message.contains("30000000 INR"), "{}", failures[0].message);
            assert_eq!(failures[0].location.line, 4);
        }
    }

    #[test]
    fn an_antecedent_choice_is_checked_at_load() {
        let pattern = |extra: &str| {
            format!("[[entity_pattern]]\nid = \"d\"\ntype = \"Organization\"\n{extra}pattern = '(?P<name>la start-up) a'\n")
        };
        let pack = load(&[(
            "p.toml",
            &pattern("antecedent = true\nantecedent_choice = \"most-mentioned\"\n"),
        )])
        .unwrap();
        assert_eq!(pack.entity_patterns[0].antecedent, Some(Antecedent::MostMentioned));
        let pack = load(&[("p.toml", &pattern("antecedent = true\n"))]).unwrap();
        assert_eq!(pack.entity_patterns[0].antecedent, Some(Antecedent::Nearest));
        assert_eq!(
            messages(&[("p.toml", &pattern("antecedent = true\nantecedent_choice = \"last\"\n"))]),
            ["p.toml:1:1: entity pattern d: unknown antecedent_choice 'last' (known: nearest, most-mentioned, most-mentioned-only)"]
        );
        assert_eq!(
            messages(&[("p.toml", &pattern("antecedent_choice = \"nearest\"\n"))]),
            ["p.toml:1:1: entity pattern d: antecedent_choice without antecedent = true"]
        );
    }

    #[test]
    fn trim_takes_one_lexicon_or_the_union_of_several() {
        let lexicons = "[[lexicon]]\nname = \"a\"\nwords = [\"Le\"]\n[[lexicon]]\nname = \"b\"\nwords = [\"north\"]\n";
        let pattern = |trim: &str| {
            format!("{lexicons}[[entity_pattern]]\nid = \"d\"\ntype = \"Organization\"\ntrim = {trim}\npattern = '(?P<name>X)'\n")
        };
        let words = |trim: &str| {
            let pack = load(&[("p.toml", &pattern(trim))]).unwrap();
            let mut words: Vec<String> =
                pack.entity_patterns[0].trim.clone().unwrap().into_iter().collect();
            words.sort();
            words
        };
        assert_eq!(words("\"a\""), ["le"]);
        assert_eq!(words("[\"a\", \"b\"]"), ["le", "north"]);
        assert_eq!(
            messages(&[("p.toml", &pattern("[\"a\", \"c\"]"))]),
            ["p.toml:7:1: entity pattern d: unknown lexicon 'c'"]
        );
    }

    #[test]
    fn not_after_words_are_single_words_compared_folded() {
        let rule = |words: &str| {
            format!("[[rule]]\nid = \"r\"\nrelation = \"partnerOf\"\nnot_after = {words}\npattern = '{{parties:Organization+}} team up'\n")
        };
        let pack = load(&[("r.toml", &rule("[\"Ex-\", \"d'\", \"À\"]"))]).unwrap();
        let mut words: Vec<&str> =
            pack.relation_rules[0].not_after.iter().map(String::as_str).collect();
        words.sort_unstable();
        assert_eq!(words, ["a", "d'", "ex-"]);
        assert_eq!(
            messages(&[("r.toml", &rule("[\"\", \"de la\"]"))]),
            [
                "r.toml:1:1: rule r: not_after holds '', which is not one word",
                "r.toml:1:1: rule r: not_after holds 'de la', which is not one word"
            ]
        );
    }

    #[test]
    fn all_errors_are_reported_with_their_positions() {
        let rules = "\
[[rule]]
id = \"a\"
relation = \"partnerOf\"
pattern = '{subject:Company} avec {object:Organization}'

[[rule]]
id = \"a\"
relation = \"acquires\"
pattern = '{parties:Organization+}'

[[rule]]
id = \"b\"
relation = \"partnerOf\"
pattern = '{parties:Organization+} {nope}'

[[rule]]
id = \"c\"
relation = \"partnerOf\"
pattern = '{parties:Organization+} (?:x'

[[rule]]
id = \"d\"
relation = \"partnerOf\"
pattern = '{parties:Organization+} \\p{Nope}'
";
        let got = messages(&[("r.toml", rules)]);
        let expected = [
            "r.toml:4:12: a: unknown slot type 'Company' (declared: Organization; built in: Name, Demonym, Money, Date)",
            "r.toml:6:1: duplicate id 'a' (first defined at ",
            "r.toml:6:1: rule a: unknown relation 'acquires'",
            "r.toml:14:36: b: unknown macro or lexicon '{nope}'",
            "r.toml:19:36: c: regex error: unclosed group",
            "r.toml:24:36: d: regex error: Unicode property not found",
        ];
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for (g, e) in got.iter().zip(expected) {
            assert!(g.starts_with(e), "{g:?} does not start with {e:?}");
        }
    }

    #[test]
    fn a_character_normalization_never_keeps_is_an_error() {
        // normalized text writes `"` for `«` and `'` for `’`: a pattern that needs them never
        // matches; one that also accepts what the text holds (`['’]`) is fine
        let rules = "\
[[rule]]
id = \"q\"
relation = \"partnerOf\"
pattern = '(?:^|« ){parties:Organization+} coopèrent'

[[rule]]
id = \"a\"
relation = \"partnerOf\"
pattern = '''{parties:Organization+} [a-z]+['’]s (?:l’|la )alliance'''

[[rule]]
id = \"ok\"
relation = \"partnerOf\"
pattern = '''(?:^|\"){parties:Organization+} [a-z]+['’]alliance'''
";
        let got = messages(&[("r.toml", rules)]);
        let expected = [
            "r.toml:4:17: q: '«' never occurs in the text a pattern reads (normalization writes \"\\\"\" for it)",
            "r.toml:9:54: a: '’' never occurs in the text a pattern reads (normalization writes \"'\" for it)",
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn toml_syntax_errors_name_the_line() {
        let got = messages(&[("bad.toml", "[[rule]]\nid = \"x\"\npattern = 'unterminated\n")]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("bad.toml:3:"), "{got:?}");
    }

    #[test]
    fn unknown_fields_and_types_are_errors() {
        let got = messages(&[(
            "g.toml",
            "[[entity]]\nname = \"Acme\"\ntype = \"Company\"\n\n[[entity_pattern]]\nid = \"p\"\ntype = \"Organization\"\npattern = 'x'\n",
        )]);
        assert!(
            got.iter().any(|m| m.contains("gazetteer entry 'Acme': unknown type 'Company'")),
            "{got:?}"
        );
        assert!(
            got.iter().any(|m| m.contains("entity pattern p: no (?P<name>...) group")),
            "{got:?}"
        );
        let got = messages(&[(
            "u.toml",
            "[[rule]]\nid = \"x\"\nrelation = \"partnerOf\"\npatern = 'x'\n",
        )]);
        assert!(got[0].contains("unknown field `patern`"), "{got:?}");
    }

    #[test]
    fn a_name_that_folds_to_nothing_is_an_error() {
        // the gazetteer's automaton looks for names folded: an empty one would be everywhere
        let got = messages(&[(
            "g.toml",
            "[[entity]]\nname = \"Paris\"\ntype = \"Place\"\naliases = [\"\", \"\u{301}\"]\n\n\
             [[demonym]]\nplace = \"Paris\"\nforms = [\"parisien\", \"\"]\n",
        )]);
        for expected in [
            "g.toml:1:1: gazetteer entry 'Paris': '' is empty once folded",
            "g.toml:1:1: gazetteer entry 'Paris': '\u{301}' is empty once folded",
            "g.toml:6:1: demonym of 'Paris': '' is empty once folded",
        ] {
            assert!(got.iter().any(|m| m == expected), "{expected}: {got:?}");
        }
    }
}
