//! Pattern compilation: macros, lexicons and typed slots expanded into one regular expression.
//!
//! Relation rules are matched against a *masked* sentence in which every entity mention is
//! replaced by a placeholder `⟨c⟩`, where `c` is one character that stands for the mention's type
//! (see `extract::masked` and [`TypeCodes`]). A slot such as `{subject:Organization|Name}`
//! therefore compiles to a regex that matches only placeholders of those types and captures the
//! placeholder, whose position tells the mention; a list slot (`{parties:Organization+}`) matches
//! a coordination of them. Expansion keeps a map from the expanded regex back to the pattern as
//! written, so a regex error is reported at its position in the rule file.

use std::collections::BTreeMap;

/// Opening and closing characters of a placeholder in masked text.
pub const PLACEHOLDER_OPEN: char = '\u{27E8}';
pub const PLACEHOLDER_CLOSE: char = '\u{27E9}';

/// Types that are not declared in the vocabulary but produced by recognition itself.
pub const PSEUDO_TYPES: [&str; 4] = ["Name", "Demonym", "Money", "Date"];

/// What a slot binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SlotRole {
    Subject,
    Object,
    /// A coordination of parties related to each other pairwise (symmetric relations).
    Parties,
    Amount,
    /// When the relation happened.
    Date,
}

impl SlotRole {
    fn parse(name: &str) -> Option<SlotRole> {
        Some(match name {
            "subject" => SlotRole::Subject,
            "object" => SlotRole::Object,
            "parties" => SlotRole::Parties,
            "amount" => SlotRole::Amount,
            "date" => SlotRole::Date,
            _ => return None,
        })
    }

    /// Capture group name in the compiled regex.
    pub fn group(self) -> &'static str {
        match self {
            SlotRole::Subject => "subject",
            SlotRole::Object => "object",
            SlotRole::Parties => "parties",
            SlotRole::Amount => "amount",
            SlotRole::Date => "date",
        }
    }
}

/// A typed slot of a relation pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub role: SlotRole,
    /// Accepted mention types, in the order written; the first declared entity type is the type
    /// an untyped `Name` takes when it fills the slot.
    pub types: Vec<String>,
    /// The codes of `types` inside placeholders ([`TypeCodes`]), in the same order.
    pub codes: Vec<char>,
    /// Matches a coordination (`A, B et C`) rather than one mention.
    pub list: bool,
}

/// The character that stands for a mention type inside a placeholder `⟨c⟩`: the declared entity
/// types in name order, then the built-in [`PSEUDO_TYPES`], from U+E000 on in
/// Unicode's private use area. A type spelled out (`⟨organization⟩`) made every gap of a rule
/// that may cross placeholders walk through the letters of each type name, and the NFAs that much
/// larger (BENCHMARKS.md); one character per type keeps a placeholder three characters wide,
/// whatever its type, and a set of types one character class. Normalized text holds no `⟨`, so a
/// private-use character of the input never makes a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeCodes {
    names: Vec<String>,
}

/// The first code; the private use area runs to U+F8FF.
const FIRST_CODE: u32 = 0xE000;

/// Most entity types a vocabulary may declare, so that every code stays in the private use area.
pub const MAX_ENTITY_TYPES: usize = 6000;

impl TypeCodes {
    /// Codes for `entity_types` (at most [`MAX_ENTITY_TYPES`]) and the built-in types.
    pub fn new(entity_types: &[String]) -> TypeCodes {
        assert!(entity_types.len() <= MAX_ENTITY_TYPES, "too many entity types");
        let mut names: Vec<String> = entity_types.to_vec();
        names.extend(PSEUDO_TYPES.iter().map(|t| t.to_string()));
        TypeCodes { names }
    }

    /// The code of `type_name`; a type that is neither declared nor built in gets a code of its
    /// own that no slot accepts.
    pub fn code(&self, type_name: &str) -> char {
        let i = self.names.iter().position(|n| n == type_name).unwrap_or(self.names.len());
        char::from_u32(FIRST_CODE + i as u32).expect("a private-use character")
    }

