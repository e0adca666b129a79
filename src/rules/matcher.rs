//! A compiled pattern: its regex source, checked at load, and the automata that run it, built on
//! first use.
//!
//! A pack's regexes are large (lexicons and bounded repetitions expand to tens of thousands of
//! NFA states), and a run over French text never uses the English ones: building all of them at
//! load took most of the load time and of the memory (1.8 s and 190 MB for the bundled pack). So
//! the syntax and the groups are checked when the pack loads, which is where errors are reported
//! with their position, and the automata are built the first time a pattern runs (or just
//! before, when extraction sees that a batch will run it: [`Matcher::build_unless_claimed`], so
//! that threads share the building). A pattern that loaded always builds (no size limit applies
//! then); `rules check` and `rules test` build every pattern at load (`LoadOptions::build_all`),
//! under the size limit, so that a pattern too large is reported there.
//!
//! The automata are `regex-automata`'s meta regex with its default configuration, which is what
//! the `regex` crate runs: same syntax, same leftmost-first matches, same groups. A relation rule
//! read over bytes has automata that read forward only instead ([`Matcher::read_forward`],
//! `super::forward`), with the same matches and groups and a fraction of the memory. Automata are
//! built from the pattern with its classes cut down to its alphabet, and read haystacks whose other
//! characters are replaced by their stand-ins (`super::alphabet`): the matches and their offsets
//! are the same, the automata less than half as large. In a pack whose characters fit one
//! alphabet of bytes, they are built over that alphabet instead (`super::bytes`,
//! [`Matcher::read_bytes`]) and read a haystack's bytes, mapped once by the caller
//! (`Haystack::with_bytes`) or by the matcher; offsets are turned back into the text's.

use std::borrow::Cow;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::{Arc, OnceLock};

use regex_automata::meta;
use regex_automata::util::captures::GroupInfo;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::{Input, PatternID};
use regex_syntax::hir::{Hir, HirKind};

use super::alphabet::{first_maybe_mapped, Alphabet};
use super::bytes::{sets_of, ByteAlphabet, ByteRow, ByteText, ByteView, CharSets};
use super::forward::{self, Forward};
use super::prefilter::Required;
use super::splice::{PatternPieces, Pieces};
use super::Claim;

/// Largest compiled NFA a pattern may have when `rules check` builds it (64 MiB).
const SIZE_LIMIT: usize = 64 << 20;

/// Most memory one thread's lazy DFA may take for one pattern before it starts over: the engine's
/// default, 2 MiB. With 8 MiB the largest relation rules cleared their states less often, which
/// was worth 5 % before patterns were cut down to their alphabet and run over batches of
/// documents; since then 2, 4 and 8 MiB measure the same, and 2 MiB bounds the memory of a long
/// run over varied text four times lower (BENCHMARKS.md).
const LAZY_DFA_CAPACITY: usize = 2 << 20;

/// What a caller reads from a pattern's syntax tree (a relation rule's slot layout), read when
/// the pattern's automata are built, from the tree they are built from, instead of at load: a
/// run builds a few of the pack's patterns. When something else built them, it is read from the
/// tree made again the first time it is asked for.
#[derive(Debug, Clone)]
pub struct ReadAtBuild<T>(OnceLock<T>);

impl<T> ReadAtBuild<T> {
    /// What was read already, if anything (from the tree parsed at load, when the automata were
    /// built then too).
    pub fn read(read: Option<T>) -> ReadAtBuild<T> {
        ReadAtBuild(read.map_or_else(OnceLock::new, OnceLock::from))
    }

    /// What `read` gives of the tree of `regex` (the pattern it belongs to).
    pub fn get(&self, regex: &Matcher, read: impl FnOnce(&Hir) -> T) -> &T {
        self.0.get_or_init(|| regex.with_tree(read).expect("a pattern that loaded parses again"))
    }

    /// Builds the automata of `regex` (the pattern it belongs to) unless they are built or
    /// claimed ([`Matcher::build_unless_claimed`]), and reads `read` from the same tree.
    pub fn build(&self, regex: &Matcher, read: impl FnOnce(&Hir) -> T) {
        regex.build_unless_claimed_then(|hir| {
            let _ = self.0.set(read(hir));
        });
    }
}

/// A pattern's regex, built on first use.
#[derive(Debug, Clone)]
pub struct Matcher {
    source: Source,
    /// Names of the capture groups, by group index (0 is the whole match and has none).
    names: Vec<Option<String>>,
    /// The pattern's sets of characters from U+0080 up, `None` when it cannot be read over bytes.
    sets: Option<CharSets>,
    /// The alphabet of bytes its automata read, given by its pack ([`Matcher::read_bytes`]).
    bytes: Option<Arc<ByteAlphabet>>,
    /// Whether its automata read forward only ([`Matcher::read_forward`]).
    forward: bool,
    automata: OnceLock<Automata>,
    /// Set by the thread that takes on building the automata ([`Matcher::build_unless_claimed`]).
    claim: Claim,
    /// What its pack's prefilter needs of it, read from the syntax tree parsed here, until the
    /// pack takes it ([`Matcher::take_required`]).
    required: Required,
}

