//! The rule files as written: serde structures of the TOML syntax documented in `rules/README.md`.
//! Spans are kept so that every later error can name file:line:column.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// One rule file; every section is optional so a pack can be split as its authors like.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    #[serde(default)]
    pub entity_type: Vec<Spanned<RawEntityType>>,
    #[serde(default)]
    pub relation: Vec<Spanned<RawRelationDecl>>,
    #[serde(default)]
    pub entity: Vec<Spanned<RawGazetteerEntry>>,
    #[serde(default)]
    pub demonym: Vec<Spanned<RawDemonym>>,
    #[serde(default)]
    pub lexicon: Vec<Spanned<RawLexicon>>,
    #[serde(default)]
    pub macros: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub entity_pattern: Vec<Spanned<RawEntityPattern>>,
    #[serde(default)]
    pub money: Vec<Spanned<RawMoneyPattern>>,
    #[serde(default)]
    pub money_words: Option<Spanned<RawMoneyWords>>,
    #[serde(default)]
    pub date: Vec<Spanned<RawDatePattern>>,
    #[serde(default)]
    pub date_words: Option<Spanned<RawDateWords>>,
    #[serde(default)]
    pub resolution: Option<Spanned<RawResolution>>,
    #[serde(default)]
    pub rule: Vec<Spanned<RawRelationRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntityType {
    pub name: String,
    pub class: String,
    pub color: String,
    pub shape: String,
    #[serde(default = "default_size")]
    pub size: f64,
}