    /// Whether `literal` (the bytes of a regex's literal, perhaps cut inside its last character)
    /// may hold a part of a placeholder `⟨c⟩`: its brackets or a code, whole or cut.
    pub fn in_literal(&self, literal: &[u8]) -> bool {
        let (whole, cut) = match std::str::from_utf8(literal) {
            Ok(whole) => (whole, &[][..]),
            Err(e) if e.error_len().is_none() => {
                let (whole, cut) = literal.split_at(e.valid_up_to());
                (std::str::from_utf8(whole).expect("valid up to the cut"), cut)
            }
            Err(_) => return true,
        };
        let codes = FIRST_CODE..=FIRST_CODE + self.names.len() as u32;
        let placeholder = |c: char| {
            c == PLACEHOLDER_OPEN || c == PLACEHOLDER_CLOSE || codes.contains(&(c as u32))
        };
        // every code is in U+E000..=U+FFFF, whose UTF-8 forms open with 0xEE or 0xEF, and both
        // brackets open with 0xE2 0x9F
        whole.chars().any(placeholder)
            || cut.first().is_some_and(|&b| b == 0xEE || b == 0xEF)
            || (!cut.is_empty() && [0xE2, 0x9F].starts_with(cut))
    }

    /// Regex of one placeholder of the given types, optionally captured whole (its position
    /// tells which mention it stands for).
    pub fn placeholder_regex(&self, types: &[String], capture: Option<&str>) -> String {
        let codes: String =
            types.iter().map(|t| format!("\\x{{{:X}}}", self.code(t) as u32)).collect();
        let one = if types.len() == 1 {
            format!("{PLACEHOLDER_OPEN}{codes}{PLACEHOLDER_CLOSE}")
        } else {
            format!("{PLACEHOLDER_OPEN}[{codes}]{PLACEHOLDER_CLOSE}")
        };
        match capture {
            Some(name) => format!("(?P<{name}>{one})"),
            None => one,
        }
    }
}

/// Regex alternation of a word list: longest first, escaped, one space for any white space.
pub fn lexicon_regex(words: &[String]) -> String {
    alternation(words)
}

fn alternation(words: &[String]) -> String {
    let mut words: Vec<String> = words
        .iter()
        .map(|w| {
            let w = w.replace(['\u{2019}', '\u{2018}'], "'");
            w.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(" ")
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    words.dedup();
    format!("(?:{})", words.join("|"))
}

/// Everything an expansion can refer to.
pub struct Definitions<'a> {
    /// Macro bodies as written (they may refer to other macros and lexicons, not to slots).
    pub macros: &'a BTreeMap<String, String>,
    /// Lexicons, already turned into alternations.
    pub lexicons: &'a BTreeMap<String, String>,
    /// Declared entity type names.
    pub entity_types: &'a [String],
    /// Their codes in placeholders, and those of the built-in types.
    pub codes: &'a TypeCodes,
    /// Compile slots so they accept any mention or a few words, to find near misses
    /// (`kgsmith explain`): a relaxed match that the strict rule does not make is a near miss.
    pub relaxed_slots: bool,
    /// The language of the rule being expanded: a list slot's macros (`list_separator`,
    /// `list_last_separator`, `list_item_prefix`) are first looked up with its suffix
    /// (`list_item_prefix_fr`), so that a French rule's lists need not read English noun phrases.
    pub lang: Option<&'a str>,
}

/// A pattern after expansion.
#[derive(Debug, Clone, Default)]
pub struct Expanded {
    pub regex: String,
    pub slots: Vec<Slot>,
    /// Byte ranges of `regex`, in order, each the expansion of a macro or a lexicon as one group,
    /// outermost only: what [`super::splice::Pieces`] parses once for all the patterns
    /// (a list slot's macros each one piece, its placeholders not).
    pub pieces: Vec<(usize, usize)>,
    /// (expanded start, expanded end, offset in the written pattern, copied verbatim?)
    segments: Vec<(usize, usize, usize, bool)>,
}

impl Expanded {
    /// Offset in the written pattern of the byte `offset` of the expanded regex.
    pub fn original_offset(&self, offset: usize) -> usize {
        for &(start, end, orig, verbatim) in &self.segments {
            if offset >= start && offset < end {
                return if verbatim { orig + (offset - start) } else { orig };
            }
        }
        self.segments.last().map_or(0, |&(s, e, o, v)| if v { o + (e - s) } else { o })
    }
}

/// An expansion error at a byte offset of the written pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub offset: usize,
    pub message: String,
}