/// A pattern's regex, as its text or, when it has pieces ([`Matcher::parse_pieces`]), as them and
/// the text between them, to parse it again through them when the automata are built.
#[derive(Debug, Clone)]
enum Source {
    Text(Box<str>),
    Pieces(PatternPieces),
}

/// A pattern's automata, and the characters they tell apart.
#[derive(Debug, Clone)]
struct Automata {
    regex: Engine,
    reads: Reads,
}

/// A pattern's automata: the meta regex, or automata that read forward only ([`Forward`]) for a
/// pattern read over bytes that [`Matcher::read_forward`] asked for.
#[derive(Debug, Clone)]
enum Engine {
    Meta(Box<MetaEngine>),
    Forward(Box<Forward>),
}

type MetaCacheFn = Box<dyn Fn() -> meta::Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// The meta regex, with a pool of its caches that a caller may hold for many searches
/// ([`Matcher::hold`]); searches that hold none take one from the regex's own pool.
struct MetaEngine {
    regex: meta::Regex,
    caches: Pool<meta::Cache, MetaCacheFn>,
}

impl MetaEngine {
    fn new(regex: meta::Regex) -> MetaEngine {
        let pattern = regex.clone();
        let caches = Pool::new(Box::new(move || pattern.create_cache()) as MetaCacheFn);
        MetaEngine { regex, caches }
    }
}

impl Clone for MetaEngine {
    fn clone(&self) -> MetaEngine {
        MetaEngine::new(self.regex.clone())
    }
}

impl std::fmt::Debug for MetaEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.regex.fmt(f)
    }
}

/// A pattern's search cache, taken from its pool for a pass over many haystacks and given back
/// when dropped ([`Matcher::hold`]): a search that holds one does not take one from the pool and
/// give it back, which costs a lock on every thread but the pool's first.
pub struct Held<'m> {
    cache: HeldCache<'m>,
    /// The automata whose cache it is.
    owner: &'m Engine,
}

enum HeldCache<'m> {
    Meta(PoolGuard<'m, meta::Cache, MetaCacheFn>),
    Forward(forward::HeldCache<'m>),
}

impl Engine {
    fn group_info(&self) -> &GroupInfo {
        match self {
            Engine::Meta(meta) => meta.regex.group_info(),
            Engine::Forward(forward) => forward.group_info(),
        }
    }

    fn hold(&self) -> Held<'_> {
        let cache = match self {
            Engine::Meta(meta) => HeldCache::Meta(meta.caches.get()),
            Engine::Forward(forward) => HeldCache::Forward(forward.hold()),
        };
        Held { cache, owner: self }
    }

    /// The leftmost-first match of `input` with as many slots as `slots` holds, with the cache
    /// `held` (of this engine's, [`Engine::hold`]) or one from the pattern's pool.
    fn search_slots(
        &self,
        held: Option<&mut Held<'_>>,
        input: &Input<'_>,
        slots: &mut [Option<NonMaxUsize>],
    ) -> Option<PatternID> {
        match (self, held.map(|h| &mut h.cache)) {
            (Engine::Meta(meta), Some(HeldCache::Meta(cache))) => {
                meta.regex.search_slots_with(cache, input, slots)
            }
            (Engine::Forward(forward), Some(HeldCache::Forward(cache))) => {
                forward.search_slots_with(cache, input, slots)
            }
            (Engine::Meta(meta), _) => meta.regex.search_slots(input, slots),
            (Engine::Forward(forward), _) => forward.search_slots(input, slots),
        }
    }
}

/// What a pattern's automata read.
#[derive(Debug, Clone)]
enum Reads {
    /// The text, all of Unicode.
    Text,
    /// The text with the characters outside the pattern's alphabet replaced by their stand-ins.
    Alphabet(Alphabet),
    /// One byte per character of the pack's alphabet of bytes.
    Bytes(Arc<ByteAlphabet>),
}

/// Why a pattern's regex does not parse: the parser's message, and the byte offset in the
/// pattern where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub message: String,
    pub offset: usize,
}

/// A text to match, with where its first character that a pattern's alphabet may replace
/// starts: found once for all the patterns that read the text, or not looked for when they read
/// bytes, which need no such scan (a pattern that keeps UTF-8 then looks for itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Haystack<'h> {
    text: &'h str,
    /// `None` when not looked for yet ([`Haystack::unscanned`]).
    maybe_mapped: Option<Option<usize>>,
    /// The text as one byte per character, and the alphabet it was mapped with.
    bytes: Option<(ByteView<'h>, &'h ByteAlphabet)>,
}

impl<'h> Haystack<'h> {
    pub fn new(text: &'h str) -> Self {
        Haystack { text, maybe_mapped: Some(first_maybe_mapped(text.as_bytes())), bytes: None }
    }

    /// A haystack whose scan was made before: `maybe_mapped` is what [`Haystack::new`] found.
    pub(crate) fn scanned(text: &'h str, maybe_mapped: Option<usize>) -> Self {
        debug_assert_eq!(maybe_mapped, first_maybe_mapped(text.as_bytes()));
        Haystack { text, maybe_mapped: Some(maybe_mapped), bytes: None }
    }

    /// A haystack not scanned for characters an alphabet may replace: a pattern that reads
    /// bytes needs no such scan, and one that does scans the text when it searches it.
    pub(crate) fn unscanned(text: &'h str) -> Self {
        Haystack { text, maybe_mapped: None, bytes: None }
    }

