//! Slugs for IRIs and node ids (SPEC §5): NFKC, ASCII transliteration, lower case, `-` between
//! words. A name with nothing left (only symbols or an unknown script) gets a hash instead.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// `Université technique de Munich` → `universite-technique-de-munich`; `"` → `h-<hash>`.
pub fn slugify(name: &str) -> String {
    let nfkc: String = name.nfkc().collect();
    let ascii = deunicode::deunicode(&nfkc);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        slug = format!("h-{}", short_hash(name.as_bytes()));
    }
    slug
}

/// First 16 hex digits of SHA-256: stable across runs, platforms and versions.
pub fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_lowercase_words() {
        assert_eq!(slugify("Université technique de Munich"), "universite-technique-de-munich");
        assert_eq!(slugify("Usine d'IA souveraine"), "usine-d-ia-souveraine");
        assert_eq!(slugify("  Björn  Ommer "), "bjorn-ommer");
        assert_eq!(slugify("ＡＢＣ"), "abc");
    }

    #[test]
    fn empty_slugs_fall_back_to_a_stable_hash() {
        let s = slugify("\"\"");
        assert!(s.starts_with("h-") && s.len() == 18, "{s}");
        assert_eq!(s, slugify("\"\""));
        assert_ne!(s, slugify("<>"));
    }
}
