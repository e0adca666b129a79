//! Language identification, just enough to pick an entity's label in the language of the
//! articles that mention it: counts of very common French and English words.

/// Words frequent in one language and rare in the other.
const FRENCH: &[&str] = &[
    "le", "la", "les", "des", "du", "et", "est", "une", "dans", "pour", "qui", "que", "sur", "au",
    "aux", "avec", "par", "pas", "ont", "sont", "cette", "ces", "leur", "selon",
];
const ENGLISH: &[&str] = &[
    "the", "and", "of", "is", "are", "was", "were", "with", "for", "that", "this", "from", "by",
    "has", "have", "its", "their", "which", "said", "will", "would", "after",
];

/// Bytes in the longest listed word.
const LONGEST: usize = 5;

/// Both lists' words as keys ([`key`]), each with whether it is French, in a table of
/// [`SLOTS`] slots: a key is in the slot [`slot`] gives it or, when that one is taken, in the
/// next free one after it; an empty slot (key 0, which no word has) ends a search.
static KEYS: std::sync::OnceLock<[(u64, bool); SLOTS]> = std::sync::OnceLock::new();

/// Slots of [`KEYS`], a power of two, more than twice the words.
const SLOTS: usize = 128;

/// A word of at most [`LONGEST`] bytes as a number: its bytes lower-cased (ASCII), then its
/// length, so that two words have the same key exactly when they are equal up to ASCII case.
fn key(word: &[u8]) -> u64 {
    debug_assert!(word.len() <= LONGEST);
    let mut key = (word.len() as u64) << 56;
    for (i, b) in word.iter().enumerate() {
        key |= u64::from(b.to_ascii_lowercase()) << (8 * i);
    }
    key
}

/// The lists' words in their table ([`KEYS`]), made the first time.
fn keys() -> &'static [(u64, bool); SLOTS] {
    KEYS.get_or_init(|| {
        let mut table = [(0u64, false); SLOTS];
        // a word of both lists counts as French, as it did when the lists were read in turn
        let english = ENGLISH.iter().filter(|w| !FRENCH.contains(w));
        let words = FRENCH.iter().map(|w| (w, true)).chain(english.map(|w| (w, false)));
        for (word, french) in words {
            let key = key(word.as_bytes());
            let mut at = slot(key);
            while table[at].0 != 0 {
                at = (at + 1) % SLOTS;
            }
            table[at] = (key, french);
        }
        table
    })
}

/// The slot of [`KEYS`] where a search for `key` starts.
fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 57) as usize % SLOTS
}

/// Whether the word of `key` is listed, and then whether it is French.
fn listed(keys: &[(u64, bool); SLOTS], key: u64) -> Option<bool> {
    let mut at = slot(key);
    loop {
        match keys[at] {
            (0, _) => return None,
            (k, french) if k == key => return Some(french),
            _ => at = (at + 1) % SLOTS,
        }
    }
}

/// `fr`, `en`, or `None` when the text gives too little evidence (fewer than 3 such words, or no
/// clear majority). Reads at most the first 4,000 words: the runs of alphabetic characters.
pub fn detect(text: &str) -> Option<&'static str> {
    let (mut fr, mut en) = (0usize, 0usize);
    // The listed words are ASCII, so a word is one of them exactly when it equals it up to ASCII
    // case (the one non-ASCII letter whose lower case is ASCII, the Kelvin sign, is in none), and
    // a longer word is none of them: a word is lower-cased into a key of the longest's length
    // and looked up in the lists' keys, put in their table once.
    let keys = keys();
    let mut count = |word: &[u8]| {
        if word.len() <= LONGEST {
            match listed(keys, key(word)) {
                Some(true) => fr += 1,
                Some(false) => en += 1,
                None => {}
            }
        }
    };
    // the words read character by character, without decoding ASCII ([`letter_at`])
    let bytes = text.as_bytes();
    let (mut words, mut at) = (0, 0);
    while at < bytes.len() && words < MOST_WORDS {
        // the next word's start
        let (letter, len) = letter_at(text, at);
        if !letter {
            at += len;
            continue;
        }
        let start = at;
        at += len;
        while at < bytes.len() {
            let (letter, len) = letter_at(text, at);
            if !letter {
                break;
            }
            at += len;
        }
        count(&bytes[start..at]);
        words += 1;
    }
    verdict(fr, en)
}

/// The language of `fr` French and `en` English listed words: `None` for fewer than 3 in all, or
/// without a clear majority.
fn verdict(fr: usize, en: usize) -> Option<&'static str> {
    if fr + en < 3 {
        None
    } else if fr * 2 > en * 3 {
        Some("fr")
    } else if en * 2 > fr * 3 {
        Some("en")
    } else {
        None
    }
}

/// How many words [`detect`] reads at most.
const MOST_WORDS: usize = 4000;