fn err(offset: usize, message: impl Into<String>) -> PatternError {
    PatternError { offset, message: message.into() }
}

/// Expands `pattern`. Slots are allowed only when `allow_slots` (relation rules).
pub fn expand(
    pattern: &str,
    defs: &Definitions<'_>,
    allow_slots: bool,
) -> Result<Expanded, PatternError> {
    let mut out = Expanded::default();
    expand_into(pattern, defs, allow_slots, &mut Vec::new(), &mut out, None)?;
    Ok(out)
}

fn expand_into(
    pattern: &str,
    defs: &Definitions<'_>,
    allow_slots: bool,
    stack: &mut Vec<String>,
    out: &mut Expanded,
    // inside a macro: every expanded byte maps to this offset of the top-level pattern
    anchor: Option<usize>,
) -> Result<(), PatternError> {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    let mut class_depth = 0usize;
    let mut verbatim_start = 0;
    let flush = |out: &mut Expanded, from: usize, to: usize| {
        if from < to {
            let start = out.regex.len();
            out.regex.push_str(&pattern[from..to]);
            let seg = match anchor {
                Some(a) => (start, out.regex.len(), a, false),
                None => (start, out.regex.len(), from, true),
            };
            out.segments.push(seg);
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                i += 1;
                if i < bytes.len() {
                    let escaped = bytes[i];
                    i += pattern[i..].chars().next().map_or(1, char::len_utf8);
                    // \p{Lu}, \x{263a}, \u{...}: the braces belong to the escape
                    if matches!(escaped, b'p' | b'P' | b'x' | b'u') && bytes.get(i) == Some(&b'{') {
                        i = pattern[i..].find('}').map_or(bytes.len(), |c| i + c + 1);
                    }
                }
            }
            b'[' => {
                class_depth += 1;
                i += 1;
                // a `]` or `^]` right after the opening bracket is a literal
                if pattern[i..].starts_with("^]") {
                    i += 2;
                } else if pattern[i..].starts_with(']') {
                    i += 1;
                }
            }
            b']' if class_depth > 0 => {
                class_depth -= 1;
                i += 1;
            }
            b'{' if class_depth == 0 => {
                let close = pattern[i..]
                    .find('}')
                    .map(|c| i + c)
                    .ok_or_else(|| err(anchor.unwrap_or(i), "unclosed '{'"))?;
                let inner = &pattern[i + 1..close];
                if inner.is_empty() || inner.starts_with(|c: char| c.is_ascii_digit() || c == ',') {
                    i = close + 1; // a repetition such as {2,5}
                    continue;
                }
                flush(out, verbatim_start, i);
                let at = anchor.unwrap_or(i);
                if let Some(types) = inner.strip_prefix(':') {
                    // a context placeholder: matches a mention of these types, binds nothing
                    let types: Vec<String> =
                        types.split('|').map(|t| t.trim().to_string()).collect();
                    check_types(&types, defs).map_err(|m| err(at, m))?;
                    let start = out.regex.len();
                    let one = defs.codes.placeholder_regex(&types, None);
                    out.regex.push_str(&format!("(?:{one})"));
                    out.segments.push((start, out.regex.len(), at, false));
                } else if let Some((role, types)) = inner.split_once(':') {
                    if !allow_slots {
                        return Err(err(
                            at,
                            format!("slot {{{inner}}} is only allowed in relation rules"),
                        ));
                    }
                    let slot = parse_slot(role, types, defs).map_err(|m| err(at, m))?;
                    if out.slots.iter().any(|s| s.role == slot.role) {
                        return Err(err(at, format!("slot '{role}' appears twice")));
                    }
                    let start = out.regex.len();
                    let (regex, pieces) = slot_regex(&slot, defs, stack).map_err(|m| err(at, m))?;
                    out.regex.push_str(&regex);
                    if anchor.is_none() {
                        out.pieces.extend(pieces.iter().map(|&(s, e)| (start + s, start + e)));
                    }
                    out.segments.push((start, out.regex.len(), at, false));
                    out.slots.push(slot);
                } else {
                    let name = inner;
                    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        return Err(err(at, format!("'{{{name}}}' is neither a macro, a lexicon, a slot nor a repetition")));
                    }
                    if let Some(lex) = defs.lexicons.get(name) {
                        let start = out.regex.len();
                        out.regex.push_str(lex);
                        if anchor.is_none() {
                            out.pieces.push((start, out.regex.len()));
                        }
                        out.segments.push((start, out.regex.len(), at, false));
                    } else if let Some(body) = defs.macros.get(name) {
                        if stack.iter().any(|s| s == name) {
                            return Err(err(
                                at,
                                format!(
                                    "macro '{name}' refers to itself ({} → {name})",
                                    stack.join(" → ")
                                ),
                            ));
                        }
                        stack.push(name.to_string());
                        let start = out.regex.len();
                        out.regex.push_str("(?:");
                        expand_into(body, defs, false, stack, out, Some(at))
                            .map_err(|e| err(at, format!("in macro '{name}': {}", e.message)))?;
                        out.regex.push(')');
                        if anchor.is_none() {
                            out.pieces.push((start, out.regex.len()));
                        }
                        stack.pop();
                    } else {
                        return Err(err(at, format!("unknown macro or lexicon '{{{name}}}'")));
                    }
                }
                i = close + 1;
                verbatim_start = i;
            }
            _ => i += 1,
        }
    }
    flush(out, verbatim_start, bytes.len());
    Ok(())
}