    /// The haystack with its text mapped by `alphabet` ([`ByteAlphabet::map_into`]), for the
    /// patterns that read that alphabet.
    pub(crate) fn with_bytes(self, view: ByteView<'h>, alphabet: &'h ByteAlphabet) -> Self {
        Haystack { bytes: Some((view, alphabet)), ..self }
    }

    /// Where the first character that a pattern's alphabet may replace starts.
    pub(crate) fn maybe_mapped(&self) -> Option<usize> {
        self.maybe_mapped.unwrap_or_else(|| first_maybe_mapped(self.text.as_bytes()))
    }

    pub fn as_str(&self) -> &'h str {
        self.text
    }
}

impl<'h> From<&'h str> for Haystack<'h> {
    fn from(text: &'h str) -> Self {
        Haystack::new(text)
    }
}

/// A match or a group of a match: a span of the haystack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span<'h> {
    haystack: &'h str,
    start: usize,
    end: usize,
}

impl<'h> Span<'h> {
    pub fn start(&self) -> usize {
        self.start
    }
    pub fn end(&self) -> usize {
        self.end
    }
    pub fn as_str(&self) -> &'h str {
        &self.haystack[self.start..self.end]
    }
}

/// Where a search writes the groups of a match: two slots per group, start and end.
type Slot = Option<NonMaxUsize>;

/// Buffers for [`Matcher::find`] and [`Matcher::captures`], kept by the caller and reused from
/// match to match and from pattern to pattern: the slots of a match's groups, which grow to the
/// most groups a pattern has, and the mapped copy of a haystack that needs stand-ins, which grows
/// to the longest such haystack. Then matching allocates nothing.
#[derive(Debug, Default)]
pub struct Slots {
    groups: Vec<Slot>,
    mapped: String,
    /// A haystack mapped to one byte per character, when the caller gave none.
    bytes: ByteText,
}

/// The groups of one match, read from its slots (`S`: borrowed from a [`Matches`] cursor, or
/// owned by an item of [`Matcher::captures_iter`]).
pub struct Groups<'h, 'n, S = Vec<Slot>> {
    haystack: &'h str,
    names: &'n [Option<String>],
    slots: S,
}

impl<'h, S: AsRef<[Slot]>> Groups<'h, '_, S> {
    /// Group `index` (0: the whole match), if it took part in the match. Only the whole match
    /// is searched by [`Matcher::find`].
    pub fn get(&self, index: usize) -> Option<Span<'h>> {
        let slots = self.slots.as_ref();
        debug_assert!(2 * index + 1 < slots.len() || index >= self.names.len(), "not searched");
        let (start, end) = (slots.get(2 * index)?.as_ref()?, slots.get(2 * index + 1)?.as_ref()?);
        Some(Span { haystack: self.haystack, start: start.get(), end: end.get() })
    }

    /// The group called `name`, if the pattern has one and it took part in the match.
    pub fn name(&self, name: &str) -> Option<Span<'h>> {
        let index = self.names.iter().position(|n| n.as_deref() == Some(name))?;
        self.get(index)
    }
}

/// The successive non-overlapping matches of a pattern (leftmost-first, as the `regex` crate
/// finds them), each found when [`Matches::next`] asks for it, its groups written to the
/// caller's [`Slots`]. A haystack with characters that need a stand-in is matched as a mapped
/// copy, made in the [`Slots`]; offsets are the same in both texts.
pub struct Matches<'m, 'h, 's> {
    regex: &'m Engine,
    /// The cache the caller holds for the pattern, if any ([`Matcher::hold`]).
    held: Option<&'s mut Held<'m>>,
    names: &'m [Option<String>],
    haystack: &'h str,
    /// What the automata read.
    read: Read<'h>,
    slots: &'s mut Slots,
    /// Where the next search starts; past the end when the matches are all found.
    at: usize,
    /// Where the last match ended: an empty match there is skipped, as the `regex` crate does.
    last_end: Option<usize>,
}

/// What the automata of a [`Matches`] read.
#[derive(Debug, Clone, Copy)]
enum Read<'h> {
    /// The haystack.
    Text,
    /// Its copy with stand-ins, in [`Slots::mapped`], at the same offsets.
    Mapped,
    /// Its bytes, one per character, that the caller gave with the haystack.
    Given(ByteView<'h>),
    /// Its bytes, one per character, mapped into [`Slots::bytes`].
    Own(ByteRow),
}

