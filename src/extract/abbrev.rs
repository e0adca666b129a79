//! Abbreviations defined in the text: "l'Agence wallonne à l'Exportation et aux Investissements
//! Étrangers (AWEX)", "la Fondation genevoise pour l'innovation technologique (Fongit)". The long
//! form before the parenthesis is found by Schwartz and Hearst's algorithm ("A simple algorithm
//! for identifying abbreviation definitions in biomedical text", 2003): the characters of the
//! short form, read from the last, are found in the same order in the words before it, the first
//! one at the start of a word, within `min(|short| + 5, 2 × |short|)` words. It needs no word list,
//! so it finds names whose words are in lower case ("Caisse de dépôt et de gestion (CDG)"), which
//! patterns of capitalized words miss.

use crate::normalize::fold_str;

/// Whether `short` may be an abbreviation: 2 to 10 characters with no space, opening on a
/// capital, letters, digits, `-` and `&` only, at least two letters.
fn is_short_form(short: &str) -> bool {
    if short.len() > 40 {
        return false;
    }
    let count = short.chars().count();
    let letters = short.chars().filter(|c| c.is_alphabetic()).count();
    (2..=10).contains(&count)
        && letters >= 2
        && short.chars().next().is_some_and(char::is_uppercase)
        && short.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '&')
}

/// Where the long form of `short` starts in `before`, the text right before ` (short)`: within
/// the last clause of `before` (after its last `,;:()[]«»"!?` or dash), opening on a capital, of
/// two words or more, and without `short` among its words.
pub(crate) fn long_form_start(before: &str, short: &str) -> Option<usize> {
    if !is_short_form(short) {
        return None;
    }
    let clause = before
        .rfind(|c: char| ",;:()[]«»\"!?–—".contains(c))
        .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    let alnum = short.chars().filter(|c| c.is_alphanumeric()).count();
    let most = (alnum + 5).min(2 * alnum);
    // the window: the last `most` words of the clause
    let mut window = clause;
    let mut words = 0;
    let mut in_word = false;
    for (i, c) in before[clause..].char_indices().rev() {
        if c == ' ' {
            if in_word {
                words += 1;
                if words == most {
                    window = clause + i + 1;
                    break;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    // the short form's letters and digits from the last, each found further left in the window,
    // the first one opening a word
    let text = &before[window..];
    let mut end = text.len();
    let first = short.char_indices().find(|(_, c)| c.is_alphanumeric()).map(|(i, _)| i);
    for (k, c) in short.char_indices().rev().filter(|(_, c)| c.is_alphanumeric()) {
        let (wanted, opens) = (folded(c), Some(k) == first);
        end = text[..end].char_indices().rev().find_map(|(i, t)| {
            let word_start = text[..i].chars().next_back().is_none_or(|p| !p.is_alphanumeric());
            (folded(t) == wanted && (!opens || word_start)).then_some(i)
        })?;
    }
    let start = window + end;
    let long = before[start..].trim_end();
    let capital = long.chars().next().is_some_and(char::is_uppercase);
    let two_words = long.split(' ').filter(|w| !w.is_empty()).count() >= 2;
    // as Schwartz and Hearst: the short form is not one of the long form's words
    let (long, short) = (fold_str(long), fold_str(short));
    let inside = long.contains(&format!("{short} ")) || long.ends_with(&short);
    (capital && two_words && !inside).then_some(start)
}

/// Whether `short` abbreviates the whole of `long` ("Fongit" and "Fondation genevoise pour
/// l'innovation technologique").
pub(crate) fn abbreviates(short: &str, long: &str) -> bool {
    long_form_start(long, short) == Some(0)
}

/// A character without case or accent, as names are compared.
fn folded(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut buf = [0u8; 4];
    fold_str(c.encode_utf8(&mut buf)).chars().next().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long<'t>(before: &'t str, short: &str) -> Option<&'t str> {
        long_form_start(before, short).map(|i| before[i..].trim_end())
    }

    #[test]
    fn long_forms_are_found_with_their_words_in_lower_case() {
        let cases = [
            (
                "Elle a signé avec l'Agence wallonne à l'Exportation et aux Investissements Étrangers",
                "AWEX",
                Some("Agence wallonne à l'Exportation et aux Investissements Étrangers"),
            ),
            (
                "selon la Fondation genevoise pour l'innovation technologique",
                "Fongit",
                Some("Fondation genevoise pour l'innovation technologique"),
            ),
            ("la Caisse de dépôt et de gestion", "CDG", Some("Caisse de dépôt et de gestion")),
            (
                "le Centre d'entreprises et d'innovation de Montréal",
                "CEIM",
                Some("Centre d'entreprises et d'innovation de Montréal"),
            ),
            (
                "la Direction générale de l'armement-Maîtrise de l'information",
                "DGA-MI",
                Some("Direction générale de l'armement-Maîtrise de l'information"),
            ),
            ("a financé la Société financière de Côte d'Ivoire", "Sfci", Some("Société financière de Côte d'Ivoire")),
            ("backed by Osaka University Venture Capital", "OUVC", Some("Osaka University Venture Capital")),
        ];
        for (before, short, expected) in cases {
            assert_eq!(long(before, short), expected, "{short}");
        }
    }

    #[test]
    fn what_is_not_an_abbreviation_of_the_words_before_is_left_alone() {
        let cases = [
            // lower case at the start: a common noun, not a name
            ("dans l'intelligence artificielle", "IA"),
            // a town and its department, a person's name, a word in parentheses
            ("au Zoo d'Amnéville", "Moselle"),
            ("le groupe Avril", "Saipol"),
            ("Mercury Mission Systems International", "Mercury"),
            // one word only: a name already
            ("General Motors, et Hewlett-Packard", "HP"),
            // the letters are not there
            ("l'Institut national de recherche en sciences et technologies du numérique", "Inria"),
            // not across a comma
            ("la Caisse de dépôt, et de gestion", "CDG"),
            // no short form
            ("la Caisse de dépôt et de gestion", "C"),
            ("la Caisse de dépôt et de gestion", "cdg"),
            ("la Caisse de dépôt et de gestion", "C D G"),
            ("", "CDG"),
        ];
        for (before, short) in cases {
            assert_eq!(long(before, short), None, "{short} in {before:?}");
        }
    }

    proptest::proptest! {
        /// Any text, any short form: no panic, and a long form is a suffix of the text that
        /// opens on a capital at a character boundary.
        #[test]
        fn a_long_form_is_a_suffix_opening_on_a_capital(
            before in "[A-Za-zÉéèà' ,;-]{0,60}",
            short in "[A-ZÉa-z&-]{0,12}",
        ) {
            if let Some(i) = long_form_start(&before, &short) {
                proptest::prop_assert!(before.is_char_boundary(i));
                proptest::prop_assert!(before[i..].starts_with(char::is_uppercase));
            }
        }
    }

    #[test]
    fn a_whole_name_is_abbreviated_or_not() {
        assert!(abbreviates("Fongit", "Fondation genevoise pour l'innovation technologique"));
        assert!(abbreviates("CEIM", "Centre d'entreprises et d'innovation de Montréal"));
        assert!(!abbreviates("CEIM", "le Centre d'entreprises et d'innovation de Montréal"));
        assert!(!abbreviates("QI", "Société du Quartier de l'innovation de Montréal"));
    }
}
