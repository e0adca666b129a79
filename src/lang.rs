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

/// Both lists' words as keys ([`key`]), sorted, each with whether it is French.
static KEYS: std::sync::OnceLock<Vec<(u64, bool)>> = std::sync::OnceLock::new();

/// A word of at most [`LONGEST`] bytes as a number: its bytes lower-cased (ASCII), then its
/// length, so that two words have the same key exactly when they are equal up to ASCII case.
fn key(word: &[u8]) -> u64 {
    debug_assert!(word.len() <= LONGEST);
    let mut bytes = [0u8; 8];
    bytes[..word.len()].copy_from_slice(word);
    bytes.make_ascii_lowercase();
    bytes[7] = word.len() as u8;
    u64::from_le_bytes(bytes)
}

/// `fr`, `en`, or `None` when the text gives too little evidence (fewer than 3 such words, or no
/// clear majority). Reads at most the first 4,000 words.
pub fn detect(text: &str) -> Option<&'static str> {
    let (mut fr, mut en) = (0usize, 0usize);
    // The listed words are ASCII, so a word is one of them exactly when it equals it up to ASCII
    // case (the one non-ASCII letter whose lower case is ASCII, the Kelvin sign, is in none), and
    // a longer word is none of them: a word is lower-cased into a key of the longest's length
    // and looked up in the lists' keys, sorted once.
    let keys = KEYS.get_or_init(|| {
        let mut all: Vec<(u64, bool)> = FRENCH.iter().map(|w| (key(w.as_bytes()), true)).collect();
        // a word of both lists counts as French, as it did when the lists were read in turn
        all.extend(
            ENGLISH.iter().filter(|w| !FRENCH.contains(w)).map(|w| (key(w.as_bytes()), false)),
        );
        all.sort_unstable();
        all
    });
    for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(4000) {
        if word.len() > LONGEST {
            continue;
        }
        match keys.binary_search_by_key(&key(word.as_bytes()), |&(k, _)| k) {
            Ok(i) if keys[i].1 => fr += 1,
            Ok(_) => en += 1,
            Err(_) => {}
        }
    }
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
