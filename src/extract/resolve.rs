//! Between stages 2 and 3, what the document as a whole tells about its mentions: the type a
//! pattern gave a name elsewhere in it, the long forms of the abbreviations it defines, its
//! acronyms, and what its definite descriptions refer to. Each of these reads all the mentions of
//! one document, so they run document by document once stage 2 is done, before stage 3 masks the
//! mentions they leave.

use std::collections::{BTreeMap, BTreeSet};

use super::{abbrev, new_mention, Mention, MentionSource};
use crate::normalize::fold_str;
use crate::rules::{Antecedent, RulePack};
use crate::sentence::SentenceSpan;

/// Each abbreviation a sentence defines ("… Caisse de dépôt et de gestion (CDG)") makes its long
/// form one mention, in place of the mentions inside it: of type `Organization` when one of those
/// was, else `Name`. Not when the long form would take part of a mention that goes beyond it, a
/// person, an amount or a date, nor when the short form is a place, a demonym or a person, nor
/// when the short form or the long form's first word is in `not` (folded words).
pub(super) fn define_abbreviations(
    text: &str,
    spans: &[SentenceSpan],
    mentions: &mut Vec<Mention>,
    not: &BTreeSet<String>,
) {
    let mut defined = Vec::new();
    for (index, span) in spans.iter().enumerate() {
        let sentence = &text[span.start..span.end];
        for (open, _) in sentence.match_indices(" (") {
            let inner = open + 2;
            // a short form has at most 10 characters of at most 4 bytes
            let Some(close) = sentence.as_bytes()[inner..].iter().take(41).position(|&b| b == b')')
            else {
                continue;
            };
            let short = &sentence[inner..inner + close];
            let Some(start) = abbrev::long_form_start(&sentence[..open], short) else {
                continue;
            };
            let first = sentence[start..].split([' ', '\'', '-']).next().unwrap_or("");
            if not.contains(&fold_str(short)) || not.contains(&fold_str(first)) {
                continue;
            }
            defined.push((index, span.start + start, span.start + open, span.start + inner));
        }
    }
    for (sentence, start, end, short_at) in defined {
        let first = mentions.partition_point(|m| m.end <= start);
        let last = mentions.partition_point(|m| m.start < end);
        let inside = &mentions[first..last];
        let crosses = inside.iter().any(|m| m.start < start || m.end > end);
        let kept = inside.iter().any(|m| {
            (m.start, m.end) == (start, end)
                || matches!(m.mention_type.as_str(), "Person" | "Money" | "Date")
        });
        let short = mentions[last..].iter().find(|m| m.start >= short_at);
        let short_is_no_name = short.is_some_and(|m| {
            m.start == short_at && matches!(m.mention_type.as_str(), "Place" | "Demonym" | "Person")
        });
        if crosses || kept || short_is_no_name {
            continue;
        }
        let organization = inside.iter().any(|m| m.mention_type == "Organization");
        let t = if organization { "Organization" } else { "Name" };
        let long = new_mention(text, start, end, sentence, t, MentionSource::Abbreviation);
        mentions.splice(first..last, [long]);
    }
}

/// An untyped `Name` takes the type a pattern gave the same (folded) name in the document.
pub(super) fn propagate_types(mentions: &mut [Mention]) {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for m in mentions.iter() {
        let found = matches!(m.source, MentionSource::Pattern { .. } | MentionSource::Abbreviation);
        if found && m.mention_type != "Name" {
            types.entry(fold_str(&m.text)).or_insert_with(|| m.mention_type.clone());
        }
    }
    for m in mentions.iter_mut() {
        if m.mention_type == "Name" {
            if let Some(t) = types.get(&fold_str(&m.text)) {
                m.mention_type = t.clone();
            }
        }
    }
}

