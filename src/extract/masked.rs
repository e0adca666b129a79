//! Masked sentences: the sentence text with every accepted mention replaced by a placeholder
//! `⟨c⟩`, where `c` is the one character that stands for the mention's type
//! ([`TypeCodes`](crate::rules::pattern::TypeCodes)), so that relation rules match typed slots
//! with plain regexes. Which mention a placeholder stands for is known from its position (the
//! segments), not written in the text: an index in the text (`⟨type#12⟩`) made every bounded gap
//! over placeholders track a run of digits, and the relation regexes three to four times slower
//! to match (BENCHMARKS.md).
//!
//! Placeholders hold no capital letter and no word character a rule's gap would walk into by
//! accident; normalization maps the two bracket characters away from the input, so the text can
//! never forge one. Offsets map back to the normalized text exactly outside placeholders and to
//! the mention's edges at placeholders.

use crate::rules::pattern::{PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN};

/// A mention to mask: its normalized span, the code of its type and the index it is known by.
#[derive(Debug, Clone, Copy)]
pub struct MaskItem {
    pub start: usize,
    pub end: usize,
    pub code: char,
    pub index: usize,
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    masked_start: usize,
    masked_end: usize,
    start: usize,
    end: usize,
    mention: Option<usize>,
}

/// A sentence with mentions masked.
#[derive(Debug, Clone, Default)]
pub struct MaskedSentence {
    pub text: String,
    segments: Vec<Segment>,
}

impl MaskedSentence {
    /// Masks `items` (sorted by start, non-overlapping, inside `start..end`) in `normalized`.
    pub fn build(
        normalized: &str,
        start: usize,
        end: usize,
        items: impl IntoIterator<Item = MaskItem>,
    ) -> Self {
        let mut masked = MaskedSentence::default();
        append(&mut masked.text, &mut masked.segments, normalized, start, end, items);
        masked
    }

    /// The masked sentence, borrowed.
    pub fn as_ref(&self) -> Masked<'_> {
        Masked { text: &self.text, segments: &self.segments }
    }
}

/// Several masked sentences end to end: one buffer for their texts and one for their segments,
/// reused from sentence to sentence, instead of two per sentence.
#[derive(Debug, Default)]
pub struct MaskedSheet {
    text: String,
    segments: Vec<Segment>,
}

/// Where one masked sentence is in a [`MaskedSheet`].
#[derive(Debug, Clone, Copy)]
pub struct MaskedSpan {
    text: (usize, usize),
    segments: (usize, usize),
}

impl MaskedSheet {
    /// Empties the sheet, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.segments.clear();
    }

    /// Appends the sentence `start..end` of `normalized` with `items` masked (see
    /// [`MaskedSentence::build`]).
    pub fn push(
        &mut self,
        normalized: &str,
        start: usize,
        end: usize,
        items: impl IntoIterator<Item = MaskItem>,
    ) -> MaskedSpan {
        let (text_start, segments_start) = (self.text.len(), self.segments.len());
        append(&mut self.text, &mut self.segments, normalized, start, end, items);
        MaskedSpan {
            text: (text_start, self.text.len()),
            segments: (segments_start, self.segments.len()),
        }
    }

    pub fn get(&self, span: MaskedSpan) -> Masked<'_> {
        Masked {
            text: &self.text[span.text.0..span.text.1],
            segments: &self.segments[span.segments.0..span.segments.1],
        }
    }
}

/// Appends the masked sentence to `text` and its segments to `segments`, with offsets from where
/// it starts in `text`.
fn append(
    text: &mut String,
    segments: &mut Vec<Segment>,
    normalized: &str,
    start: usize,
    end: usize,
    items: impl IntoIterator<Item = MaskItem>,
) {
    let base = text.len();
    let mut pos = start;
    let push_text = |text: &mut String, segments: &mut Vec<Segment>, from: usize, to: usize| {
        if from < to {
            let m = text.len() - base;
            text.push_str(&normalized[from..to]);
            segments.push(Segment {
                masked_start: m,
                masked_end: text.len() - base,
                start: from,
                end: to,
                mention: None,
            });
        }
    };
    for item in items {
        debug_assert!(item.start >= pos && item.end <= end);
        push_text(text, segments, pos, item.start);
        let m = text.len() - base;
        text.extend([PLACEHOLDER_OPEN, item.code, PLACEHOLDER_CLOSE]);
        segments.push(Segment {
            masked_start: m,
            masked_end: text.len() - base,
            start: item.start,
            end: item.end,
            mention: Some(item.index),
        });
        pos = item.end;
    }
    push_text(text, segments, pos, end);
}

