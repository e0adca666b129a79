//! Stage 2: entity patterns, in priority order, over each sentence with stage 1's mentions
//! masked, so that a pattern's name may take a listed name in ("Université technique de
//! ⟨place⟩"). Each pattern runs over all the sentences of the batch before the next, so that its
//! automaton stays in the processor's caches; a sentence still keeps what it would keep alone, as
//! it sees the patterns in its own priority order.

use std::collections::BTreeSet;

use super::lexical::is_participle_suffix;
use super::scratch::{Costs, PatternCost, Scratch};
use super::sheet::{build_running, language_groups, View};
use super::{mask_items, new_mention, to_masked, Mention, MentionSource};
use crate::normalize::fold_str_into;
use crate::rules::bounds::NameBounds;
use crate::rules::{Matcher, RulePack};
use crate::sentence::SentenceSpan;

/// Capitalized words the document uses away from the start of a sentence: a sentence-initial
/// word is taken for a name when the document also capitalizes it elsewhere.
pub(super) fn capitalized_inner_words<'t>(
    text: &'t str,
    spans: &[SentenceSpan],
) -> BTreeSet<&'t str> {
    let mut words = BTreeSet::new();
    for span in spans {
        let sentence = &text[span.start..span.end];
        for token in sentence.split(' ').skip(1) {
            // most words start with a lower-case letter or a digit, and stay so trimmed
            if token
                .as_bytes()
                .first()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                continue;
            }
            let word = token.trim_matches(|c: char| !c.is_alphanumeric());
            if word.chars().next().is_some_and(char::is_uppercase) {
                words.insert(word);
            }
        }
    }
    words
}

/// Stage 2 of one sentence: its lexical mentions masked, and what entity patterns find in it.
struct EntitySentence {
    /// The document, by its index in the batch.
    doc: usize,
    index: usize,
    lexical: Vec<Mention>,
    view: View,
    /// Where the sentence's first word starts.
    first_word: usize,
    /// Per lexical mention, whether a pattern's name took it in.
    absorbed: Vec<bool>,
    found: Vec<Mention>,
}

/// A document as stage 2 reads it: its normalized text and sentences, the lexical mentions of
/// each sentence, its capitalized words that are not sentence-initial, and its language.
pub(super) struct EntityDoc<'a> {
    pub(super) text: &'a str,
    pub(super) spans: &'a [SentenceSpan],
    pub(super) lexical: Vec<Vec<Mention>>,
    pub(super) inner_words: &'a BTreeSet<&'a str>,
    pub(super) lang: Option<&'a str>,
}

