//! Stage 3: relation rules over each sentence with two mentions or more, every mention masked as
//! a placeholder of its type, so that a rule's typed slots read mentions whatever their words.
//! As in stage 2, each rule runs over all the sentences of the batch before the next; a match is
//! then dropped where a match of a higher-priority rule for the same relation overlaps it.

use super::masked::Masked;
use super::scratch::{Costs, PatternCost, Scratch};
use super::sheet::{build_running, language_groups, Group, View};
use super::{mask_items, to_masked, Mention, RelationMatch};
use crate::normalize::{fold_str_into, NormalizedText};
use crate::rules::pattern::{Slot, SlotRole};
use crate::rules::slots::SlotLayout;
use crate::rules::{RelationRule, RulePack};
use crate::sentence::SentenceSpan;

/// Stage 3 of one sentence: the sentence with every mention masked, and the matches found in it
/// with their rule's priority and span.
struct RelationSentence {
    /// The document, by its index in the batch.
    doc: usize,
    index: usize,
    view: View,
    out: Vec<(i32, usize, usize, RelationMatch)>,
}

/// A document as stage 3 reads it: its normalized text and sentences, its mentions (sorted by
/// start) and its language.
pub(super) struct RelationDoc<'a> {
    pub(super) normalized: &'a NormalizedText,
    pub(super) spans: &'a [SentenceSpan],
    pub(super) mentions: &'a [Mention],
    /// Per sentence, whether a relation rule that reads the folded copy may match it.
    pub(super) folds: &'a [bool],
    pub(super) lang: Option<&'a str>,
}