fn parse_slot(role: &str, types: &str, defs: &Definitions<'_>) -> Result<Slot, String> {
    let role = SlotRole::parse(role.trim()).ok_or_else(|| {
        format!("unknown slot role '{role}' (expected subject, object, parties, amount or date)")
    })?;
    let (types, list) = match types.trim().strip_suffix('+') {
        Some(t) => (t, true),
        None => (types.trim(), false),
    };
    let types: Vec<String> = types.split('|').map(|t| t.trim().to_string()).collect();
    check_types(&types, defs)?;
    if role == SlotRole::Amount && (types != ["Money"] || list) {
        return Err("the amount slot takes exactly the type Money".into());
    }
    if role == SlotRole::Date && (types != ["Date"] || list) {
        return Err("the date slot takes exactly the type Date".into());
    }
    if role == SlotRole::Parties && !list {
        return Err("the parties slot is a list: write {parties:Type+}".into());
    }
    let codes = types.iter().map(|t| defs.codes.code(t)).collect();
    Ok(Slot { role, types, codes, list })
}

fn check_types(types: &[String], defs: &Definitions<'_>) -> Result<(), String> {
    for t in types {
        if !defs.entity_types.contains(t) && !PSEUDO_TYPES.contains(&t.as_str()) {
            return Err(format!(
                "unknown slot type '{t}' (declared: {}; built in: {})",
                defs.entity_types.join(", "),
                PSEUDO_TYPES.join(", ")
            ));
        }
    }
    Ok(())
}