/// Stage 2: entity patterns over each sentence with its lexical mentions masked; returns each
/// document's mentions in sentence order. Each pattern runs over all the sentences of all the
/// documents before the next one starts, so that its automaton stays in the processor's caches;
/// a sentence still sees the patterns in priority order, as if alone.
pub(super) fn pattern_mentions(
    mut docs: Vec<EntityDoc<'_>>,
    rules: &RulePack,
    scratch: &mut Scratch,
) -> Vec<Vec<Mention>> {
    let prefilter = &rules.prefilters.entity;
    let mut sentences: Vec<EntitySentence> = Vec::new();
    let alphabet = rules.bytes.as_deref();
    let masking = scratch.clock();
    scratch.sheet.clear();
    let (groups, lang_of) = language_groups(
        docs.iter().map(|d| d.lang),
        rules.entity_patterns.iter().map(|p| (p.lang.as_str(), p.fold)),
        |lang| {
            let (number, entity, _) = rules.prefilters.for_language(lang);
            (number, entity)
        },
        alphabet,
        &mut scratch.entity,
    );
    for (doc, d) in docs.iter_mut().enumerate() {
        let (number, group) = &groups[lang_of[doc]];
        let found = &mut scratch.entity[*number];
        let text = d.text;
        for (index, (&span, lexical)) in
            d.spans.iter().zip(std::mem::take(&mut d.lexical)).enumerate()
        {
            let items = mask_items(&lexical, 0..lexical.len(), &rules.type_codes);
            let view = scratch.sheet.push(text, span, items, group, found);
            let first_word = text[span.start..span.end]
                .find(|c: char| c.is_alphanumeric())
                .map_or(span.start, |i| span.start + i);
            let absorbed = vec![false; lexical.len()];
            sentences.push(EntitySentence {
                doc,
                index,
                lexical,
                view,
                first_word,
                absorbed,
                found: Vec::new(),
            });
        }
    }
    scratch.lap(masking, |c| &mut c.entity_sheet);
    let sheet = &scratch.sheet;
    let (patterns, runs) =
        (rules.entity_patterns.iter().map(|p| &p.regex), |i| sheet.runs_somewhere(i));
    build_running(patterns, runs, |m| m, Matcher::build_unless_claimed);
    for (i, p) in rules.entity_patterns.iter().enumerate() {
        let mut cost = PatternCost::default();
        let started = scratch.clock();
        // the pattern's search cache, held for its whole pass
        let mut held = None;
        for k in sheet.running(i) {
            let held = held.get_or_insert_with(|| p.regex.hold());
            let s = &mut sentences[k];
            let EntitySentence { doc, index, lexical, view, first_word, absorbed, found } = s;
            let EntityDoc { text, inner_words, .. } = &docs[*doc];
            let (sentence, sentence_start, lexical) = (*index, *first_word, &*lexical);
            let masked = sheet.masked(view);
            let (haystack, map) = sheet.haystack(view, p.fold, alphabet);
            cost.sentences += 1;
            cost.bytes += haystack.as_str().len();
            // a pattern that is its name group needs no capture resolution, nor one whose
            // name the parts around it tell
            let mut name_of = if prefilter.is_name(i) {
                NameOf::Match
            } else {
                p.bounds
                    .as_ref()
                    .filter(|_| !scratch.by_groups)
                    .map_or(NameOf::Group, NameOf::Bounds)
            };
            let names = &mut scratch.names;
            loop {
                names.clear();
                let groups = matches!(name_of, NameOf::Group);
                let mut matches = p.regex.search_held(held, haystack, &mut scratch.slots, groups);
                let mut told = true;
                while let Some(groups) = matches.next() {
                    let whole = groups.get(0).expect("group 0");
                    let name = match name_of {
                        NameOf::Match => Some((whole.start(), whole.end())),
                        NameOf::Group => groups.name("name").map(|n| (n.start(), n.end())),
                        NameOf::Bounds(bounds) => {
                            let name = bounds.name(haystack.as_str(), whole.start(), whole.end());
                            told &= name.is_some();
                            if !told {
                                break; // read again with groups
                            }
                            name
                        }
                    };
                    names.push(name);
                }
                if told {
                    break;
                }
                name_of = NameOf::Group;
            }
            cost.matches += names.len();
            for &name in names.iter() {
                let Some((name_start, name_end)) = name else { continue };
                let (name_start, name_end) = to_masked(map, name_start, name_end);
                let (Some(mut s), Some(mut e)) =
                    (masked.start_of(name_start), masked.end_of(name_end))
                else {
                    continue;
                };
                // a match that runs into a mention keeps its words before it, else after it
                if p.cut_before_mentions || p.cut_after_mentions {
                    let before = p.cut_before_mentions.then(|| cut_before_found(text, s, e, found));
                    match before.flatten() {
                        Some(cut) => e = cut,
                        None if p.cut_after_mentions => match cut_after_found(text, s, e, found) {
                            Some(cut) => s = cut,
                            None => continue,
                        },
                        None => continue,
                    }
                }
                if let Some(trim) = &p.trim {
                    match trim_words(text, s, e, trim, &mut scratch.word) {
                        Some((ts, te)) => (s, e) = (ts, te),
                        None => continue,
                    }
                }
                let inner: Vec<usize> = (0..lexical.len())
                    .filter(|&i| lexical[i].start < e && lexical[i].end > s)
                    .collect();
                if inner.iter().any(|&i| lexical[i].start < s || lexical[i].end > e) {
                    continue; // trimming cut through a lexical mention
                }
                if inner.len() == 1 && lexical[inner[0]].start == s && lexical[inner[0]].end == e {
                    continue; // the pattern only confirms a lexical mention
                }
                s = with_article(text, s, &rules.resolution.name_articles);
                let word = &text[s..e];
                if p.not_sentence_initial
                    && s == sentence_start
                    && !word.contains(' ')
                    && !name_shaped(word)
                    && !inner_words.contains(word)
                {
                    continue;
                }
                if found.iter().any(|f| s < f.end && e > f.start) {
                    continue;
                }
                for i in inner {
                    absorbed[i] = true;
                }
                let source = MentionSource::Pattern { pattern: p.id.clone() };
                found.push(new_mention(text, s, e, sentence, &p.entity_type, source));
            }
        }
        Costs::add(scratch.costs.as_deref_mut(), |c| &mut c.entity_patterns, i, started, &cost);
    }
    let mut all: Vec<Vec<Mention>> = docs.iter().map(|_| Vec::new()).collect();
    for s in sentences {
        let doc = &mut all[s.doc];
        let start = doc.len();
        doc.extend(s.lexical.into_iter().zip(s.absorbed).filter(|(_, a)| !a).map(|(m, _)| m));
        doc.extend(s.found);
        doc[start..].sort_by_key(|m| m.start);
    }
    all
}