/// Stage 3: relation rules over each sentence that has two mentions or more, masked;
/// returns each document's matches in sentence order. As in stage 2, each rule runs over all the
/// sentences of all the documents before the next one starts, and a sentence sees the rules in
/// priority order.
pub(super) fn relation_matches(
    docs: &[RelationDoc<'_>],
    rules: &RulePack,
    scratch: &mut Scratch,
) -> Vec<Vec<RelationMatch>> {
    let mut sentences = Vec::new();
    let alphabet = rules.bytes.as_deref();
    let masking = scratch.clock();
    scratch.sheet.clear();
    let (groups, lang_of) = language_groups(
        docs.iter().map(|d| d.lang),
        rules.relation_rules.iter().map(|r| (r.lang.as_str(), r.fold)),
        |lang| {
            let (number, _, relation) = rules.prefilters.for_language(lang);
            (number, relation)
        },
        alphabet,
        &mut scratch.relation,
    );
    // where no rule that reads the folded copy may match, the sentence is not folded, its text
    // is scanned instead, and those rules do not run
    let unfolded: Vec<Group> = groups.iter().map(|(_, group)| group.unfolded()).collect();
    for (doc, d) in docs.iter().enumerate() {
        let ((number, group), unfolded) = (&groups[lang_of[doc]], &unfolded[lang_of[doc]]);
        let found = &mut scratch.relation[*number];
        let any_folds = group.any_folds;
        let mut first = 0;
        for (index, span) in d.spans.iter().enumerate() {
            let count = d.mentions[first..].iter().take_while(|m| m.sentence == index).count();
            let range = first..first + count;
            first += count;
            if count < 2 {
                continue; // a relation binds two mentions of the sentence
            }
            let items = mask_items(d.mentions, range, &rules.type_codes);
            let group = if any_folds && !d.folds[index] { unfolded } else { group };
            let view = scratch.sheet.push(&d.normalized.text, *span, items, group, found);
            sentences.push(RelationSentence { doc, index, view, out: Vec::new() });
        }
    }
    scratch.lap(masking, |c| &mut c.relation_sheet);
    let sheet = &scratch.sheet;
    // each rule's layout is read from the tree its automata are built from
    let runs = |i| sheet.runs_somewhere(i);
    build_running(
        rules.relation_rules.iter(),
        runs,
        |r| &r.regex,
        RelationRule::build_unless_claimed,
    );
    for (i, rule) in rules.relation_rules.iter().enumerate() {
        let mut cost = PatternCost::default();
        let started = scratch.clock();
        // the rule's search cache, held for its whole pass
        let mut held = None;
        for k in sheet.running(i) {
            let held = held.get_or_insert_with(|| rule.regex.hold());
            let s = &mut sentences[k];
            let RelationSentence { doc, index, view, out } = s;
            let RelationDoc { normalized, mentions, .. } = &docs[*doc];
            let sentence = *index;
            let masked = sheet.masked(view);
            let (haystack, map) = sheet.haystack(view, rule.fold, alphabet);
            cost.sentences += 1;
            cost.bytes += haystack.as_str().len();
            let before = out.len();
            let mut layout = rule.layout().filter(|_| !scratch.by_groups);
            loop {
                let groups = layout.is_none();
                let mut matches =
                    rule.regex.search_held(held, haystack, &mut scratch.slots, groups);
                let (mut placed, mut found) = (true, 0);
                'matches: while let Some(caps) = matches.next() {
                    found += 1;
                    let whole = caps.get(0).expect("group 0");
                    let (whole_start, whole_end) = to_masked(map, whole.start(), whole.end());
                    if !rule.not_after.is_empty() {
                        fold_str_into(word_before(masked.text, whole_start), &mut scratch.word);
                        if rule.not_after.contains(scratch.word.as_str()) {
                            continue;
                        }
                    }
                    let within = &mut scratch.within;
                    if layout.is_some() {
                        within.clear();
                        within.extend(masked.placeholders_within(whole_start, whole_end));
                    }
                    let mut subjects = Vec::new();
                    let mut objects = Vec::new();
                    let mut parties = Vec::new();
                    let mut amount = None;
                    let mut date = None;
                    let mut bound_types = Vec::new();
                    for (k, slot) in rule.slots.iter().enumerate() {
                        let group = || {
                            caps.name(slot.role.group()).map(|g| to_masked(map, g.start(), g.end()))
                        };
                        let Some(mut ids) = slot_mentions(layout, k, slot, within, group, masked)
                        else {
                            placed = false;
                            break 'matches;
                        };
                        if slot.list {
                            // what a list item's parenthesis holds (`list_item_suffix`: its
                            // abbreviation, its town) is no item
                            ids.retain(|&id| !in_parentheses(&normalized.text, &mentions[id]));
                        }
                        for &id in &ids {
                            let m = &mentions[id];
                            let t = match m.mention_type.as_str() {
                                "Name" => slot
                                    .types
                                    .iter()
                                    .find(|t| rules.vocabulary.entity_types.contains_key(*t))
                                    .cloned(),
                                "Demonym" => Some("Place".to_string()),
                                "Money" | "Date" => None,
                                other => Some(other.to_string()),
                            };
                            if let Some(t) = t {
                                bound_types.push((id, t));
                            }
                        }
                        match slot.role {
                            SlotRole::Subject => subjects = ids,
                            SlotRole::Object => objects = ids,
                            SlotRole::Parties => parties = ids,
                            SlotRole::Amount => amount = ids.first().copied(),
                            SlotRole::Date => date = ids.first().copied(),
                        }
                    }
                    let mut pairs = Vec::new();
                    for &s in &subjects {
                        for &o in &objects {
                            if s != o {
                                pairs.push((s, o));
                            }
                        }
                    }
                    for (i, &a) in parties.iter().enumerate() {
                        for &b in &parties[i + 1..] {
                            if a != b {
                                pairs.push((a, b));
                            }
                        }
                    }
                    if pairs.is_empty() {
                        continue;
                    }
                    let (ns, ne) = masked.span_widened(whole_start, whole_end);
                    let (ns, ne) = trim_span(&normalized.text, ns, ne);
                    let (os, oe) = normalized.map.span(ns, ne);
                    bound_types.sort();
                    bound_types.dedup();
                    let m = RelationMatch {
                        rule: rule.id.clone(),
                        relation: rule.relation.clone(),
                        pairs,
                        amount,
                        date,
                        bound_types,
                        sentence,
                        original_start: os,
                        original_end: oe,
                    };
                    out.push((rule.priority, ns, ne, m));
                }
                if placed {
                    cost.matches += found;
                    break;
                }
                // a match that does not fit the layout (one with more placeholders than the
                // fewest, where a slot is placed only in those): the sentence is read again
                // with groups
                debug_assert!(
                    layout.is_some_and(|l| !l.fits_every_match()),
                    "{}: a match does not fit a layout that every match fits",
                    rule.id
                );
                out.truncate(before);
                layout = None;
            }
        }
        Costs::add(scratch.costs.as_deref_mut(), |c| &mut c.relation_rules, i, started, &cost);
    }
    let mut all: Vec<Vec<RelationMatch>> = docs.iter().map(|_| Vec::new()).collect();
    for s in sentences {
        let out = s.out;
        // a match is dropped when a match of a higher-priority rule for the same relation
        // overlaps it
        let mut kept: Vec<(i32, usize, usize, RelationMatch)> = Vec::new();
        for candidate in out {
            let beaten = kept.iter().any(|(p, s, e, m)| {
                *p > candidate.0
                    && m.relation == candidate.3.relation
                    && candidate.1 < *e
                    && candidate.2 > *s
            });
            if !beaten {
                kept.push(candidate);
            }
        }
        all[s.doc].extend(kept.into_iter().map(|(_, _, _, m)| m));
    }
    all
}