/// A masked sentence, borrowed from a [`MaskedSentence`] or a [`MaskedSheet`]: its text, and the
/// maps of its offsets to the normalized text.
#[derive(Debug, Clone, Copy)]
pub struct Masked<'a> {
    pub text: &'a str,
    segments: &'a [Segment],
}

impl<'a> Masked<'a> {
    fn segment_at(&self, offset: usize) -> Option<&'a Segment> {
        let i = self.segments.partition_point(|s| s.masked_end <= offset);
        self.segments.get(i)
    }

    /// Normalized offset of masked offset `offset` used as a span start; `None` inside a
    /// placeholder (not at its first byte).
    pub fn start_of(&self, offset: usize) -> Option<usize> {
        match self.segment_at(offset) {
            None => Some(self.segments.last().map_or(0, |s| s.end)),
            Some(s) if s.mention.is_some() => (offset == s.masked_start).then_some(s.start),
            Some(s) => Some(s.start + (offset - s.masked_start)),
        }
    }

    /// Normalized offset of masked offset `offset` used as an exclusive span end; `None` inside a
    /// placeholder (not right after its last byte).
    pub fn end_of(&self, offset: usize) -> Option<usize> {
        if offset == 0 {
            return Some(self.segments.first().map_or(0, |s| s.start));
        }
        let s = self.segment_at(offset - 1)?;
        match s.mention {
            Some(_) => (offset == s.masked_end).then_some(s.end),
            None => Some(s.start + (offset - s.masked_start)),
        }
    }

    /// Normalized span of a masked span, widened to whole placeholders.
    pub fn span_widened(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.segment_at(start).map_or(0, |seg| match seg.mention {
            Some(_) => seg.start,
            None => seg.start + (start - seg.masked_start),
        });
        let e = if end == 0 {
            s
        } else {
            self.segment_at(end - 1).map_or(s, |seg| match seg.mention {
                Some(_) => seg.end,
                None => seg.start + (end - seg.masked_start),
            })
        };
        (s, e.max(s))
    }

    /// The placeholders inside the masked span, in order: their mention indices and type codes.
    pub fn placeholders_within(
        &self,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = (usize, char)> + 'a {
        let open = PLACEHOLDER_OPEN.len_utf8();
        let text = self.text;
        let first = self.segments.partition_point(|s| s.masked_start < start);
        self.segments[first..].iter().take_while(move |s| s.masked_end <= end).filter_map(
            move |s| {
                let mention = s.mention?;
                Some((mention, text[s.masked_start + open..].chars().next()?))
            },
        )
    }

    /// Mention indices of the placeholders inside the masked span.
    pub fn mentions_in(&self, start: usize, end: usize) -> impl Iterator<Item = usize> + 'a {
        self.placeholders_within(start, end).map(|(mention, _)| mention)
    }

    /// Mention indices of the placeholders of the given type codes inside the masked span
    /// (`⟨o⟩ et le géant ⟨d⟩ … ⟨n⟩` with the codes of Organization and Name: the first and the
    /// third).
    pub fn mentions_of<'s>(
        &self,
        start: usize,
        end: usize,
        codes: &'s [char],
    ) -> impl Iterator<Item = usize> + 's
    where
        'a: 's,
    {
        let placeholders = self.placeholders_within(start, end);
        placeholders.filter_map(move |(mention, code)| codes.contains(&code).then_some(mention))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_maps_offsets_both_ways() {
        let text = "Ici, Nvidia et Deutsche Telekom lancent.";
        let nv = text.find("Nvidia").unwrap();
        let dt = text.find("Deutsche").unwrap();
        let (org, name) = ('\u{E001}', '\u{E004}');
        let items = [
            MaskItem { start: nv, end: nv + 6, code: org, index: 4 },
            MaskItem { start: dt, end: dt + 16, code: name, index: 9 },
        ];
        let owned = MaskedSentence::build(text, 0, text.len(), items);
        let m = owned.as_ref();
        assert_eq!(m.text, "Ici, ⟨\u{E001}⟩ et ⟨\u{E004}⟩ lancent.");
        let p = m.text.find('⟨').unwrap();
        assert_eq!(m.start_of(p), Some(nv));
        assert_eq!(m.start_of(p + 3), None);
        let q = m.text.find(" lancent").unwrap();
        assert_eq!(m.end_of(q), Some(dt + 16));
        assert_eq!(m.end_of(q - 1), None);
        assert_eq!(m.start_of(q + 1), Some(text.find("lancent").unwrap()));
        assert_eq!(m.span_widened(p + 3, q - 2), (nv, dt + 16));
        assert_eq!(m.mentions_in(0, m.text.len()).collect::<Vec<_>>(), vec![4, 9]);
        let both = [org, name];
        let all = m.text.len();
        assert_eq!(m.mentions_of(0, all, &both).collect::<Vec<_>>(), vec![4, 9]);
        assert_eq!(m.mentions_of(0, all, &both[..1]).collect::<Vec<_>>(), vec![4]);
        assert_eq!(m.mentions_of(0, all, &both[1..]).collect::<Vec<_>>(), vec![9]);
        assert_eq!(m.mentions_of(0, q - 1, &both).collect::<Vec<_>>(), vec![4]);
        // with their codes; the second is cut by the span's end, the first by its start
        let w = PLACEHOLDER_OPEN.len_utf8();
        let second = p + w + m.text[p + w..].find(PLACEHOLDER_OPEN).unwrap();
        let within = |s, e| m.placeholders_within(s, e).collect::<Vec<_>>();
        assert_eq!(within(0, all), vec![(4, org), (9, name)]);
        assert_eq!(within(p, second + 3 * w), vec![(4, org), (9, name)]);
        assert_eq!(within(0, second + w), vec![(4, org)]);
        assert_eq!(within(p + w, all), vec![(9, name)]);
        assert_eq!(within(p, p + w), vec![]);
    }

    /// A sentence pushed onto a sheet after others reads as the sentence built alone: its text,
    /// and every offset mapped both ways. Fails if a sheet's offsets were not taken from where
    /// the sentence starts.
    #[test]
    fn a_sheet_holds_sentences_as_they_are_alone() {
        let text = "Ici, Nvidia et SAP lancent. Puis Mistral AI et Helsing signent avec Airbus.";
        let found = |w: &str| text.find(w).unwrap();
        let code = '\u{E001}';
        let item =
            |w: &str, index| MaskItem { start: found(w), end: found(w) + w.len(), code, index };
        let second = found("Puis");
        let sentences = [
            (0, second - 1, vec![item("Nvidia", 0), item("SAP", 1)]),
            (
                second,
                text.len(),
                vec![item("Mistral AI", 2), item("Helsing", 3), item("Airbus", 4)],
            ),
            (second, text.len(), vec![]),
        ];
        let mut sheet = MaskedSheet::default();
        let spans: Vec<MaskedSpan> =
            sentences.iter().map(|(s, e, items)| sheet.push(text, *s, *e, items.clone())).collect();
        for ((s, e, items), span) in sentences.iter().zip(spans) {
            let alone = MaskedSentence::build(text, *s, *e, items.clone());
            let (alone, held) = (alone.as_ref(), sheet.get(span));
            assert_eq!(held.text, alone.text);
            for o in 0..=alone.text.len() {
                assert_eq!(held.start_of(o), alone.start_of(o), "{o}");
                assert_eq!(held.end_of(o), alone.end_of(o), "{o}");
                for p in o..=alone.text.len() {
                    assert_eq!(held.span_widened(o, p), alone.span_widened(o, p));
                    let codes = [code];
                    let held_ids: Vec<usize> = held.mentions_of(o, p, &codes).collect();
                    assert_eq!(held_ids, alone.mentions_of(o, p, &codes).collect::<Vec<_>>());
                }
            }
        }
    }
}
