//! Sentence splitting over normalized text.
//!
//! A sentence ends at `.`, `!`, `?` or `…` followed by white space and a capital letter, a digit
//! or a quotation mark, and always at a line break (titles and headings are sentences of their
//! own). It does not end after a known abbreviation (`M.`, `Dr.`, `etc.`, `Inc.`), after a single
//! capital initial (`J. Smith`; but "Series A. The round …" ends at the grade of "Series",
//! "Class", "Phase"…, and at a letter before a word that opens sentences and is no surname),
//! inside a quotation, or inside a number (`2,5`, `1.5`): the splitter is a single pass with no
//! allocation per character.

/// A sentence: its byte span in the normalized text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceSpan {
    pub start: usize,
    pub end: usize,
}

/// Abbreviations (lower case, without the final dot) after which a dot does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    // French
    "m", "mm", "mme", "mmes", "mlle", "mlles", "me", "dr", "pr", "prof", "st", "ste", "av", "bd",
    "cf", "etc", "env", "ex", "fig", "hab", "janv", "févr", "fév", "avr", "juil", "sept", "oct",
    "nov", "déc", "min", "max", "n°", "no", "p", "pp", "vol", "éd", "coll", "dir", "mgr", "gén",
    "cie", "ca", "approx", // English
    "mr", "mrs", "ms", "jr", "sr", "inc", "ltd", "co", "corp", "vs", "e.g", "i.e", "u.s", "u.k",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "dec", "gov", "sen", "rep", "est",
    "approx", "dept", "univ", "pte", "pty", "pvt", "rs",
];

/// Words that open a sentence and are never a surname: after one, a capital initial and its dot
/// end a sentence ("raised $5 million in a Series A. The round was led by …").
const OPENERS: &[&str] = &[
    "The",
    "This",
    "These",
    "Those",
    "It",
    "Its",
    "He",
    "She",
    "They",
    "We",
    "In",
    "On",
    "At",
    "But",
    "And",
    "According",
    "Il",
    "Elle",
    "Ils",
    "Elles",
    "Ce",
    "Cette",
    "Ces",
    "Dans",
    "Pour",
    "Mais",
    "Selon",
    "Depuis",
];

/// Words after which a capital letter is a grade, not an initial: "Series A", "Class B",
/// "Phase C", "série A" (compared with their first letter in either case).
const GRADED: &[&str] = &["series", "class", "round", "phase", "tranche", "série", "séries"];

/// Most characters in an abbreviation: lower-casing never makes fewer characters, so a longer
/// word is none.
const ABBREVIATION_CHARS: usize = 6;

fn is_abbreviation(word: &str) -> bool {
    if word.chars().nth(ABBREVIATION_CHARS).is_some() {
        return false;
    }
    // lower-cased once into a buffer on the stack (a character lower-cases to at most three, of
    // at most four bytes each), then compared whole with each abbreviation
    let mut buf = [0u8; ABBREVIATION_CHARS * 3 * 4];
    let mut len = 0;
    for c in word.chars().flat_map(char::to_lowercase) {
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    let lower = &buf[..len];
    ABBREVIATIONS.iter().any(|a| a.as_bytes() == lower)
}

/// The word just before byte `end` (letters, digits, inner dots).
fn word_before(text: &str, end: usize) -> &str {
    let start = text[..end]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '.' || c == '°')
        .last()
        .map_or(end, |(i, _)| i);
    &text[start..end]
}

/// Splits `text` into sentences; empty lines and white space between sentences belong to none.
pub fn split_sentences(text: &str) -> Vec<SentenceSpan> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut in_quote = false;
    // only line breaks, quotes and end marks matter: the bytes they start with are looked for,
    // and the characters between are not decoded
    let mut at = 0;
    while let Some(found) =
        bytes[at..].iter().position(|&b| matches!(b, b'\n' | b'"' | b'.' | b'!' | b'?' | 0xE2))
    {
        let i = at + found;
        let c = text[i..].chars().next().expect("a character starts at a marked byte");
        at = i + c.len_utf8();
        match c {
            '\n' => {
                push_trimmed(text, start, i, &mut out);
                start = i + 1;
                in_quote = false;
            }
            '"' => in_quote = !in_quote,
            '.' | '!' | '?' | '…' => {
                // absorb repeated marks and a closing quote or bracket
                for n in text[at..].chars() {
                    if matches!(n, '.' | '!' | '?' | '…' | ')') || (n == '"' && in_quote) {
                        if n == '"' {
                            in_quote = false;
                        }
                        at += n.len_utf8();
                    } else {
                        break;
                    }
                }
                let end = at;
                if in_quote || end >= bytes.len() || bytes[end] != b' ' {
                    continue;
                }
                let next = text[end + 1..].chars().next();
                let starts_sentence =
                    next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || n == '"');
                if !starts_sentence {
                    continue;
                }
                if c == '.' && end == i + 1 {
                    let word = word_before(text, i);
                    let initial = word.chars().count() == 1
                        && word.chars().all(|w| w.is_uppercase())
                        && !graded(text, i - word.len())
                        && !opener_at(text, end + 1);
                    if initial || is_abbreviation(word) {
                        continue;
                    }
                }
                push_trimmed(text, start, end, &mut out);
                start = end + 1;
            }
            _ => {}
        }
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