impl<'h> Matches<'_, 'h, '_> {
    /// The next match, with its groups (or only its span, from [`Matcher::find`]).
    #[allow(clippy::should_implement_trait)] // a lending iterator: the groups borrow the cursor
    pub fn next(&mut self) -> Option<Groups<'h, '_, &[Slot]>> {
        let Slots { groups: slots, mapped, bytes } = &mut *self.slots;
        let (text, view) = match self.read {
            Read::Text => (self.haystack.as_bytes(), None),
            Read::Mapped => (mapped.as_bytes(), None),
            Read::Given(view) => (view.bytes, Some(view)),
            Read::Own(row) => {
                let view = bytes.get(row);
                (view.bytes, Some(view))
            }
        };
        loop {
            if self.at > text.len() {
                return None;
            }
            let input = Input::new(text).span(self.at..text.len());
            if self.regex.search_slots(self.held.as_deref_mut(), &input, slots).is_none() {
                self.at = text.len() + 1;
                return None;
            }
            let (start, end) = match (slots[0], slots[1]) {
                (Some(s), Some(e)) => (s.get(), e.get()),
                _ => unreachable!("a match has its whole span"),
            };
            if start == end && self.last_end == Some(end) {
                // an empty match right after the previous match: search again one byte on
                self.at += 1;
                continue;
            }
            self.at = end;
            self.last_end = Some(end);
            if let Some(view) = view {
                for slot in slots.iter_mut().flatten() {
                    *slot = NonMaxUsize::new(view.offset(slot.get())).expect("an offset");
                }
            }
            let (haystack, names) = (self.haystack, self.names);
            return Some(Groups { haystack, names, slots });
        }
    }
}

impl Matcher {
    /// Checks `source` (syntax, Unicode classes, nesting) without building automata. The error is
    /// the regex parser's message.
    pub fn new(source: &str) -> Result<Matcher, String> {
        Matcher::parse(source).map_err(|e| e.message)
    }

    /// [`Matcher::new`], with where in `source` the error is.
    pub fn parse(source: &str) -> Result<Matcher, PatternError> {
        Matcher::parse_reading(source, |_| ()).map(|(matcher, ())| matcher)
    }

    /// [`Matcher::parse`], and what `read` makes of the pattern's syntax tree, which is parsed
    /// once for both.
    pub fn parse_reading<T>(
        source: &str,
        read: impl FnOnce(&Hir) -> T,
    ) -> Result<(Matcher, T), PatternError> {
        Matcher::parse_with(Source::Text(source.into()), None, read)
    }

    /// [`Matcher::parse_reading`] of a pattern whose `pieces` (byte ranges of `source`, as
    /// [`Expanded::pieces`](super::pattern::Expanded::pieces) gives them) are parsed once for
    /// all the patterns that share `parsed`: the same syntax tree, for less work.
    pub fn parse_pieces<T>(
        source: &str,
        (parsed, pieces): (&Arc<Pieces>, &[(usize, usize)]),
        read: impl FnOnce(&Hir) -> T,
    ) -> Result<(Matcher, T), PatternError> {
        let pieces = PatternPieces::new(parsed, source, pieces);
        let spliced = pieces.as_ref().and_then(PatternPieces::spliced);
        let source = pieces.map_or_else(|| Source::Text(source.into()), Source::Pieces);
        Matcher::parse_with(source, spliced, read)
    }

    /// A matcher of `source`, whose syntax tree is `spliced` when its pieces gave it.
    fn parse_with<T>(
        source: Source,
        spliced: Option<Hir>,
        read: impl FnOnce(&Hir) -> T,
    ) -> Result<(Matcher, T), PatternError> {
        let hir = match spliced {
            Some(hir) => hir,
            None => {
                regex_syntax::ParserBuilder::new().build().parse(&source.text()).map_err(|e| {
                    let (message, offset) = match &e {
                        regex_syntax::Error::Parse(e) => {
                            (e.kind().to_string(), e.span().start.offset)
                        }
                        regex_syntax::Error::Translate(e) => {
                            (e.kind().to_string(), e.span().start.offset)
                        }
                        _ => (last_line(&e.to_string()), 0),
                    };
                    PatternError { message, offset }
                })?
            }
        };
        let mut names = vec![None]; // group 0, the whole match
        group_names(&hir, &mut names);
        let sets = sets_of(&hir);
        let required = Required::of(&hir);
        let read = read(&hir);
        let matcher = Matcher {
            source,
            names,
            sets,
            bytes: None,
            forward: false,
            automata: OnceLock::new(),
            claim: Claim::default(),
            required,
        };
        Ok((matcher, read))
    }

    /// What a prefilter needs of the pattern ([`Prefilter::of`](super::prefilter::Prefilter::of)),
    /// taken out: a pack builds its prefilters once, and a second call gives nothing.
    pub fn take_required(&mut self) -> Required {
        std::mem::take(&mut self.required)
    }

    /// The pattern's sets of characters from U+0080 up, for its pack's [`ByteAlphabet`];
    /// `None` when it cannot be read over bytes.
    pub fn char_sets(&self) -> Option<&CharSets> {
        self.sets.as_ref()
    }

    /// Has the automata, when they are built, read one byte per character of `alphabet`, which
    /// must have been made with this pattern's [`Matcher::char_sets`]. Automata already built
    /// keep what they read. A pattern that cannot be read over bytes is left as it is.
    pub fn read_bytes(&mut self, alphabet: &Arc<ByteAlphabet>) {
        if self.sets.is_some() {
            self.bytes = Some(Arc::clone(alphabet));
        }
    }

    /// Has the automata, when they are built over bytes ([`Matcher::read_bytes`]), read forward
    /// only ([`Forward`]): no reverse automata, and the capture engines' scratch memory shared
    /// by the patterns of a thread. Finding where a match starts then costs an anchored try from
    /// each position before it where one of its prefix literals starts, which pays for patterns
    /// that find few matches in the text they read, such as relation rules (BENCHMARKS.md), not
    /// for the entity patterns that find every name.
    pub fn read_forward(&mut self) {
        self.forward = true;
    }