/// Where a name found at `start` starts once a capitalized article of `articles` right before
/// it joins it: the article must follow a word in lower case (that no punctuation ends) and a
/// space, so that it sits inside the sentence and is capitalized only because it belongs to the
/// name ("acquired by The Straits Trading Company", "la biscuiterie Le Dréan"; not "The Straits
/// Trading Company said").
fn with_article(text: &str, start: usize, articles: &[String]) -> usize {
    let before = &text[..start];
    let Some(before) = before.strip_suffix(' ') else { return start };
    for article in articles {
        let Some(rest) = before.strip_suffix(article.as_str()) else { continue };
        let Some(rest) = rest.strip_suffix(' ') else { continue };
        let word = rest.rsplit(' ').next().unwrap_or(rest);
        let lower = |c: Option<char>| c.is_some_and(char::is_lowercase);
        if lower(word.chars().next()) && lower(word.chars().next_back()) {
            return rest.len() + 1;
        }
    }
    start
}

/// How an entity pattern's name is read from its matches.
#[derive(Clone, Copy)]
enum NameOf<'p> {
    /// The pattern is its `name` group.
    Match,
    /// By the parts around the group, when they leave one choice ([`NameBounds`]).
    Bounds(&'p NameBounds),
    /// From the group, by the capture engine.
    Group,
}

/// Where a name `s..e` ends once cut before the first mention `found` before it that it runs
/// into: `e` when it meets none; `None` when one starts at or before `s`, or when the words left
/// do not end with a capitalized word ("Exotrail Jean-Luc Maria" → "Exotrail"; "Fondation de
/// Jean Dupont" is dropped, as a name ending in "de").
fn cut_before_found(text: &str, s: usize, e: usize, found: &[Mention]) -> Option<usize> {
    let Some(first) = found.iter().filter(|f| s < f.end && e > f.start).map(|f| f.start).min()
    else {
        return Some(e);
    };
    let before = text.get(s..first.max(s))?.trim_end();
    let last_word = before.rsplit(' ').next()?;
    let capitalized = last_word.chars().next().is_some_and(|c| c.is_uppercase() || c.is_numeric());
    (capitalized && s + before.len() < first).then_some(s + before.len())
}

/// Where the words of the match `s..e` start after the mentions in `found` that it runs into:
/// the first word after the last of them that opens with a capital or a digit, when two words
/// or more are left from there, or one after a compound participle ("Kalix-backed Norvik");
/// `Some(s)` when it runs into none (`cut_after_mentions`, tried when `cut_before_mentions`
/// keeps no words before them).
fn cut_after_found(text: &str, s: usize, e: usize, found: &[Mention]) -> Option<usize> {
    let Some(last) = found.iter().filter(|f| s < f.end && e > f.start).map(|f| f.end).max() else {
        return Some(s);
    };
    let after = text.get(last..e)?;
    let start = last + after.find(' ')? + 1;
    let rest = &text[start..e];
    let opens = rest.chars().next().is_some_and(|c| c.is_uppercase() || c.is_numeric());
    let words_enough = rest.trim_end().contains(' ') || is_participle_suffix(after);
    (opens && words_enough).then_some(start)
}

/// Trims words of `trim` from both ends of `start..end`, and two-word entries ("prime minister")
/// from its start; `None` if nothing is left. `word` is a buffer for the folded words.
fn trim_words(
    text: &str,
    mut start: usize,
    mut end: usize,
    trim: &std::collections::HashSet<String>,
    word: &mut String,
) -> Option<(usize, usize)> {
    let mut trimmed = |w: &str| {
        fold_str_into(w, word);
        trim.contains(word.as_str())
    };
    loop {
        let slice = &text[start..end];
        let first_end = slice.find(' ').map_or(slice.len(), |i| i);
        let first = &slice[..first_end];
        if trimmed(first) {
            if first_end == slice.len() {
                return None;
            }
            start += first_end + 1;
            continue;
        }
        if first_end < slice.len() {
            let second_end =
                slice[first_end + 1..].find(' ').map_or(slice.len(), |i| first_end + 1 + i);
            if trimmed(&slice[..second_end]) {
                if second_end == slice.len() {
                    return None;
                }
                start += second_end + 1;
                continue;
            }
        }
        let last_start = slice.rfind(' ').map_or(0, |i| i + 1);
        if last_start > 0 && trimmed(&slice[last_start..]) {
            end = start + last_start - 1;
            continue;
        }
        return Some((start, end));
    }
}