fn slot_regex(
    slot: &Slot,
    defs: &Definitions<'_>,
    stack: &mut Vec<String>,
) -> Result<(String, Vec<(usize, usize)>), String> {
    let group = slot.role.group();
    if defs.relaxed_slots {
        let word = r#"[\p{L}\p{N}][^\s,.;:!?"⟨⟩]*"#;
        return Ok((format!("(?P<{group}>⟨[^⟩]+⟩|{word}(?: {word}){{0,3}}?)"), Vec::new()));
    }
    if !slot.list {
        let one = defs.codes.placeholder_regex(&slot.types, Some(group));
        return Ok((format!("(?:{one})"), Vec::new()));
    }
    let one = defs.codes.placeholder_regex(&slot.types, None);
    let macro_regex =
        |name: &str, default: &str, stack: &mut Vec<String>| -> Result<String, String> {
            let own =
                defs.lang.and_then(|lang| defs.macros.get_key_value(&format!("{name}_{lang}")));
            match own.or_else(|| defs.macros.get_key_value(name)) {
                Some((name, body)) => {
                    let mut tmp = Expanded::default();
                    stack.push(name.to_string());
                    expand_into(body, defs, false, stack, &mut tmp, Some(0))
                        .map_err(|e| format!("in macro '{name}': {}", e.message))?;
                    stack.pop();
                    Ok(tmp.regex)
                }
                None => Ok(default.to_string()),
            }
        };
    let sep = macro_regex("list_separator", ", | et | and | & |, et |, and ", stack)?;
    let prefix = macro_regex("list_item_prefix", "", stack)?;
    // What may follow an item in parentheses ("Kalix (KLX), Norvik (NVK) et Orvane"); the
    // mentions it holds are no items (`extract`).
    let suffix = macro_regex("list_item_suffix", "", stack)?;
    // The separator before the last item may be narrower ("A, B et C", not "A, B").
    let last = macro_regex("list_last_separator", &sep, stack)?;
    // Or the list may end open, without a last item ("A, B and others").
    let end = macro_regex("list_open_end", "", stack)?;
    // (?P<group>ONE(?:(?:(?:SEP)(?:PREFIX)?ONE)*CLOSE)?), ONE the placeholder and its suffix,
    // CLOSE the last item or the open end; each macro one group, a piece
    let mut out = Pieced::default();
    let one = |out: &mut Pieced| {
        out.text.push_str(&one);
        if !suffix.is_empty() {
            out.piece(&suffix);
            out.text.push('?');
        }
    };
    out.text.push_str(&format!("(?P<{group}>"));
    one(&mut out);
    out.text.push_str("(?:(?:");
    out.piece(&sep);
    out.piece(&prefix);
    out.text.push('?');
    one(&mut out);
    out.text.push_str(")*");
    if !end.is_empty() {
        out.text.push_str("(?:");
    }
    out.piece(&last);
    out.piece(&prefix);
    out.text.push('?');
    one(&mut out);
    if !end.is_empty() {
        out.text.push('|');
        out.piece(&end);
        out.text.push(')');
    }
    out.text.push_str(")?)");
    Ok((out.text, out.pieces))
}

/// A regex being written, with the ranges of the macros in it ([`Expanded::pieces`]).
#[derive(Default)]
struct Pieced {
    text: String,
    pieces: Vec<(usize, usize)>,
}

impl Pieced {
    /// Writes `body` as one group, a piece.
    fn piece(&mut self, body: &str) {
        let start = self.text.len();
        self.text.push_str("(?:");
        self.text.push_str(body);
        self.text.push(')');
        self.pieces.push((start, self.text.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs<'a>(
        macros: &'a BTreeMap<String, String>,
        lexicons: &'a BTreeMap<String, String>,
        types: &'a [String],
        codes: &'a TypeCodes,
    ) -> Definitions<'a> {
        Definitions {
            macros,
            lexicons,
            entity_types: types,
            codes,
            relaxed_slots: false,
            lang: None,
        }
    }

    /// A sentence as masking writes it: `{Type}` stands for a placeholder of that type.
    fn masked(codes: &TypeCodes, sentence: &str) -> String {
        let mut out = String::new();
        let mut rest = sentence;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').expect("a closing brace");
            out.push_str(&rest[..open]);
            out.extend([PLACEHOLDER_OPEN, codes.code(&rest[open + 1..close]), PLACEHOLDER_CLOSE]);
            rest = &rest[close + 1..];
        }
        out + rest
    }

