//! The hot path allocates nothing per sentence (issue #5, item 3): once its buffers have grown,
//! extracting a sentence that yields nothing costs no allocation, even when its words pass the
//! prefilters and patterns run and match in it. What a document yields (its mentions and
//! relations) and the document itself (its normalized text, its list of sentences) are allocated,
//! but a list grows by doubling, so allocations grow with the logarithm of the sentences, not
//! with them.
//!
//! Allocations are counted by a global allocator that wraps the system's, on the test's thread
//! only (this file holds one test, so no other test runs beside it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use kgsmith::extract::{extract_batch_with, Scratch};
use kgsmith::graph::DocumentInfo;
use kgsmith::input::Document;
use kgsmith::rules::{LoadOptions, RulePack};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made on this thread by `f`.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

fn document(text: String) -> Document {
    Document {
        info: DocumentInfo { id: "d".into(), title: None, url: None, date: None },
        text,
        source: PathBuf::from("d"),
        lang: Some("fr".to_string()),
    }
}

/// Sentences that yield nothing, though their words are the triggers of relation rules
/// (partenariat, investi, fondée, basée, dirige) and of entity patterns (société, centre,
/// université), and their first words are capitalized, so that the proper-name pattern matches
/// and its match is then dropped (a sentence-initial word the document never capitalizes
/// elsewhere). One has a character that patterns read through a stand-in (œ), so that they
/// match a mapped copy of it.
const SENTENCES: [&str; 4] = [
    "Depuis longtemps, les partenaires ont investi dans un partenariat avec la société.",
    "Ensuite la petite université fondée il y a trente ans est basée dans le centre.",
    "Pourtant personne ne dirige vraiment ce centre de recherche, malgré les vœux des équipes !",
    "Ainsi les investisseurs attendent une levée de fonds et un nouveau partenariat.",
];

fn text(sentences: usize) -> String {
    let mut text = String::new();
    for i in 0..sentences {
        text.push_str(SENTENCES[i % SENTENCES.len()]);
        text.push(if i % 8 == 7 { '\n' } else { ' ' });
    }
    text
}

#[test]
fn a_sentence_that_yields_nothing_allocates_nothing() {
    let rules = RulePack::load(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules"),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut scratch = Scratch::default();
    // the automata are built and the buffers grow on first use
    let warm = extract_batch_with(vec![document(text(1024))], &rules, &mut scratch);
    assert!(warm[0].mentions.is_empty() && warm[0].relations.is_empty(), "{:?}", warm[0].mentions);
    let run = |scratch: &mut Scratch, sentences: usize| {
        let doc = document(text(sentences));
        let mut out = Vec::new();
        let n = allocations(|| out = extract_batch_with(vec![doc], &rules, scratch));
        assert_eq!(out[0].sentences.len(), sentences);
        assert!(out[0].mentions.is_empty(), "{:?}", out[0].mentions);
        n
    };
    let (a, b) = (run(&mut scratch, 64), run(&mut scratch, 1024));
    // 960 more sentences: a few more doublings of the document's lists, nothing per sentence
    println!("allocations: {a} for 64 sentences, {b} for 1,024");
    assert!(b - a <= 16, "{a} allocations for 64 sentences, {b} for 1,024");
}
