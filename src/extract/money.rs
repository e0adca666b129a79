//! Amounts of money: the numbers and words captured by a money pattern become an exact decimal
//! and an ISO 4217 code. The arithmetic is on decimal digit strings, never on floats, so
//! "2,5 milliards" is exactly 2500000000.

use crate::graph::Amount;
use crate::normalize::fold_str;
use crate::rules::MoneyWords;

/// A decimal as digits and the number of them after the point.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    digits: String,
    scale: u32,
}

/// Parses a written number: `1 000`, `1.000.000`, `2,5`, `1,500.75`, `1.5`.
///
/// A separator followed by exactly three digits and nothing else of its kind is a thousands
/// separator unless a scale word follows (`1,250 milliard` is 1.25 milliard, `2,5 milliards`
/// 2.5); with `comma_groups` (English), a comma before three digits groups thousands even then
/// (`2,000 crore` is 2000 crore). A number that opens with `0` and a separator has decimals
/// (`0,125`). The last of two different separators is the decimal point.
fn parse_number(text: &str, scaled: bool, comma_groups: bool) -> Option<Decimal> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if text.is_empty() || !text.chars().next()?.is_ascii_digit() {
        return None;
    }
    let last_sep = text.rfind([',', '.']);
    let (int_part, frac_part) = match last_sep {
        None => (text.clone(), String::new()),
        Some(pos) => {
            let sep = text.as_bytes()[pos] as char;
            let other = if sep == ',' { '.' } else { ',' };
            let after = &text[pos + 1..];
            let sep_count = text.matches(sep).count();
            let thousands = text.contains(other) && text.find(other) > Some(pos)
                || sep_count > 1
                || (after.len() == 3
                    && !text.contains(other)
                    && !text.starts_with('0')
                    && (!scaled || comma_groups && sep == ','));
            if thousands {
                (text.replace([',', '.'], ""), String::new())
            } else {
                (text[..pos].replace([',', '.'], ""), after.to_string())
            }
        }
    };
    if !int_part.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some(Decimal { digits: format!("{int_part}{frac_part}"), scale: frac_part.len() as u32 })
}

/// `digits × 10^(power − scale)` in canonical `xsd:decimal` form.
fn canonical(d: &Decimal, power: u32) -> String {
    let mut digits = d.digits.clone();
    let mut scale = d.scale as i64 - power as i64;
    while scale < 0 {
        digits.push('0');
        scale += 1;
    }
    let scale = scale as usize;
    while digits.len() <= scale {
        digits.insert(0, '0');
    }
    let (int, frac) = digits.split_at(digits.len() - scale);
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// The amount named by a money pattern's groups, or `None` when a word is unknown.
/// `comma_groups`: whether a comma before three digits groups thousands before a scale word too
/// (English: "2,000 crore" is 2000 crore, where "1,250 milliard" is 1.25 milliard).
pub fn amount(
    number: Option<&str>,
    word: Option<&str>,
    scale: Option<&str>,
    currency: &str,
    comma_groups: bool,
    words: &MoneyWords,
) -> Option<Amount> {
    let power = match scale {
        Some(s) if !s.trim().is_empty() => *words.scales.get(&fold_str(s.trim()))?,
        _ => 0,
    };
    let decimal = match (number, word) {
        (Some(n), _) if !n.trim().is_empty() => parse_number(n, power > 0, comma_groups)?,
        (_, Some(w)) => {
            let n = *words.numbers.get(&fold_str(w.trim()))?;
            Decimal { digits: n.to_string(), scale: 0 }
        }
        _ => return None,
    };
    let currency = words.currencies.get(&fold_str(currency.trim()))?.clone();
    Some(Amount { value: canonical(&decimal, power), currency })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> MoneyWords {
        let mut w = MoneyWords::default();
        w.numbers.insert("un".into(), 1);
        w.numbers.insert("cinq".into(), 5);
        w.scales.insert("milliards".into(), 9);
        w.scales.insert("milliard".into(), 9);
        w.scales.insert("millions".into(), 6);
        w.scales.insert("million".into(), 6);
        w.scales.insert("bn".into(), 9);
        w.currencies.insert("euros".into(), "EUR".into());
        w.currencies.insert("€".into(), "EUR".into());
        w.currencies.insert("dollars".into(), "USD".into());
        w.currencies.insert("$".into(), "USD".into());
        w
    }

    #[test]
    fn amounts_are_exact_decimals() {
        let w = words();
        let a = |n: Option<&str>, word: Option<&str>, s: Option<&str>, c: &str| {
            amount(n, word, s, c, false, &w).map(|a| format!("{} {}", a.value, a.currency))
        };
        assert_eq!(a(None, Some("un"), Some("milliard"), "euros").unwrap(), "1000000000 EUR");
        assert_eq!(a(Some("2,5"), None, Some("milliards"), "euros").unwrap(), "2500000000 EUR");
        assert_eq!(a(Some("200"), None, Some("millions"), "dollars").unwrap(), "200000000 USD");
        assert_eq!(a(Some("50"), None, Some("million"), "$").unwrap(), "50000000 USD");
        assert_eq!(a(Some("1.5"), None, Some("bn"), "€").unwrap(), "1500000000 EUR");
        assert_eq!(a(Some("1 000"), None, None, "euros").unwrap(), "1000 EUR");
        assert_eq!(a(Some("1,000"), None, None, "$").unwrap(), "1000 USD");
        assert_eq!(a(Some("1.250.000"), None, None, "€").unwrap(), "1250000 EUR");
        assert_eq!(a(Some("1,250,000.50"), None, None, "$").unwrap(), "1250000.5 USD");
        assert_eq!(a(Some("0,5"), None, None, "euros").unwrap(), "0.5 EUR");
        assert_eq!(a(Some("0,250"), None, None, "euros").unwrap(), "0.25 EUR");
        assert_eq!(a(Some("0,125"), None, Some("milliard"), "euros").unwrap(), "125000000 EUR");
        assert_eq!(a(None, Some("cinq"), Some("milliards"), "euros").unwrap(), "5000000000 EUR");
        assert!(a(Some("12"), None, None, "yen").is_none());
        assert!(a(None, Some("dizaines"), Some("milliards"), "euros").is_none());
        assert_eq!(a(Some("1,250"), None, Some("milliard"), "euros").unwrap(), "1250000000 EUR");
    }

    #[test]
    fn english_commas_group_thousands_before_a_scale() {
        let mut w = words();
        w.scales.insert("crore".into(), 7);
        let en = |n: &str, s: &str, c: &str| {
            amount(Some(n), None, Some(s), c, true, &w)
                .map(|a| format!("{} {}", a.value, a.currency))
        };
        assert_eq!(en("2,000", "crore", "$").unwrap(), "20000000000 USD");
        assert_eq!(en("1,500", "million", "$").unwrap(), "1500000000 USD");
        assert_eq!(en("2,5", "bn", "€").unwrap(), "2500000000 EUR");
        assert_eq!(en("1.250", "bn", "€").unwrap(), "1250000000 EUR");
        assert_eq!(en("0,125", "milliard", "euros").unwrap(), "125000000 EUR");
    }
}