    /// Builds the automata now, under the size limit (for `rules check`): the error says what is
    /// too large.
    pub fn build_now(&self) -> Result<(), String> {
        if self.automata.get().is_some() {
            return Ok(());
        }
        let automata = self.build(Some(SIZE_LIMIT))?;
        let _ = self.automata.set(automata);
        Ok(())
    }

    /// Builds the automata now if they are not built yet, with no size limit (as on first use).
    pub fn build_if_needed(&self) {
        let _ = self.automata();
    }

    /// Builds the automata now unless they are built or another thread has taken them on: threads
    /// that are about to run the same patterns for the first time call this for each of them in
    /// turn, and so build them side by side, each taking the next one nobody has taken. (Built on
    /// first use, they were built one at a time: the threads ran the patterns in the same order,
    /// and each found the other building the one it needed and waited.)
    pub fn build_unless_claimed(&self) {
        self.build_unless_claimed_then(|_| {});
    }

    /// [`Matcher::build_unless_claimed`], handing the syntax tree the automata are built from to
    /// `then` before they are stored, when this call builds them: what a caller derives from the
    /// tree is then ready for whoever finds the automata built, without a second parse.
    pub fn build_unless_claimed_then(&self, then: impl FnOnce(&Hir)) {
        if self.automata.get().is_none() && self.claim.take() {
            self.automata
                .get_or_init(|| self.build_then(None, then).expect("a checked pattern builds"));
        }
    }

    /// What `read` gives of the pattern's syntax tree, made again as the automata are built from
    /// it (through the pieces while the pack keeps them, else by a parse of the whole text); the
    /// error is the parser's message.
    pub fn with_tree<T>(&self, read: impl FnOnce(&Hir) -> T) -> Result<T, String> {
        self.tree().map(|hir| read(&hir))
    }

    fn tree(&self) -> Result<Hir, String> {
        match self.source.spliced() {
            Some(hir) => Ok(hir),
            None => regex_syntax::parse(&self.source.text()).map_err(|e| last_line(&e.to_string())),
        }
    }

    /// Whether the automata are built.
    pub fn is_built(&self) -> bool {
        self.automata.get().is_some()
    }

    /// The syntax tree made of the skeleton and the pieces, when the pattern has pieces and the
    /// skeleton serves (never the whole pattern's parse).
    #[cfg(test)]
    pub(crate) fn spliced(&self) -> Option<Hir> {
        self.source.spliced()
    }