/// Whether the word that ends before byte `start`, after one space, is a grade's noun
/// ([`GRADED`]): "Series" before "A".
fn graded(text: &str, start: usize) -> bool {
    text[..start].strip_suffix(' ').is_some_and(|before| {
        let word = word_before(before, before.len());
        GRADED.iter().any(|g| g.eq_ignore_ascii_case(word))
    })
}

/// Whether the word at byte `at` is a sentence opener ([`OPENERS`]).
fn opener_at(text: &str, at: usize) -> bool {
    let rest = &text[at..];
    let word = rest.split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
    OPENERS.contains(&word)
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<SentenceSpan>) {
    let slice = &text[start..end];
    let trimmed_start = start + (slice.len() - slice.trim_start().len());
    let trimmed_end = start + slice.trim_end().len();
    if trimmed_start < trimmed_end {
        out.push(SentenceSpan { start: trimmed_start, end: trimmed_end });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        split_sentences(text).into_iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn no_abbreviation_is_longer_than_the_bound() {
        // is_abbreviation rejects longer words before comparing
        let longest = ABBREVIATIONS.iter().map(|a| a.chars().count()).max();
        assert_eq!(longest, Some(ABBREVIATION_CHARS));
    }

    #[test]
    fn abbreviations_are_matched_whatever_their_case() {
        for word in ["M", "mme", "MME", "Févr", "FÉVR", "Inc", "approx", "APPROX", "U.S", "N°"] {
            assert!(is_abbreviation(word), "{word}");
        }
        for word in ["", "Mx", "approxi", "Dupont", "févrieR", "İnc", "\u{130}"] {
            assert!(!is_abbreviation(word), "{word}");
        }
    }

    #[test]
    fn splits_at_end_marks_and_lines() {
        assert_eq!(
            sentences("Titre\nUne phrase. Une autre ! Et alors ? \"Oui.\" Fin"),
            vec!["Titre", "Une phrase.", "Une autre !", "Et alors ?", "\"Oui.\"", "Fin"]
        );
    }

    #[test]
    fn decimals_abbreviations_and_initials_do_not_split() {
        assert_eq!(
            sentences(
                "Elle lève 2,5 milliards. M. Dupont et J. Smith de Acme Inc. Ltd sont là. 1.5 bn."
            ),
            vec![
                "Elle lève 2,5 milliards.",
                "M. Dupont et J. Smith de Acme Inc. Ltd sont là.",
                "1.5 bn."
            ]
        );
        assert_eq!(sentences("It paid Rs. 12 crore. Then"), vec!["It paid Rs. 12 crore.", "Then"]);
    }

    #[test]
    fn a_grade_or_a_letter_before_an_opener_ends_a_sentence() {
        assert_eq!(
            sentences("Kalix raised $5 million in a Series A. Norvik led it. Norvik joined the class B. The end."),
            vec!["Kalix raised $5 million in a Series A.", "Norvik led it.", "Norvik joined the class B.", "The end."]
        );
        assert_eq!(
            sentences("Il a signé avec le plan B. Elle aussi. J. Le Roy et A. Smith sont là."),
            vec!["Il a signé avec le plan B.", "Elle aussi.", "J. Le Roy et A. Smith sont là."]
        );
    }

    #[test]
    fn quotations_are_not_split() {
        assert_eq!(
            sentences("\"Le calcul progresse. Grâce à lui, tout va.\", déclare Marc. Puis Y."),
            vec!["\"Le calcul progresse. Grâce à lui, tout va.\", déclare Marc.", "Puis Y."]
        );
    }

    #[test]
    fn lower_case_after_a_dot_does_not_split() {
        assert_eq!(sentences("Voir p. ex. la suite. Oui"), vec!["Voir p. ex. la suite.", "Oui"]);
    }
}