    #[test]
    fn a_literal_with_a_part_of_a_placeholder_is_told() {
        let codes = TypeCodes::new(&["Organization".to_string()]);
        let code = codes.code("Organization").to_string();
        let cut = |s: &str, n: usize| s.as_bytes()[..s.len() - n].to_vec();
        for literal in [
            "⟨".as_bytes().to_vec(),
            " ⟩ et".as_bytes().to_vec(),
            code.as_bytes().to_vec(),
            format!("a ⟨{code}").into_bytes(),
            cut(&format!("ab{code}"), 1),
            cut("ab⟨", 1),
            cut("ab⟩", 2),
        ] {
            assert!(codes.in_literal(&literal), "{literal:?}");
        }
        for literal in ["instal", " a ", "€ 5", "société"] {
            assert!(!codes.in_literal(literal.as_bytes()), "{literal}");
        }
        assert!(!codes.in_literal(&cut("5 €", 1)), "a cut euro sign is not a bracket");
    }

    #[test]
    fn each_type_has_its_own_code() {
        let types = vec!["Organization".to_string(), "Person".to_string()];
        let codes = TypeCodes::new(&types);
        let all = ["Organization", "Person", "Name", "Demonym", "Money", "Date", "Unknown"];
        let chars: std::collections::BTreeSet<char> = all.iter().map(|t| codes.code(t)).collect();
        assert_eq!(chars.len(), all.len());
        assert!(chars.iter().all(|c| ('\u{E000}'..='\u{F8FF}').contains(c)));
        // a type neither declared nor built in shares the one code no slot accepts
        assert_eq!(codes.code("Unknown"), codes.code("Other"));
        // a placeholder is three characters whatever its type
        assert_eq!(masked(&codes, "{Organization} et {Date}").chars().count(), 10);
    }

    #[test]
    fn slots_macros_and_lexicons_expand() {
        let macros = BTreeMap::from([("gap".to_string(), "(?:[\\w']+ ){0,3}".to_string())]);
        let lexicons = BTreeMap::from([(
            "verb".to_string(),
            lexicon_regex(&["coopère".into(), "s’associe".into()]),
        )]);
        let types = vec!["Organization".to_string(), "Place".to_string()];
        let codes = TypeCodes::new(&types);
        let e = expand(
            "{subject:Organization|Name} {gap}{verb} avec {object:Organization}",
            &defs(&macros, &lexicons, &types, &codes),
            true,
        )
        .unwrap();
        let re = regex::Regex::new(&e.regex).unwrap();
        let ph = |sentence: &str| masked(&codes, sentence);
        let text = ph("{Name} d'ores et déjà coopère avec {Organization}");
        let caps = re.captures(&text).unwrap();
        // a slot captures its placeholder, whose position tells the mention
        assert_eq!((&caps["subject"], caps.name("subject").unwrap().start()), (&*ph("{Name}"), 0));
        let object = text.rfind('⟨').unwrap();
        assert_eq!(
            (&caps["object"], caps.name("object").unwrap().start()),
            (&*ph("{Organization}"), object)
        );
        assert!(re.captures(&ph("{Name} s'associe avec {Place}")).is_none());
        assert!(re.is_match(&ph("{Name} s'associe avec {Organization}")));
        assert_eq!(e.slots.len(), 2);
        assert_eq!(e.slots[0].codes, [codes.code("Organization"), codes.code("Name")]);
    }

    /// `{parties:Organization+} lancent` expanded with `macros`, and its `parties` group in `text`
    /// with where it starts (placeholders look alike: the start tells which ones the group took).
    /// `text` is written with `{Type}` for placeholders, and so is the group returned.
    fn parties_of(macros: &[(&str, &str)], text: &str) -> Option<(usize, String)> {
        parties_in(macros, None, text)
    }

    /// [`parties_of`], in a rule of the language `lang`.
    fn parties_in(
        macros: &[(&str, &str)],
        lang: Option<&str>,
        text: &str,
    ) -> Option<(usize, String)> {
        let macros: BTreeMap<String, String> =
            macros.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let types = vec!["Organization".to_string()];
        let codes = TypeCodes::new(&types);
        let lexicons = BTreeMap::new();
        let defs = Definitions { lang, ..defs(&macros, &lexicons, &types, &codes) };
        let e = expand("{parties:Organization+} lancent", &defs, true).unwrap();
        let re = regex::Regex::new(&e.regex).unwrap();
        let text = masked(&codes, text);
        let group = re.captures(&text).map(|c| c.name("parties").unwrap())?;
        let written = group.as_str().replace(&masked(&codes, "{Organization}"), "{Organization}");
        Some((group.start(), written))
    }

