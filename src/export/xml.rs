//! What the XML exporters share: the characters XML 1.0 can carry, and the small reading helpers
//! their `read` functions (used by round-trip tests) are built from.

use std::collections::BTreeMap;

use quick_xml::events::{BytesRef, BytesStart};

/// Drops the characters XML 1.0 cannot carry: C0 controls except tab, LF and CR, and U+FFFE/FFFF.
pub fn xml_text(text: &str) -> String {
    text.chars().filter(|&c| is_xml_char(c)).collect()
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The attributes of an element, unescaped.
pub(crate) fn attributes(e: &BytesStart<'_>) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        out.insert(key, a.unescape_value().map_err(|e| e.to_string())?.into_owned());
    }
    Ok(out)
}

/// Appends what a character or predefined entity reference (`&#13;`, `&amp;`) stands for.
pub(crate) fn push_reference(r: &BytesRef<'_>, text: &mut String) -> Result<(), String> {
    match r.resolve_char_ref().map_err(|e| e.to_string())? {
        Some(c) => text.push(c),
        None => {
            let name = r.decode().map_err(|e| e.to_string())?;
            let value = quick_xml::escape::resolve_predefined_entity(&name)
                .ok_or_else(|| format!("unknown entity &{name};"))?;
            text.push_str(value);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_everything_xml_can_carry() {
        assert_eq!(xml_text("a\u{1}b\u{0}c\u{1f}\t\n\r\u{fffe}d"), "abc\t\n\rd");
        assert_eq!(xml_text("<&>\"'😀 שלום"), "<&>\"'😀 שלום");
    }
}