/// The mentions slot `k` of a relation rule binds in a match: the placeholders of the slot's types
/// at its ranks among the match's placeholders (`within`) when the rule's `layout` places it,
/// else those inside its group (`group`, as masked offsets; none when the group took no part).
/// `None` when the match's placeholders do not fit the layout.
fn slot_mentions(
    layout: Option<&SlotLayout>,
    k: usize,
    slot: &Slot,
    within: &[(usize, char)],
    group: impl FnOnce() -> Option<(usize, usize)>,
    masked: Masked<'_>,
) -> Option<Vec<usize>> {
    let Some(layout) = layout else {
        let ids = group().map(|(start, end)| masked.mentions_of(start, end, &slot.codes).collect());
        return Some(ids.unwrap_or_default());
    };
    layout.holds(k, within, |code| slot.codes.contains(&code))
}

/// Whether a mention opens a parenthesis and is all it holds or the exchange before a ticker:
/// "Kalix (KLX)", "Kalix (SHA:600111)".
fn in_parentheses(text: &str, m: &Mention) -> bool {
    text[..m.start].ends_with(" (") && text[m.end..].starts_with([')', ':'])
}

/// The word that ends right before `offset` in `text`, after one space if there is one:
/// "former" in "former ⟨o⟩", "d'" in "d'⟨o⟩", "" at the start or after a punctuation mark.
fn word_before(text: &str, offset: usize) -> &str {
    let head = &text[..offset];
    let head = head.strip_suffix(' ').unwrap_or(head);
    let in_word = |c: char| c.is_alphanumeric() || matches!(c, '\'' | '-');
    let start = head
        .char_indices()
        .rev()
        .take_while(|&(_, c)| in_word(c))
        .last()
        .map_or(head.len(), |(i, _)| i);
    &head[start..]
}

/// Narrows a match to its words: boundaries consume the character before or after a word,
/// which evidence spans should not show.
fn trim_span(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let edge = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '.' | '(' | ')' | '\'');
    while let Some(c) = text[start..end].chars().next().filter(|&c| edge(c)) {
        start += c.len_utf8();
    }
    while let Some(c) = text[start..end].chars().next_back().filter(|&c| edge(c)) {
        end -= c.len_utf8();
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_before_a_match_is_read_across_one_space_or_an_elision() {
        let text = "le site d'⟨o⟩, the former ⟨o⟩ and (⟨o⟩) or ex-⟨o⟩";
        let at = |n: usize| text.match_indices('⟨').nth(n).unwrap().0;
        assert_eq!(word_before(text, at(0)), "d'");
        assert_eq!(word_before(text, at(1)), "former");
        assert_eq!(word_before(text, at(2)), "");
        assert_eq!(word_before(text, at(3)), "ex-");
        assert_eq!(word_before(text, 0), "");
    }
}