fn default_size() -> f64 {
    10.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelationDecl {
    pub name: String,
    pub property: String,
    pub label: String,
    pub comment: String,
    #[serde(default)]
    pub symmetric: bool,
    #[serde(default)]
    pub sub_property_of: Vec<String>,
    pub domain: Vec<String>,
    pub range: Vec<String>,
    pub color: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGazetteerEntry {
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub qid: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    /// Labels in other languages (`{ en = "Germany" }`), used when most articles mentioning the
    /// entity are in that language; they are matched like aliases.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Match the name and aliases exactly as written (default: ignore case and accents, but a
    /// capitalized alias only matches capitalized text).
    #[serde(default)]
    pub exact: bool,
    /// A news source (an agency, a newspaper): cited by articles, never the company that a
    /// description such as "la start-up" names.
    #[serde(default)]
    pub news_source: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDemonym {
    pub place: String,
    pub forms: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLexicon {
    pub name: String,
    pub words: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntityPattern {
    pub id: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    #[serde(default = "default_lang")]
    pub lang: String,
    #[serde(default)]
    pub priority: i32,
    pub pattern: Spanned<String>,
    /// The lexicons of words trimmed from both ends of the name (`Le`, `Cette`, ...): one name
    /// or a list of names.
    #[serde(default)]
    pub trim: Option<Lexicons>,
    /// Drop a one-word name that starts its sentence (capitalized for grammar, not as a name).
    #[serde(default)]
    pub not_sentence_initial: bool,
    /// A match that runs into a mention found by a pattern of higher priority keeps its words
    /// before that mention ("d'Exotrail Jean-Luc Maria": "Exotrail" before the person), instead
    /// of being dropped.
    #[serde(default)]
    pub cut_before_mentions: bool,
    /// A match that runs into a mention found by a pattern of higher priority, and keeps no
    /// words before it (`cut_before_mentions`), keeps its words from the first capitalized word
    /// after the last such mention, when two words or more are left ("MA-based Cubist
    /// Pharmaceuticals": "Cubist Pharmaceuticals" after the place), instead of being dropped.
    #[serde(default)]
    pub cut_after_mentions: bool,
    /// The match is a definite description ("le centre de calcul") that names the nearest
    /// preceding entity of the same type in the document; without one it is dropped.
    #[serde(default)]
    pub antecedent: bool,
    /// Which preceding entity the description names: `nearest` (the default) or
    /// `most-mentioned` (the entity of its type, or the untyped name, mentioned most often before
    /// it in the document, on ties the last written as a clause's subject (`subject_verbs`), else
    /// the earliest: "la start-up" names the article's company, not the investor named last),
    /// unless a mention was introduced with its noun ("la biotech Kymeris Bio");
    /// `most-mentioned-only` the same without the noun, in the sentences before its own, for
    /// pronouns and determiners ("Elle", "Its", the "the" of "the round").
    #[serde(default)]
    pub antecedent_choice: Option<String>,
    /// Match against the sentence folded to lower case without accents (write the pattern so).
    #[serde(default)]
    pub fold: bool,
    #[serde(default)]
    pub example: Vec<Spanned<RawMentionExample>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMentionExample {
    pub text: String,
    /// Names the pattern must find; empty for a negative example.
    #[serde(default)]
    pub expect: Vec<String>,
    /// The example's language when it is not the pattern's.
    #[serde(default)]
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMoneyPattern {
    pub id: String,
    #[serde(default = "default_lang")]
    pub lang: String,
    pub pattern: Spanned<String>,
    /// Amounts the pattern must find, each written `text = value CUR` ("Rs 2,000 crore =
    /// 20000000000 INR"); empty for a negative example.
    #[serde(default)]
    pub example: Vec<Spanned<RawMentionExample>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMoneyWords {
    /// Number words (`un` = 1, `five` = 5).
    #[serde(default)]
    pub numbers: BTreeMap<String, u64>,
    /// Scale words and their power of ten (`milliard` = 9, `bn` = 9).
    #[serde(default)]
    pub scales: BTreeMap<String, u32>,
    /// Currency words and symbols to ISO 4217 (`euro` = "EUR", `$` = "USD").
    #[serde(default)]
    pub currencies: BTreeMap<String, String>,
    /// Currencies that patterns write out themselves before the number (`Rs` = "INR"): read as
    /// currencies are, but not in the lexicon `{money_currency}`, where a word this short would
    /// let the money patterns' prefilter pass nearly every sentence.
    #[serde(default)]
    pub codes: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatePattern {
    pub id: String,
    #[serde(default = "default_lang")]
    pub lang: String,
    pub pattern: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDateWords {
    /// Month names and abbreviations to their number (`janvier` = 1, `Sept.` = 9).
    #[serde(default)]
    pub months: BTreeMap<String, u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResolution {
    /// Leading words dropped when comparing names (`le`, `la`, `l'`, `the`).
    #[serde(default)]
    pub articles: Vec<String>,
    /// Trailing legal forms dropped when comparing names (`GmbH`, `SA`, `Inc.`).
    #[serde(default)]
    pub legal_suffixes: Vec<String>,
    /// Inner words ignored when comparing names (`de`, `d'`, `of`).
    #[serde(default)]
    pub connectors: Vec<String>,
    /// Words that open an apposition after a name (`une`, `a`): "Kymeris Bio, une biotech …"
    /// introduces the company that "la biotech" names later.
    #[serde(default)]
    pub apposition_openers: Vec<String>,
    /// Verbs and auxiliaries that, right after a name, make it the subject of its clause
    /// ("Mistral AI est basée à Paris"): among entities mentioned equally often, the article's
    /// company is the one last so written.
    #[serde(default)]
    pub subject_verbs: Vec<String>,
    /// Whether an abbreviation defined in the text ("Caisse de dépôt et de gestion (CDG)")
    /// makes its long form one mention.
    #[serde(default)]
    pub abbreviations: bool,
    /// A lexicon of words that are no names: a long form opening on one of them, or a short
    /// form that is one ("Memorandum of Understanding (MoU)"), is not taken.
    #[serde(default)]
    pub not_abbreviations: Option<String>,
    /// The language the gazetteer's canonical names are written in (`fr`): an entity mentioned
    /// mostly in another language, whose entry has no label in it, is labelled with the form of
    /// the entry its texts write.
    #[serde(default)]
    pub name_lang: Option<String>,
    /// Capitalized articles that open the name a pattern finds right after them, inside a
    /// sentence after a lower-case word (`The`, `Le`): "acquired by The Straits Trading
    /// Company", "la biscuiterie Le Dréan". Written as in the text (case kept).
    #[serde(default)]
    pub name_articles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelationRule {
    pub id: String,
    pub relation: String,
    #[serde(default = "default_lang")]
    pub lang: String,
    #[serde(default)]
    pub priority: i32,
    pub pattern: Spanned<String>,
    /// Match against the sentence folded to lower case without accents (write the pattern so).
    #[serde(default)]
    pub fold: bool,
    /// Words that may not stand right before a match (case and accents ignored; an elided word
    /// is written with its apostrophe, "d'"): the regex crate has no look-behind.
    #[serde(default)]
    pub not_after: Vec<String>,
    #[serde(default)]
    pub example: Vec<Spanned<RawRelationExample>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelationExample {
    pub text: String,
    /// Triples `Subject relation Object` that must be found in the text.
    #[serde(default)]
    pub expect: Vec<String>,
    /// Triples that must not be found (a negative example).
    #[serde(default)]
    pub reject: Vec<String>,
    /// The example's language when it is not the rule's (a French sentence for an English rule).
    #[serde(default)]
    pub lang: Option<String>,
}

fn default_lang() -> String {
    "any".to_string()
}

/// One lexicon's name or a list of them (`trim = "not_a_name"`, `trim = ["a", "b"]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Lexicons {
    One(String),
    Many(Vec<String>),
}

impl Lexicons {
    /// The names, in the order written.
    pub fn names(&self) -> &[String] {
        match self {
            Lexicons::One(name) => std::slice::from_ref(name),
            Lexicons::Many(names) => names,
        }
    }
}