    /// The regex source.
    pub fn source(&self) -> Cow<'_, str> {
        self.source.text()
    }

    /// Whether the pattern has a group called `name`.
    pub fn has_group(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.as_deref() == Some(name))
    }

    /// Names of the pattern's named groups, in order.
    pub fn group_names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().flatten().map(String::as_str)
    }

    fn automata(&self) -> &Automata {
        // No size limit here: a pattern that parsed always builds, and the limit is checked by
        // `rules check`.
        self.automata.get_or_init(|| self.build(None).expect("a checked pattern builds"))
    }

    /// Builds the automata, with the classes cut down to the pattern's alphabet (worked out here,
    /// not at load, so that the patterns a run never uses cost nothing more); the error is the
    /// regex engine's message.
    fn build(&self, size_limit: Option<usize>) -> Result<Automata, String> {
        self.build_then(size_limit, |_| {})
    }

    /// [`Matcher::build`], handing the syntax tree to `then` first.
    fn build_then(
        &self,
        size_limit: Option<usize>,
        then: impl FnOnce(&Hir),
    ) -> Result<Automata, String> {
        let config =
            meta::Config::new().nfa_size_limit(size_limit).hybrid_cache_capacity(LAZY_DFA_CAPACITY);
        let mut builder = meta::Builder::new();
        builder.configure(config);
        let hir = self.tree()?;
        then(&hir);
        if let Some(bytes) = &self.bytes {
            // every position of a byte haystack is a character boundary
            let hir = bytes.translate(&hir);
            // a pattern the forward automata cannot run (a Unicode word boundary) runs as the meta
            // regex, which also says what is wrong with one that no engine builds
            let forward = self.forward.then(|| Forward::new(&hir, size_limit, LAZY_DFA_CAPACITY));
            let regex = match forward {
                Some(Ok(forward)) => Engine::Forward(Box::new(forward)),
                _ => {
                    builder.configure(meta::Config::new().utf8_empty(false));
                    let built = builder.build_from_hir(&hir);
                    Engine::Meta(Box::new(MetaEngine::new(
                        built.map_err(|e| last_line(&e.to_string()))?,
                    )))
                }
            };
            return Ok(Automata { regex, reads: Reads::Bytes(Arc::clone(bytes)) });
        }
        let alphabet = Alphabet::of(&hir);
        let built = match &alphabet {
            None => builder.build_from_hir(&hir),
            Some(alphabet) => builder.build_from_hir(&alphabet.restrict(&hir)),
        };
        let regex =
            Engine::Meta(Box::new(MetaEngine::new(built.map_err(|e| last_line(&e.to_string()))?)));
        let reads = alphabet.map_or(Reads::Text, Reads::Alphabet);
        Ok(Automata { regex, reads })
    }

    /// A cursor over the matches of `haystack`, with their spans only: no capture engine runs.
    pub fn find<'m, 'h, 's>(
        &'m self,
        haystack: impl Into<Haystack<'h>>,
        slots: &'s mut Slots,
    ) -> Matches<'m, 'h, 's> {
        self.matches(None, haystack.into(), slots, false)
    }

    /// A cursor over the matches of `haystack`, with all their groups.
    pub fn captures<'m, 'h, 's>(
        &'m self,
        haystack: impl Into<Haystack<'h>>,
        slots: &'s mut Slots,
    ) -> Matches<'m, 'h, 's> {
        self.matches(None, haystack.into(), slots, true)
    }

    /// A search cache of the pattern's (building its automata if they are not built), for a
    /// pass over many haystacks ([`Matcher::search_held`]); given back to the pattern when
    /// dropped.
    pub fn hold(&self) -> Held<'_> {
        self.automata().regex.hold()
    }

    /// [`Matcher::find`] (or, with `groups`, [`Matcher::captures`]) with a cache that `held`
    /// holds for this pattern.
    ///
    /// # Panics
    ///
    /// When `held` holds a cache of another pattern's.
    pub fn search_held<'m, 'h, 's>(
        &'m self,
        held: &'s mut Held<'m>,
        haystack: impl Into<Haystack<'h>>,
        slots: &'s mut Slots,
        groups: bool,
    ) -> Matches<'m, 'h, 's> {
        self.matches(Some(held), haystack.into(), slots, groups)
    }

    fn matches<'m, 'h, 's>(
        &'m self,
        held: Option<&'s mut Held<'m>>,
        haystack: Haystack<'h>,
        slots: &'s mut Slots,
        groups: bool,
    ) -> Matches<'m, 'h, 's> {
        let automata = self.automata();
        if let Some(held) = &held {
            assert!(std::ptr::eq(held.owner, &automata.regex), "a cache of another pattern's");
        }
        let info = automata.regex.group_info();
        slots.groups.clear();
        slots.groups.resize(if groups { info.slot_len() } else { info.implicit_slot_len() }, None);
        let read = match &automata.reads {
            Reads::Bytes(alphabet) => match haystack.bytes {
                Some((view, mapped_with)) if std::ptr::eq(mapped_with, &**alphabet) => {
                    Read::Given(view)
                }
                _ if haystack.text.is_ascii() => Read::Text,
                _ => {
                    slots.bytes.clear();
                    Read::Own(alphabet.map_into(haystack.text, &mut slots.bytes))
                }
            },
            Reads::Alphabet(alphabet) => match haystack.maybe_mapped() {
                Some(from) if alphabet.map_into(haystack.text, from, &mut slots.mapped) => {
                    Read::Mapped
                }
                _ => Read::Text,
            },
            Reads::Text => Read::Text,
        };
        Matches {
            regex: &automata.regex,
            held,
            names: &self.names,
            haystack: haystack.text,
            read,
            slots,
            at: 0,
            last_end: None,
        }
    }

    /// Successive non-overlapping matches, leftmost-first: [`Matcher::find`] collected, for
    /// callers off the hot path.
    pub fn find_iter<'h>(&self, haystack: impl Into<Haystack<'h>>) -> std::vec::IntoIter<Span<'h>> {
        let mut slots = Slots::default();
        let mut matches = self.find(haystack, &mut slots);
        let mut all = Vec::new();
        while let Some(m) = matches.next() {
            all.push(m.get(0).expect("group 0"));
        }
        all.into_iter()
    }

    /// Successive non-overlapping matches with their groups: [`Matcher::captures`] collected,
    /// for callers off the hot path.
    pub fn captures_iter<'h>(
        &self,
        haystack: impl Into<Haystack<'h>>,
    ) -> std::vec::IntoIter<Groups<'h, '_>> {
        let mut slots = Slots::default();
        let mut matches = self.captures(haystack, &mut slots);
        let mut all = Vec::new();
        while let Some(m) = matches.next() {
            all.push(Groups { haystack: m.haystack, names: &self.names, slots: m.slots.to_vec() });
        }
        all.into_iter()
    }
}

impl Source {
    /// The syntax tree made of the pieces ([`PatternPieces::spliced`]), when there are pieces.
    fn spliced(&self) -> Option<Hir> {
        match self {
            Source::Pieces(pieces) => pieces.spliced(),
            Source::Text(_) => None,
        }
    }

    fn text(&self) -> Cow<'_, str> {
        match self {
            Source::Text(text) => Cow::Borrowed(text),
            Source::Pieces(pieces) => Cow::Owned(pieces.text()),
        }
    }
}

fn last_line(message: &str) -> String {
    message.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(message).trim().to_string()
}