/// A definite description found by an `antecedent` pattern names a preceding mention, the one
/// its pattern's [`Antecedent`] chooses in the document's normalized `text`; one with nothing to
/// name is dropped.
pub(super) fn resolve_antecedents(text: &str, mentions: &mut Vec<Mention>, rules: &RulePack) {
    let choice = |m: &Mention| match &m.source {
        MentionSource::Pattern { pattern } => {
            let pattern =
                rules.entity_patterns.iter().find(|p| p.antecedent.is_some() && p.id == *pattern);
            pattern.and_then(|p| p.antecedent)
        }
        _ => None,
    };
    let choices: Vec<Option<Antecedent>> = mentions.iter().map(choice).collect();
    if choices.iter().all(Option::is_none) {
        return;
    }
    let mut keep = vec![true; mentions.len()];
    let mut refers: Vec<Option<usize>> = vec![None; mentions.len()];
    for i in 0..mentions.len() {
        let Some(choice) = choices[i] else { continue };
        let t = &mentions[i].mention_type;
        let found = match choice {
            Antecedent::Nearest => {
                (0..i).rev().find(|&j| choices[j].is_none() && mentions[j].mention_type == *t)
            }
            Antecedent::MostMentioned => {
                let openers = &rules.resolution.apposition_openers;
                introduced_with(text, &mentions[i], &mentions[..i], &choices[..i], t, openers)
                    .or_else(|| most_mentioned(text, &mentions[..i], &choices[..i], t, rules))
            }
            Antecedent::MostMentionedOnly => {
                // only the sentences before: a pronoun or a determiner that stands for the
                // article's company names no one of its own sentence ("Kalix and Orvane, two
                // funds …, joined the round")
                let sentence = mentions[i].sentence;
                let before = mentions[..i].partition_point(|m| m.sentence < sentence);
                most_mentioned(text, &mentions[..before], &choices[..before], t, rules)
            }
        };
        match found {
            Some(j) => refers[i] = Some(j),
            None => keep[i] = false,
        }
    }
    // renumber after dropping the descriptions that refer to nothing
    let mut new_index = vec![0; mentions.len()];
    let mut next = 0;
    for i in 0..mentions.len() {
        new_index[i] = next;
        if keep[i] {
            next += 1;
        }
    }
    let mut out = Vec::with_capacity(next);
    for (i, mut m) in std::mem::take(mentions).into_iter().enumerate() {
        if keep[i] {
            m.refers_to = refers[i].map(|j| new_index[j]);
            m.description = choices[i].is_some();
            out.push(m);
        }
    }
    *mentions = out;
}

/// The nearest of `mentions` of type `t` (or untyped) introduced with the noun that ends
/// `description` ("la biotech Kymeris Bio", "Kymeris Bio, une biotech basée à Boston" for "la
/// biotech"): the noun among the three words before it, or in an apposition right after it (a
/// comma, then one of `openers`).
fn introduced_with(
    text: &str,
    description: &Mention,
    mentions: &[Mention],
    choices: &[Option<Antecedent>],
    t: &str,
    openers: &BTreeSet<String>,
) -> Option<usize> {
    /// How far before a name, and after it in an apposition, its noun is looked for (bytes).
    const BEFORE: usize = 60;
    const AFTER: usize = 40;
    // the noun as written (the text is normalized, so its accents are those of the names'
    // phrases), compared with the ASCII letters' case ignored: no word is folded
    let noun = description.text.rsplit(' ').next()?;
    let is_noun = |w: &str| w.eq_ignore_ascii_case(noun);
    let not_word = |c: char| !c.is_alphanumeric() && c != '-';
    let floor = |i: usize| crate::error::floor_char_boundary(text, i);
    (0..mentions.len()).rev().find(|&j| {
        let m = &mentions[j];
        if choices[j].is_some() || (m.mention_type != t && m.mention_type != "Name") {
            return false;
        }
        let before = &text[floor(m.start.saturating_sub(BEFORE))..m.start];
        // only the words of its own sentence and clause
        let before = before.rsplit(['.', ';', '!', '?']).next().unwrap_or(before);
        // and of its own noun phrase: the noun, then at most two words ("du groupe allemand
        // Rheinmetall", not "une société dérivée de l'Université …")
        let mut last_three = before.split(not_word).rev().filter(|w| !w.is_empty()).take(3);
        let noun_before = last_three.any(is_noun);
        // an apposition before the description, not the description itself
        let after = &text[m.end..floor((m.end + AFTER).min(description.start).max(m.end))];
        let opens = |rest: &str| {
            let word = rest.split_inclusive([' ', '\'']).next().unwrap_or_default();
            openers.contains(&fold_str(word.trim_end()))
        };
        let apposition = after.strip_prefix(", ").is_some_and(opens);
        noun_before || (apposition && after.split(not_word).any(is_noun))
    })
}

