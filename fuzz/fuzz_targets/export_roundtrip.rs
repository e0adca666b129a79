//! Arbitrary bytes → an arbitrary graph → every exporter → a parser for the format → the same
//! graph. The graph generator and the readers are the test suite's own (`tests/util/`), included
//! by path; `tests/export_roundtrip.rs` replays `fuzz/corpus/export_roundtrip/` with them.
#![no_main]

#[path = "../../tests/util/arbitrary_graph.rs"]
mod arbitrary_graph;
#[path = "../../tests/util/readback.rs"]
mod readback;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    readback::assert_round_trips(&arbitrary_graph::graph_from_bytes(data));
});