/// Group names by index, as the regex engine numbers groups (group 0, the whole match, is
/// already in `names`).
fn group_names(hir: &Hir, names: &mut Vec<Option<String>>) {
    match hir.kind() {
        HirKind::Capture(c) => {
            let index = c.index as usize;
            if names.len() <= index {
                names.resize(index + 1, None);
            }
            names[index] = c.name.as_deref().map(String::from);
            group_names(&c.sub, names);
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            for sub in subs {
                group_names(sub, names);
            }
        }
        HirKind::Repetition(r) => group_names(&r.sub, names),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_found_by_name_and_index_as_in_the_regex_crate() {
        let pattern = r"(?P<subject>\w+) (?:and|et) (x)?(?P<object>\w+)";
        let m = Matcher::new(pattern).unwrap();
        assert!(m.has_group("object") && !m.has_group("amount"));
        assert_eq!(m.group_names().collect::<Vec<_>>(), ["subject", "object"]);
        let reference = regex::Regex::new(pattern).unwrap();
        // The second text has letters that the automata read through stand-ins (Greek, Cyrillic,
        // Han): its matches are found on a mapped copy and must be the same.
        for text in ["Airbus et Thales, SAP and xAI", "Ωmega et Жuk, 中国 and xΣ, ок and 𝐀"]
        {
            assert_eq!(
                matches!(&m.automata().reads, Reads::Alphabet(a) if a.map(text) != text),
                text.starts_with('Ω')
            );
            // every group of every match, by index, and the group named `subject`
            let ours: Vec<Vec<Option<&str>>> = m
                .captures_iter(text)
                .map(|g| {
                    let mut row: Vec<_> = (0..4).map(|i| g.get(i).map(|s| s.as_str())).collect();
                    row.push(g.name("subject").map(|s| s.as_str()));
                    row
                })
                .collect();
            let theirs: Vec<Vec<Option<&str>>> = reference
                .captures_iter(text)
                .map(|c| {
                    let mut row: Vec<_> = (0..4).map(|i| c.get(i).map(|m| m.as_str())).collect();
                    row.push(c.name("subject").map(|m| m.as_str()));
                    row
                })
                .collect();
            assert_eq!(ours, theirs);
            assert!(ours.len() >= 2);
            let spans: Vec<_> = m.find_iter(text).map(|s| s.as_str()).collect();
            let whole: Vec<_> = reference.find_iter(text).map(|m| m.as_str()).collect();
            assert_eq!(spans, whole);
        }
    }

    #[test]
    fn empty_matches_are_found_as_in_the_regex_crate() {
        // an empty match right after a match is skipped, and none splits a character (é, 中)
        for pattern in [r"a*", r"(?P<x>a?)", r"x*|é", r"\b", r"(?:)"] {
            let m = Matcher::new(pattern).unwrap();
            let reference = regex::Regex::new(pattern).unwrap();
            for text in ["", "baaac", "éaé中a", "aa a"] {
                let ours: Vec<_> = m.find_iter(text).map(|s| (s.start(), s.end())).collect();
                let theirs: Vec<_> =
                    reference.find_iter(text).map(|m| (m.start(), m.end())).collect();
                assert_eq!(ours, theirs, "{pattern} on {text:?}");
                let mut slots = Slots::default();
                let mut matches = m.captures(text, &mut slots);
                let mut groups = Vec::new();
                while let Some(g) = matches.next() {
                    groups.push((0..2).map(|i| g.get(i).map(|s| s.as_str())).collect::<Vec<_>>());
                }
                let theirs: Vec<_> = reference
                    .captures_iter(text)
                    .map(|c| (0..2).map(|i| c.get(i).map(|m| m.as_str())).collect::<Vec<_>>())
                    .collect();
                assert_eq!(groups, theirs, "{pattern} on {text:?}");
            }
        }
    }

    /// The pattern, reading one byte per character of an alphabet made for it.
    fn over_bytes(pattern: &str) -> (Matcher, Arc<ByteAlphabet>) {
        let mut m = Matcher::new(pattern).unwrap();
        let alphabet = Arc::new(ByteAlphabet::new(m.char_sets()).unwrap());
        m.read_bytes(&alphabet);
        (m, alphabet)
    }

    /// Every group of every match, by index, when `m` reads `text` mapped by the caller (when
    /// `alphabet` is given) or by itself.
    fn groups_of(
        m: &Matcher,
        text: &str,
        alphabet: Option<&ByteAlphabet>,
    ) -> Vec<Vec<Option<(usize, usize)>>> {
        let mut out = ByteText::default();
        let haystack = match alphabet {
            Some(a) => {
                let row = a.map_into(text, &mut out);
                Haystack::new(text).with_bytes(out.get(row), a)
            }
            None => Haystack::new(text),
        };
        let mut slots = Slots::default();
        let mut matches = m.captures(haystack, &mut slots);
        let mut all = Vec::new();
        while let Some(g) = matches.next() {
            all.push((0..m.names.len()).map(|i| g.get(i).map(|s| (s.start(), s.end()))).collect());
        }
        all
    }

    /// Every match's groups, searched with a held cache ([`Matcher::search_held`]) or not.
    fn groups_held<'m>(
        m: &'m Matcher,
        held: Option<&mut Held<'m>>,
        text: &str,
    ) -> Vec<Vec<Option<usize>>> {
        let mut slots = Slots::default();
        let mut matches = match held {
            Some(held) => m.search_held(held, text, &mut slots, true),
            None => m.captures(text, &mut slots),
        };
        let mut all = Vec::new();
        while let Some(g) = matches.next() {
            all.push((0..m.names.len()).map(|i| g.get(i).map(|s| s.start())).collect());
        }
        all
    }

    #[test]
    fn a_held_cache_finds_what_the_pool_finds_and_serves_its_own_pattern_only() {
        let pattern = r"(?P<s>\p{Lu}\w+) (?:et|and) (?P<o>\p{Lu}\w+)";
        let texts = ["Airbus et Thales, SAP and Élan", "", "rien", "Xa et Yb et Zc and Wd"];
        let meta = Matcher::new(pattern).unwrap();
        let (mut forward, _) = over_bytes(pattern);
        forward.read_forward();
        for m in [&meta, &forward] {
            let mut held = m.hold();
            for text in texts {
                let expected = groups_held(m, None, text);
                assert_eq!(groups_held(m, Some(&mut held), text), expected, "{text:?}");
            }
            assert!(!groups_held(m, Some(&mut held), texts[0]).is_empty());
        }
        let other = Matcher::new(pattern).unwrap();
        let refused = std::panic::catch_unwind(|| {
            let mut held = other.hold();
            groups_held(&meta, Some(&mut held), texts[0])
        });
        assert!(refused.is_err(), "a cache of another pattern's is refused");
    }

    #[test]
    fn over_bytes_groups_and_empty_matches_are_those_of_the_regex_crate() {
        let texts = [
            "Airbus et Thales, SAP and xAI",
            "Ωmega et Жuk, 中国 and xΣ, ок and 𝐀",
            "⟨\u{E001}⟩ s'associe à ⟨\u{E002}⟩ — « Élan » et œuvre",
            "",
            "baaac",
            "éaé中a",
        ];
        let patterns = [
            r"(?P<subject>\w+) (?:and|et) (x)?(?P<object>\w+)",
            r"(?P<a>\p{Lu}\p{Ll}+) [^.;⟨⟩]{0,12}?(?P<b>\p{Lu}\w*)",
            r"⟨(?P<x>[\x{E000}-\x{F8FF}])⟩ (?:s'associe à|et) ⟨(?P<y>.)⟩",
            r"(?i)(?P<w>élan|œuvre|ОК)",
            r"a*",
            r"(?P<x>a?)",
            r"x*|é",
            r"(?:)",
        ];
        for pattern in patterns {
            let (m, alphabet) = over_bytes(pattern);
            assert!(matches!(m.automata().reads, Reads::Bytes(_)), "{pattern}");
            let reference = regex::Regex::new(pattern).unwrap();
            for text in texts {
                let theirs: Vec<Vec<Option<(usize, usize)>>> = reference
                    .captures_iter(text)
                    .map(|c| {
                        let group = |i| c.get(i).map(|g| (g.start(), g.end()));
                        (0..m.names.len()).map(group).collect()
                    })
                    .collect();
                assert_eq!(groups_of(&m, text, Some(&alphabet)), theirs, "{pattern} on {text:?}");
                assert_eq!(groups_of(&m, text, None), theirs, "{pattern} on {text:?}, mapped");
                let spans: Vec<_> = m.find_iter(text).map(|s| (s.start(), s.end())).collect();
                let whole: Vec<_> =
                    reference.find_iter(text).map(|m| (m.start(), m.end())).collect();
                assert_eq!(spans, whole, "{pattern} on {text:?}");
            }
        }
        // a haystack not scanned for stand-ins is scanned by a pattern that keeps UTF-8
        let utf8 = Matcher::new(r"(?P<x>\p{Lu}\w*)").unwrap();
        assert!(matches!(utf8.automata().reads, Reads::Alphabet(_)));
        let (bytes, _) = over_bytes(r"(?P<x>\p{Lu}\w*)");
        for text in texts {
            for m in [&utf8, &bytes] {
                let mut slots = Slots::default();
                let spans = |mut matches: Matches<'_, '_, '_>| {
                    let mut all = Vec::new();
                    while let Some(g) = matches.next() {
                        all.push(g.get(1).map(|s| (s.start(), s.end())));
                    }
                    all
                };
                let scanned = spans(m.captures(Haystack::new(text), &mut slots));
                let unscanned = spans(m.captures(Haystack::unscanned(text), &mut slots));
                assert_eq!(scanned, unscanned, "{} on {text:?}", m.source());
            }
        }
        // a haystack mapped with another alphabet is mapped again
        let (m, _) = over_bytes(r"(?P<x>\p{Lu})");
        let (_, other) = over_bytes(r"(?P<x>\p{Lu}|é)");
        assert_eq!(groups_of(&m, "aÉb", Some(&other)), vec![vec![Some((1, 3)), Some((1, 3))]]);
    }

    #[test]
    fn a_bad_pattern_is_refused_at_load_and_a_huge_one_by_build_now() {
        assert!(Matcher::new("(unclosed").is_err());
        // too large with its classes cut down, and with all of Unicode (a Unicode `\b` keeps it)
        for pattern in [r"(?:\p{L}{0,1000}){0,1000}", r"\b(?:\p{L}{0,100}){0,100}"] {
            let huge = Matcher::new(pattern).unwrap();
            let alphabet = Alphabet::of(&regex_syntax::parse(pattern).unwrap());
            assert_eq!(alphabet.is_some(), !pattern.starts_with(r"\b"));
            assert!(huge.build_now().is_err(), "{pattern}");
        }
        // the same as the first, small enough once cut down: all of Unicode would be too large
        assert!(Matcher::new(r"(?:\p{L}{0,100}){0,100}").unwrap().build_now().is_ok());
    }
}