/// The first mention, among `mentions`, of the entity of type `t` or the untyped name mentioned
/// most often there (a gazetteer entry by its entry, any other name by its text); descriptions and
/// news sources do not count. On ties, the entity last written as a clause's subject (a name right
/// before one of the pack's `subject_verbs`, "Mistral AI est basée à Paris", and not joined by a
/// connector to a name before it, as "Norvik" in "Kalix and Norvik raised"), else the earliest.
fn most_mentioned(
    text: &str,
    mentions: &[Mention],
    choices: &[Option<Antecedent>],
    t: &str,
    rules: &RulePack,
) -> Option<usize> {
    #[derive(PartialEq, Eq, Hash)]
    enum Key<'t> {
        Entry(usize),
        Text(&'t str),
    }
    let verbs = &rules.resolution.subject_verbs;
    // the word right after a name is one of the pack's subject verbs
    let before_verb = |m: &Mention| {
        let Some(after) = text[m.end..].strip_prefix(' ') else { return false };
        let word_end = after
            .find(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-'))
            .unwrap_or(after.len());
        word_end > 0 && verbs.contains(&fold_str(&after[..word_end]))
    };
    // per entity: its first mention, how many mentions it has, and its last mention as a subject
    let mut seen: std::collections::HashMap<Key, (usize, usize, Option<usize>)> =
        Default::default();
    // the previous name of the type, joined to the next by a connector of the pack within a
    // clause ("Kalix and its partner Norvik raised"), makes the next a later conjunct, not the
    // subject
    let connectors = &rules.resolution.connectors;
    let mut previous: Option<&Mention> = None;
    for (j, m) in mentions.iter().enumerate() {
        if choices[j].is_some() || (m.mention_type != t && m.mention_type != "Name") {
            continue;
        }
        let conjunct = previous.is_some_and(|p| {
            p.sentence == m.sentence
                && text.get(p.end..m.start).is_some_and(|gap| {
                    !gap.contains([',', ';', ':'])
                        && gap
                            .split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '&'))
                            .any(|w| !w.is_empty() && connectors.contains(&fold_str(w)))
                })
        });
        previous = Some(m);
        let key = match &m.source {
            MentionSource::Gazetteer { entry } if rules.gazetteer.entries[*entry].news_source => {
                continue
            }
            MentionSource::Gazetteer { entry } => Key::Entry(*entry),
            _ => Key::Text(&m.text),
        };
        let entry = seen.entry(key).or_insert((j, 0, None));
        entry.1 += 1;
        if !conjunct && before_verb(m) {
            entry.2 = Some(j);
        }
    }
    let best = seen
        .into_values()
        .max_by_key(|&(first, count, subject)| (count, subject, std::cmp::Reverse(first)));
    best.map(|(first, _, _)| first)
}

/// "Name (ACR)": the acronym names the same entity, there and wherever the document uses it again.
pub(super) fn link_acronyms(text: &str, mentions: &mut [Mention], connectors: &BTreeSet<String>) {
    let mut introduced: BTreeMap<String, usize> = BTreeMap::new();
    for i in 1..mentions.len() {
        let (full, short) = (&mentions[i - 1], &mentions[i]);
        let between = &text[full.end..short.start];
        let closes = text[short.end..].starts_with(')');
        let named = !matches!(full.mention_type.as_str(), "Demonym" | "Money");
        let spelled = is_acronym_of(&short.text, &full.text, connectors)
            || (matches!(full.source, MentionSource::Abbreviation)
                && abbrev::abbreviates(&short.text, &full.text));
        if between == " (" && closes && named && spelled {
            introduced.entry(short.text.clone()).or_insert(i - 1);
        }
    }
    if introduced.is_empty() {
        return;
    }
    for m in 0..mentions.len() {
        if let Some(&full) = introduced.get(&mentions[m].text) {
            if full != m
                && mentions[m].refers_to.is_none()
                && !matches!(mentions[m].source, MentionSource::Gazetteer { .. })
            {
                mentions[m].refers_to = Some(full);
                mentions[m].mention_type = mentions[full].mention_type.clone();
            }
        }
    }
}