/// Whether the character that starts at byte `at` of `text` is alphabetic, and its length: an
/// ASCII byte is a letter or not by itself, a character below [`TABLED`] is looked up in a
/// table made once, and only another one is decoded and asked.
#[inline(always)]
fn letter_at(text: &str, at: usize) -> (bool, usize) {
    let bytes = text.as_bytes();
    match bytes[at] {
        b if b < 0x80 => (b.is_ascii_alphabetic(), 1),
        b if b < 0xE0 => {
            let code = (usize::from(b & 0x1F) << 6) | usize::from(bytes[at + 1] & 0x3F);
            (tabled_letter(code), 2)
        }
        b if b < 0xF0 => {
            let code = (usize::from(b & 0x0F) << 12)
                | (usize::from(bytes[at + 1] & 0x3F) << 6)
                | usize::from(bytes[at + 2] & 0x3F);
            match code < TABLED {
                true => (tabled_letter(code), 3),
                false => (text[at..].chars().next().is_some_and(char::is_alphabetic), 3),
            }
        }
        _ => {
            let c = text[at..].chars().next().expect("a character starts here");
            (c.is_alphabetic(), c.len_utf8())
        }
    }
}

/// The characters below this one are told alphabetic or not by a table ([`tabled_letter`]): the
/// Latin, Greek and Cyrillic letters, and the punctuation of U+2000 to U+206F (`’`, `—`, `“`).
const TABLED: usize = 0x3000;

/// Whether the character whose code point is `code` (below [`TABLED`]) is alphabetic, from a
/// table made once with [`char::is_alphabetic`].
fn tabled_letter(code: usize) -> bool {
    static TABLE: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut bits = vec![0u64; TABLED / 64];
        for code in 0..TABLED as u32 {
            if char::from_u32(code).is_some_and(char::is_alphabetic) {
                bits[code as usize / 64] |= 1 << (code % 64);
            }
        }
        bits
    });
    table[code / 64] & (1 << (code % 64)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffer_holds_the_longest_listed_word() {
        let longest = FRENCH.iter().chain(ENGLISH).map(|w| w.len()).max();
        assert_eq!(longest, Some(LONGEST));
        assert!(FRENCH.iter().chain(ENGLISH).all(|w| w.is_ascii() && *w == w.to_lowercase()));
    }

    #[test]
    fn listed_words_count_whatever_their_case_and_others_do_not() {
        assert_eq!(detect("LE LA Les"), Some("fr"));
        assert_eq!(detect("THE And oF"), Some("en"));
        // too long, accented or not listed: no evidence
        assert_eq!(detect("lesx théé cettes sélon kelvin \u{212A}"), None);
        assert_eq!(detect("le la the of"), None);
    }

    /// [`detect`] as it was written first: the text split at every character that is not
    /// alphabetic.
    fn detect_by_split(text: &str) -> Option<&'static str> {
        let (mut fr, mut en) = (0usize, 0usize);
        let words = text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty());
        for word in words.take(MOST_WORDS) {
            let lower = word.to_ascii_lowercase();
            if FRENCH.contains(&lower.as_str()) {
                fr += 1;
            } else if ENGLISH.contains(&lower.as_str()) {
                en += 1;
            }
        }
        verdict(fr, en)
    }

    proptest::proptest! {
        #[test]
        fn reading_bytes_tells_what_splitting_the_text_tells(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "le", "LA", "Les", "the", "of", "And", "et", "with", "dans", "for", "it",
                    "l", "d", "leur", "selon", "lés", "èt", "thé", "Kelvin", "\u{212A}", "ſ",
                    "entreprise", "Straße", "中国", "x", " ", "  ", "’", "'", "-", ",", ". ",
                    "«\u{a0}", "\u{a0}»", "\n", "1", "2024", "é", "\u{301}", "🙂", "ǅ",
                ]),
                0..60,
            ),
            repeat in 1usize..120,
        ) {
            let text = pieces.concat().repeat(repeat);
            proptest::prop_assert_eq!(detect(&text), detect_by_split(&text), "{:?}", text);
        }
    }

    #[test]
    fn the_table_finds_each_listed_word_and_no_other() {
        let keys = keys();
        for w in FRENCH {
            assert_eq!(listed(keys, key(w.as_bytes())), Some(true), "{w}");
        }
        for w in ENGLISH.iter().filter(|w| !FRENCH.contains(w)) {
            assert_eq!(listed(keys, key(w.as_bytes())), Some(false), "{w}");
        }
        for w in ["a", "les.", "thee", "xyz", "l", "é", "Les"] {
            let expected = FRENCH.contains(&w.to_ascii_lowercase().as_str()).then_some(true);
            assert_eq!(listed(keys, key(&w.as_bytes()[..w.len().min(LONGEST)])), expected, "{w}");
        }
    }

    #[test]
    fn only_the_first_words_are_read() {
        // 4,000 words of French, then English: French; one word fewer, and English weighs
        let french = "le la et ".repeat(MOST_WORDS / 3 + 1);
        let text = format!("{french}{}", "the of and ".repeat(MOST_WORDS));
        assert_eq!(detect(&text), Some("fr"));
        assert_eq!(detect(&text), detect_by_split(&text));
        let mixed = format!("{} {}", "le ".repeat(MOST_WORDS - 1), "the ".repeat(10));
        assert_eq!(detect(&mixed), detect_by_split(&mixed));
    }

    #[test]
    fn french_and_english_are_told_apart() {
        assert_eq!(
            detect("L'entreprise française Mistral a levé des fonds pour la recherche."),
            Some("fr")
        );
        assert_eq!(
            detect("The German startup said it has raised money from the fund."),
            Some("en")
        );
        assert_eq!(detect("Nvidia SAP"), None);
        // case does not matter, accents do
        assert_eq!(detect("LES ENTREPRISES ET LA RECHERCHE"), Some("fr"));
        assert_eq!(detect("lés entreprises èt là recherche"), None);
    }
}