/// Whether a single word looks like a name by its shape alone: an inner capital or a digit
/// (`DeepSeek`, `OpenAI`, `AI21`) or all capitals (`SAP`).
fn name_shaped(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next();
    chars.any(|c| c.is_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_word_entries_are_trimmed_from_the_start_of_a_name() {
        let trim: std::collections::HashSet<String> =
            ["prime minister", "the"].iter().map(|w| w.to_string()).collect();
        let mut word = String::new();
        let span = |text: &str| trim_words(text, 0, text.len(), &trim, &mut String::new());
        assert_eq!(span("Prime Minister Jane Kalix"), Some((15, 25)));
        // "Prime" alone stays: a name may open with it
        assert_eq!(span("Prime Venture Partners"), Some((0, 22)));
        assert_eq!(span("The Prime Minister Jane Kalix"), Some((19, 29)));
        assert_eq!(span("Prime Minister"), None);
        assert_eq!(trim_words("Kalix", 0, 5, &trim, &mut word), Some((0, 5)));
    }

    #[test]
    fn a_capitalized_article_inside_a_sentence_opens_the_name_after_it() {
        let articles: Vec<String> = ["The", "Le"].iter().map(|w| w.to_string()).collect();
        let start = |text: &'static str, name: &str| -> &'static str {
            let at = text.find(name).expect("the name is in the text");
            &text[with_article(text, at, &articles)..at + name.len()]
        };
        let text = "Kalix was acquired by The Straits Trading Company.";
        assert_eq!(start(text, "Straits Trading Company"), "The Straits Trading Company");
        assert_eq!(start("rachetée par la biscuiterie Le Dréan", "Dréan"), "Le Dréan");
        // at the start of a sentence, or after a capitalized word or a comma, it stays out
        assert_eq!(start("The Kessler Group said so.", "Kessler Group"), "Kessler Group");
        assert_eq!(start("Norvik Said The Kessler Group", "Kessler"), "Kessler");
        assert_eq!(start("Norvik, The Kessler Group", "Kessler"), "Kessler");
        assert_eq!(start("a levé 4 millions d'euros. Le Kalix", "Kalix"), "Kalix");
        // an article must be a whole word, written as listed
        assert_eq!(start("with Athe Kessler Group", "Kessler"), "Kessler");
        assert_eq!(start("with the Kessler Group", "Kessler"), "Kessler");
    }

    /// Mentions of `names` (their first occurrences in `text`) as a pattern of higher priority
    /// would have found them, and the span of a name's first occurrence.
    fn found_in<'t>(
        text: &'t str,
        names: &[&str],
    ) -> (Vec<Mention>, impl Fn(&str) -> (usize, usize) + 't) {
        let span = move |name: &str| {
            let start = text.find(name).expect("the name is in the text");
            (start, start + name.len())
        };
        let found = names
            .iter()
            .map(|name| {
                let (s, e) = span(name);
                new_mention(text, s, e, 0, "Person", MentionSource::Gazetteer { entry: 0 })
            })
            .collect();
        (found, span)
    }

    #[test]
    fn a_name_is_cut_before_the_mention_it_runs_into() {
        let text = "le PDG d'Exotrail Jean-Luc Maria et la Fondation de Jean Dupont";
        let (found, span) = found_in(text, &["Jean-Luc Maria", "Jean Dupont"]);
        let (s, e) = span("Exotrail Jean-Luc Maria");
        assert_eq!(cut_before_found(text, s, e, &found).map(|e| &text[s..e]), Some("Exotrail"));
        let (s, e) = span("Fondation de Jean Dupont");
        assert_eq!(cut_before_found(text, s, e, &found), None, "a name ending in 'de'");
        let (s, e) = span("Jean-Luc Maria");
        assert_eq!(cut_before_found(text, s, e, &found), None, "the mention itself");
        let (s, e) = span("Exotrail");
        assert_eq!(cut_before_found(text, s, e, &found), Some(e), "no mention met");
    }

    #[test]
    fn a_name_is_cut_after_the_mention_it_opens_on() {
        let text =
            "the MA-based Cubist Pharmaceuticals and Jean Dupont Consulting of NY-based cars \
                    and Kalix-backed Norvik";
        let (found, span) = found_in(text, &["MA", "Jean Dupont", "NY", "Kalix"]);
        let (s, e) = span("MA-based Cubist Pharmaceuticals");
        assert_eq!(
            cut_after_found(text, s, e, &found).map(|s| &text[s..e]),
            Some("Cubist Pharmaceuticals")
        );
        let (s, e) = span("Jean Dupont Consulting");
        assert_eq!(cut_after_found(text, s, e, &found), None, "one word left");
        let (s, e) = span("NY-based cars");
        assert_eq!(cut_after_found(text, s, e, &found), None, "no capital after the mention");
        let (s, e) = span("Kalix-backed Norvik");
        let one_word = cut_after_found(text, s, e, &found).map(|s| &text[s..e]);
        assert_eq!(one_word, Some("Norvik"), "one word after a participle");
        let (s, e) = span("Cubist Pharmaceuticals");
        assert_eq!(cut_after_found(text, s, e, &found), Some(s), "no mention met");
    }
}