    #[test]
    fn a_list_slot_is_written_as_one_formula_and_its_macros_are_its_pieces() {
        let types = vec!["Organization".to_string()];
        let codes = TypeCodes::new(&types);
        let lexicons = BTreeMap::from([("lex".to_string(), "(?:a|b)".to_string())]);
        let with = |extra: &[(&str, &str)]| {
            let mut macros = BTreeMap::from([
                ("list_separator".to_string(), ", | et ".to_string()),
                ("list_item_prefix".to_string(), "la |{lex} ".to_string()),
            ]);
            macros.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            macros
        };
        for extra in [
            &[][..],
            &[("list_item_suffix", r" \([A-Z]+\)")][..],
            &[("list_last_separator", " et "), ("list_open_end", ",? et d'autres")][..],
        ] {
            let macros = with(extra);
            let defs = defs(&macros, &lexicons, &types, &codes);
            let e = expand("x {lex} {parties:Organization+} y", &defs, true).unwrap();
            // the formula, written out
            let get = |name: &str, default: &str| {
                let body = macros.get(name).map_or(default, String::as_str);
                body.replace("{lex}", "(?:a|b)")
            };
            let (sep, prefix) = (get("list_separator", ""), get("list_item_prefix", ""));
            let (suffix, end) = (get("list_item_suffix", ""), get("list_open_end", ""));
            let last = get("list_last_separator", &sep);
            let one = codes.placeholder_regex(&types, None);
            let one = if suffix.is_empty() { one } else { format!("{one}(?:{suffix})?") };
            let close = if end.is_empty() {
                format!("(?:{last})(?:{prefix})?{one}")
            } else {
                format!("(?:(?:{last})(?:{prefix})?{one}|(?:{end}))")
            };
            let list = format!("(?P<parties>{one}(?:(?:(?:{sep})(?:{prefix})?{one})*{close})?)");
            assert_eq!(e.regex, format!("x (?:a|b) {list} y"));
            // the lexicon, then each macro of the list as one group, in order
            let pieces: Vec<&str> = e.pieces.iter().map(|&(s, t)| &e.regex[s..t]).collect();
            let group = |body: &str| format!("(?:{body})");
            let after_one: Vec<String> =
                (!suffix.is_empty()).then(|| group(&suffix)).into_iter().collect();
            let mut expected = vec!["(?:a|b)".to_string()];
            expected.extend(after_one.clone());
            expected.extend([group(&sep), group(&prefix)]);
            expected.extend(after_one.clone());
            expected.extend([group(&last), group(&prefix)]);
            expected.extend(after_one);
            expected.extend((!end.is_empty()).then(|| group(&end)));
            assert_eq!(pieces, expected, "{extra:?}");
        }
    }

    #[test]
    fn list_slots_match_coordinations() {
        let text = "{Organization}, {Organization} et {Organization} lancent";
        assert_eq!(
            parties_of(&[], text),
            Some((0, "{Organization}, {Organization} et {Organization}".to_string()))
        );
    }

    #[test]
    fn a_list_may_need_a_conjunction_before_its_last_item() {
        let macros = [("list_separator", ", | et "), ("list_last_separator", " et ")];
        let text = "{Organization}, {Organization} et {Organization} lancent";
        assert_eq!(
            parties_of(&macros, text),
            Some((0, "{Organization}, {Organization} et {Organization}".to_string()))
        );
        // without a conjunction the list is the last placeholder alone, not the first: it starts
        // after the first placeholder (three characters of three bytes) and ", "
        let text = "{Organization}, {Organization} lancent";
        assert_eq!(parties_of(&macros, text), Some((11, "{Organization}".to_string())));
    }