/// Whether `acronym` (2 to 8 capitals) spells the initials of `name`'s words, connectors
/// ("de", "of") skipped or kept: "UE" for "Union européenne", "CEA" for "Commissariat à l'énergie
/// atomique".
fn is_acronym_of(acronym: &str, name: &str, connectors: &BTreeSet<String>) -> bool {
    let letters: Vec<char> = acronym.chars().filter(|c| c.is_alphanumeric()).collect();
    if !(2..=8).contains(&letters.len())
        || !letters.iter().all(|c| c.is_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    let acronym: String = letters.iter().map(|c| fold_str(&c.to_string())).collect();
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold_str)
        .collect();
    let initials = |skip: bool| -> String {
        words
            .iter()
            .filter(|w| {
                !(skip
                    && (connectors.contains(*w)
                        || w.len() == 1
                        || ["a", "la", "le", "les", "l", "the"].contains(&w.as_str())))
            })
            .filter_map(|w| w.chars().next())
            .collect()
    };
    words.len() >= 2 && (initials(true) == acronym || initials(false) == acronym)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentence::split_sentences;

    #[test]
    fn an_abbreviation_defined_in_the_text_makes_its_long_form_one_mention() {
        let text = "Selon Paul Morel (PM), la Caisse de dépôt et de gestion (CDG) investit. \
                    La CDG signe un Memorandum of Understanding (MoU).";
        let spans = split_sentences(text);
        let at = |name: &str, from: usize| {
            let start = from + text[from..].find(name).expect("the name is in the text");
            (start, start + name.len())
        };
        let mention = |name: &str, from: usize, t: &str| {
            let (s, e) = at(name, from);
            let sentence = spans.iter().position(|span| span.start <= s && e <= span.end).unwrap();
            let source = MentionSource::Pattern { pattern: "test".into() };
            new_mention(text, s, e, sentence, t, source)
        };
        let second = text.find("La CDG").unwrap();
        let mut mentions = vec![
            mention("Paul Morel", 0, "Person"),
            mention("PM", 0, "Name"),
            mention("Caisse", 0, "Name"),
            mention("CDG", 0, "Name"),
            mention("CDG", second, "Name"),
            mention("Memorandum", 0, "Name"),
            mention("MoU", 0, "Name"),
        ];
        let not: BTreeSet<String> = ["mou".to_string()].into();
        define_abbreviations(text, &spans, &mut mentions, &not);
        let found: Vec<(&str, &str)> =
            mentions.iter().map(|m| (m.text.as_str(), m.source.rule_id())).collect();
        assert_eq!(
            found,
            [
                ("Paul Morel", "test"),
                ("PM", "test"),
                ("Caisse de dépôt et de gestion", "abbreviation"),
                ("CDG", "test"),
                ("CDG", "test"),
                ("Memorandum", "test"),
                ("MoU", "test"),
            ]
        );
        link_acronyms(text, &mut mentions, &BTreeSet::new());
        assert_eq!(mentions[3].refers_to, Some(2));
        assert_eq!(mentions[4].refers_to, Some(2), "the abbreviation used again");
    }

    #[test]
    fn acronyms_spell_initials() {
        let connectors: BTreeSet<String> =
            ["de", "d", "du", "des", "of", "for"].iter().map(|s| s.to_string()).collect();
        assert!(is_acronym_of("UE", "Union européenne", &connectors));
        assert!(is_acronym_of("CEA", "Commissariat à l'énergie atomique", &connectors));
        assert!(is_acronym_of("BPI", "Banque publique d'investissement", &connectors));
        assert!(is_acronym_of("MIT", "Massachusetts Institute of Technology", &connectors));
        assert!(!is_acronym_of("IA", "Intelligence", &connectors));
        assert!(!is_acronym_of("SAP", "Deutsche Telekom", &connectors));
        assert!(!is_acronym_of("Ue", "Union européenne", &connectors));
    }
}
