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

/// `fr`, `en`, or `None` when the text gives too little evidence (fewer than 3 such words, or no
/// clear majority). Reads at most the first 4,000 words.
pub fn detect(text: &str) -> Option<&'static str> {
    let (mut fr, mut en) = (0usize, 0usize);
    // The listed words are ASCII, so a word is one of them exactly when it equals it up to ASCII
    // case (the one non-ASCII letter whose lower case is ASCII, the Kelvin sign, is in none), and
    // a longer word is none of them.
    let longest = FRENCH.iter().chain(ENGLISH).map(|w| w.len()).max().unwrap_or(0);
    let listed = |list: &[&str], word: &str| list.iter().any(|w| w.eq_ignore_ascii_case(word));
    for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(4000) {
        if word.len() > longest {
            continue;
        }
        if listed(FRENCH, word) {
            fr += 1;
        } else if listed(ENGLISH, word) {
            en += 1;
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