    #[test]
    fn a_list_may_end_open() {
        let macros = [
            ("list_separator", ", | et "),
            ("list_last_separator", " et "),
            ("list_open_end", ",? et d'autres"),
        ];
        let text = "{Organization}, {Organization} et d'autres lancent";
        assert_eq!(parties_of(&macros, text), Some((0, text.replace(" lancent", ""))));
        // without the macro the list is the last placeholder alone, and "et d'autres" stands
        // between it and its verb
        assert_eq!(parties_of(&macros[..2], text), None);
    }

    #[test]
    fn a_list_item_may_carry_its_parenthesis() {
        let macros = [("list_item_suffix", r" \((?:{:Organization}|[A-Z]{2,6})\)")];
        let text =
            "{Organization} ({Organization}), {Organization} (KLX) et {Organization} (AB) lancent";
        assert_eq!(parties_of(&macros, text), Some((0, text.replace(" lancent", ""))));
        // without the macro the parenthesis stands between the list and its verb
        assert_eq!(parties_of(&[], text), None);
    }

    #[test]
    fn a_list_takes_the_macros_of_its_rule_language_first() {
        let macros = [("list_item_prefix", "the "), ("list_item_prefix_fr", "la ")];
        let fr = "{Organization} et la {Organization} lancent";
        let en = "{Organization} et the {Organization} lancent";
        // the whole coordination, or only its last item when the prefix is not read
        let list = |lang, text: &str| {
            parties_in(&macros, lang, text) == Some((0, text.replace(" lancent", "")))
        };
        assert!(list(Some("fr"), fr));
        assert!(!list(Some("fr"), en));
        assert!(list(Some("en"), en), "without list_item_prefix_en");
        assert!(list(None, en));
        assert!(!list(None, fr));
    }

    #[test]
    fn errors_point_into_the_written_pattern() {
        let macros = BTreeMap::new();
        let lexicons = BTreeMap::new();
        let types = vec!["Organization".to_string()];
        let codes = TypeCodes::new(&types);
        let d = defs(&macros, &lexicons, &types, &codes);
        let e = expand("a {subject:Company} b", &d, true).unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("unknown slot type 'Company'"), "{}", e.message);
        let e = expand("ab {nope}", &d, true).unwrap_err();
        assert_eq!(e.offset, 3);
        assert!(expand("x{2,3} [{]", &d, false).is_ok());
        assert_eq!(expand(r"\p{Lu}\P{L}\x{41}", &d, false).unwrap().regex, r"\p{Lu}\P{L}\x{41}");
        let ctx = expand("{:Organization|Demonym} x", &d, false).unwrap();
        let re = regex::Regex::new(&ctx.regex).unwrap();
        assert!(re.is_match(&masked(&codes, "{Demonym} x")));
        assert!(!re.is_match(&masked(&codes, "{Place} x")));
        assert!(ctx.slots.is_empty());
        let e = expand("{subject:Organization}", &d, false).unwrap_err();
        assert!(e.message.contains("only allowed in relation rules"));
    }

    #[test]
    fn recursive_macros_are_rejected() {
        let macros = BTreeMap::from([
            ("a".to_string(), "x{b}".to_string()),
            ("b".to_string(), "y{a}".to_string()),
        ]);
        let lexicons = BTreeMap::new();
        let types = vec![];
        let codes = TypeCodes::new(&types);
        let e = expand("{a}", &defs(&macros, &lexicons, &types, &codes), false).unwrap_err();
        assert!(e.message.contains("refers to itself"), "{}", e.message);
    }

    #[test]
    fn verbatim_offsets_map_back() {
        let macros = BTreeMap::from([("m".to_string(), "abc".to_string())]);
        let lexicons = BTreeMap::new();
        let types = vec![];
        let codes = TypeCodes::new(&types);
        let e = expand("xy{m}(z", &defs(&macros, &lexicons, &types, &codes), false).unwrap();
        let paren = e.regex.rfind('(').unwrap();
        assert_eq!(e.original_offset(paren), 5);
        assert_eq!(e.original_offset(e.regex.find("abc").unwrap()), 2);
    }
}
