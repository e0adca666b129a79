//! The documents of a graph, packed: per block of documents, their ids end to end in one text
//! and their titles, URLs and dates end to end in another; each document takes a byte for which
//! fields it has, a byte or two per field for its length, and 3 bytes for the marks that find
//! it: 5 bytes besides its text for a document with an id only.
//!
//! A graph keeps every input document (the exports describe each one), so on an archive of
//! millions of articles the documents are the part of memory that grows with the corpus. Titles
//! and URLs are most of their text: a build over 1 GB of real articles with a title, a URL and a
//! date each (713,977 documents, `-j 2`) peaked at 433,136 KiB with them in memory, against
//! 277,100 KiB for the same articles with ids only (BENCHMARKS.md). So the documents of a graph
//! being built ([`Documents::spilling`], what [`GraphBuilder`](crate::graph::build::GraphBuilder)
//! uses) write each full block, ids, titles, URLs and dates, to a temporary file, unnamed, which
//! the system deletes when the last handle is dropped or the process ends. Nothing of a spilled
//! block's text stays in memory: a document's fields are read back when an export asks for them
//! (one or two reads per document), its id alone when that is asked for, and every id, block by
//! block, by the passes that read them all: the check that no two documents share an id (which
//! keeps a 64-bit hash per document while it runs), sorting by id (which keeps the ids in one
//! string until the order is known; the graph sorts its documents when they are first listed,
//! once extraction is over and its automata are dropped) and naming. The build above peaks at
//! 279,752 KiB; with URLs as ids, 281,628 KiB instead of 371,560. When the file cannot be made or
//! written, the blocks stay in memory, as with [`Documents::default`]: nothing is lost, and the
//! outputs are the same either way.

use crate::graph::DocumentInfo;
use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::sync::{Arc, Mutex};

/// A document's infos, borrowed from [`Documents`] (or from the buffer a spilled document was
/// read into). Orders as the [`DocumentInfo`] it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocumentRef<'a> {
    pub id: &'a str,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    pub date: Option<&'a str>,
}

impl<'a> DocumentRef<'a> {
    pub fn of(info: &'a DocumentInfo) -> Self {
        DocumentRef {
            id: &info.id,
            title: info.title.as_deref(),
            url: info.url.as_deref(),
            date: info.date.as_deref(),
        }
    }

    pub fn to_info(self) -> DocumentInfo {
        DocumentInfo {
            id: self.id.into(),
            title: self.title.map(Into::into),
            url: self.url.map(Into::into),
            date: self.date.map(Into::into),
        }
    }

    fn fields(self) -> [Option<&'a str>; 4] {
        [Some(self.id), self.title, self.url, self.date]
    }
}

/// Documents in the order they were added, packed in blocks.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    blocks: Vec<Block>,
    len: usize,
    /// Whether full blocks send their ids, titles, URLs and dates to `file`.
    spilling: bool,
    /// The temporary file of the spilled blocks, made when the first block is spilled; kept when
    /// spilling stops after a failed write, for the blocks already there.
    file: Option<Arc<SpillFile>>,
    /// Why spilling stopped, if the file could not be made or written.
    spill_failure: Option<String>,
}

/// Up to [`Documents::BLOCK`] documents: their ids end to end in `ids`, their other fields in
/// `rest` (or both in the spill file, from `spilled` on).
#[derive(Debug, Clone, Default)]
struct Block {
    /// The position of the block's first document among all.
    first: usize,
    /// The ids end to end; empty once the block is spilled.
    ids: String,
    /// How long `ids` was when the block was spilled.
    ids_len: usize,
    /// Titles, URLs and dates end to end; empty once the block is spilled.
    rest: String,
    /// Where the block's ids start in the spill file, once they are there; its other fields
    /// follow them.
    spilled: Option<u64>,
    /// Per document, which of its four fields (id, title, URL, date) are present: bit `i` for
    /// field `i` (the id always is).
    present: Vec<u8>,
    /// The lengths in bytes of the present fields, document after document, each as an LEB128
    /// number (7 bits a byte, the last byte's high bit clear).
    lengths: Vec<u8>,
    /// For document `k * MARK` of the block, where its id starts in `ids`, its other fields in
    /// `rest` and its lengths in `lengths`: a document is found from the mark before it.
    marks: Vec<[u32; 3]>,
}

/// Where one document's fields are in its block.
struct Place<'b> {
    block: &'b Block,
    present: u8,
    /// The id's bounds in `ids`, and each other present field's in `rest`.
    bounds: [(usize, usize); 4],
}

/// The file that spilled blocks are written to and read from, at offsets, by any thread.
#[derive(Debug)]
struct SpillFile {
    file: File,
    /// Where the next block goes (the clones of a [`Documents`] share the file).
    end: Mutex<u64>,
}

impl SpillFile {
    fn new() -> io::Result<SpillFile> {
        Ok(SpillFile { file: tempfile::tempfile()?, end: Mutex::new(0) })
    }

    /// Writes `parts` end to end after the blocks already there; returns where they start.
    fn append(&self, parts: &[&[u8]]) -> io::Result<u64> {
        let mut end = self.end.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let at = *end;
        let mut cursor = at;
        for part in parts {
            write_all_at(&self.file, part, cursor)?;
            cursor += part.len() as u64;
        }
        *end = cursor;
        Ok(at)
    }

    /// Appends the `len` bytes at `at` to `buf`.
    fn read_append(&self, at: u64, len: usize, buf: &mut Vec<u8>) -> io::Result<()> {
        let start = buf.len();
        buf.resize(start + len, 0);
        read_exact_at(&self.file, &mut buf[start..], at)
    }
}

/// Bytes read from the spill file as text (they were written as text; anything else means the
/// file was damaged).
fn spilled_text(bytes: &[u8]) -> io::Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| {
        io::Error::new(io::ErrorKind::InvalidData, format!("documents' spill file: {e}"))
    })
}

#[cfg(unix)]
fn write_all_at(file: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut bytes: &[u8], mut at: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, bytes, at)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        (bytes, at) = (&bytes[n..], at + n as u64);
    }
    Ok(())
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut at: u64) -> io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, buf, at)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        (buf, at) = (&mut buf[n..], at + n as u64);
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn write_all_at(_: &File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(any(unix, windows)))]
fn read_exact_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

impl Documents {
    /// Most documents per block: a block's vectors are allocated at this size once, instead of
    /// doubling (a doubling vector holds the old and the new copy for a moment). 8 in tests, so
    /// that a few documents fill several blocks.
    const BLOCK: usize = if cfg!(test) { 8 } else { 1 << 12 };

    /// Most bytes of ids, and of other fields, per block, so that offsets fit in 32 bits (a block
    /// holds fewer documents when their fields are this long). 64 KiB in tests, to exercise the
    /// split.
    const TEXT: usize = if cfg!(test) { 1 << 16 } else { u32::MAX as usize };

    /// Documents per mark: finding a document reads the lengths of at most `MARK - 1` before it.
    const MARK: usize = 4;

    /// Documents whose full blocks send their ids, titles, URLs and dates to a temporary file
    /// (see the module's docs). The last block, and every block when the file cannot be
    /// written, stays in memory.
    pub fn spilling() -> Documents {
        Documents { spilling: true, ..Documents::default() }
    }

    /// Why the documents stopped spilling and stay in memory, if the spill file could not be
    /// made or written (the outputs are the same; only memory grows).
    pub fn spill_failure(&self) -> Option<&str> {
        self.spill_failure.as_deref()
    }

    /// How many bytes of ids, titles, URLs and dates are in the spill file (0 when nothing is).
    pub fn spilled_bytes(&self) -> u64 {
        self.file.as_ref().map_or(0, |f| *f.end.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Adds a document after the others.
    pub fn push(&mut self, document: DocumentRef<'_>) {
        let id = document.id.len();
        let rest: usize = document.fields()[1..].iter().flatten().map(|f| f.len()).sum();
        let fits = |b: &Block| {
            b.present.len() < Self::BLOCK
                && b.ids.len() + id <= Self::TEXT
                && b.rest.len() + rest <= Self::TEXT
        };
        if !self.blocks.last().is_some_and(fits) {
            self.close_last();
            assert!(
                id <= Self::TEXT && rest <= Self::TEXT,
                "a document's id, or its title, URL and date, exceed 4 GiB"
            );
            self.blocks.push(Block {
                first: self.len,
                present: Vec::with_capacity(Self::BLOCK),
                lengths: Vec::with_capacity(Self::BLOCK),
                marks: Vec::with_capacity(Self::BLOCK.div_ceil(Self::MARK)),
                ..Block::default()
            });
        }
        let block = self.blocks.last_mut().expect("a block with room was just ensured");
        if block.present.len() % Self::MARK == 0 {
            // within u32: the texts are checked above, and the lengths take at most 20 bytes a
            // document
            block.marks.push([
                block.ids.len() as u32,
                block.rest.len() as u32,
                block.lengths.len() as u32,
            ]);
        }
        let mut present = 0;
        for (i, field) in document.fields().into_iter().enumerate() {
            if let Some(f) = field {
                if i == 0 {
                    block.ids.push_str(f);
                } else {
                    block.rest.push_str(f);
                }
                present |= 1 << i;
                let mut len = f.len();
                while len >= 0x80 {
                    block.lengths.push((len & 0x7f) as u8 | 0x80);
                    len >>= 7;
                }
                block.lengths.push(len as u8);
            }
        }
        block.present.push(present);
        self.len += 1;
    }

    /// Trims the last block, which is full, and spills its ids, titles, URLs and dates when the
    /// documents are spilling.
    fn close_last(&mut self) {
        let Some(full) = self.blocks.last_mut() else { return };
        full.lengths.shrink_to_fit();
        if self.spilling {
            let file = match &self.file {
                Some(file) => Ok(Arc::clone(file)),
                None => SpillFile::new().map(Arc::new),
            };
            let text = [full.ids.as_bytes(), full.rest.as_bytes()];
            match file.and_then(|file| Ok((file.append(&text)?, file))) {
                Ok((at, file)) => {
                    full.spilled = Some(at);
                    full.ids_len = full.ids.len();
                    full.ids = String::new();
                    full.rest = String::new();
                    self.file = Some(file);
                }
                // kept in memory, as are the blocks after it
                Err(e) => {
                    self.spilling = false;
                    self.spill_failure = Some(e.to_string());
                }
            }
        }
        full.ids.shrink_to_fit();
        full.rest.shrink_to_fit();
    }

    /// The ids of `block` end to end: from memory, or read from the spill file into `buf`.
    fn block_ids<'b>(&self, block: &'b Block, buf: &'b mut Vec<u8>) -> io::Result<&'b str> {
        let Some(at) = block.spilled else { return Ok(&block.ids) };
        let file = self.file.as_ref().expect("a spilled block has a spill file");
        buf.clear();
        file.read_append(at, block.ids_len, buf)?;
        spilled_text(buf)
    }

    /// Calls `f` with each document's position and id, in the order they were added: one read
    /// of the spill file per spilled block, whose ids are not kept.
    fn for_each_id(&self, mut f: impl FnMut(usize, &str)) -> io::Result<()> {
        let mut buf = Vec::new();
        for block in &self.blocks {
            let ids = self.block_ids(block, &mut buf)?;
            let (mut start, mut at) = (0, 0);
            for (k, &present) in block.present.iter().enumerate() {
                for bit in 0..4 {
                    if present & (1 << bit) != 0 {
                        let len = leb128(&block.lengths, &mut at);
                        if bit == 0 {
                            f(block.first + k, &ids[start..start + len]);
                            start += len;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// An id that two documents have, if there is one. Reads every id once, from memory or from
    /// the spill file, without keeping those of spilled blocks: 12 bytes per document while it
    /// runs.
    pub fn duplicate_id(&self) -> io::Result<Option<String>> {
        use std::hash::{Hash, Hasher};
        let mut hashes: Vec<(u64, u32)> = Vec::with_capacity(self.len);
        self.for_each_id(|i, id| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            id.hash(&mut h);
            hashes.push((h.finish(), i as u32));
        })?;
        hashes.sort_unstable();
        for pair in hashes.windows(2) {
            let ((a_hash, a), (b_hash, b)) = (pair[0], pair[1]);
            if a_hash == b_hash {
                let (a, b) = (self.id(a as usize)?, self.id(b as usize)?);
                if a == b {
                    return Ok(Some(a.into_owned()));
                }
            }
        }
        Ok(None)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where the `i`th document added is. Panics if there are not that many.
    fn place(&self, i: usize) -> Place<'_> {
        assert!(i < self.len, "document {i} of {}", self.len);
        // blocks are full but for the last, unless documents with long fields closed one early
        let holds = |b: &&Block| b.first <= i && i < b.first + b.present.len();
        let block = match self.blocks.get(i / Self::BLOCK).filter(holds) {
            Some(block) => block,
            None => &self.blocks[self.blocks.partition_point(|b| b.first <= i) - 1],
        };
        let j = i - block.first;
        let [ids_at, rest_at, lengths_at] = block.marks[j / Self::MARK];
        let mut starts = [ids_at as usize, rest_at as usize];
        let mut at = lengths_at as usize;
        let mut next_length = || leb128(&block.lengths, &mut at);
        let mut bounds = [(0, 0); 4];
        for k in j - j % Self::MARK..=j {
            for (bit, bound) in bounds.iter_mut().enumerate() {
                if block.present[k] & (1 << bit) != 0 {
                    let start = &mut starts[usize::from(bit > 0)];
                    let end = *start + next_length();
                    *bound = (*start, end);
                    *start = end;
                }
            }
        }
        Place { block, present: block.present[j], bounds }
    }

    /// The id of the `i`th document added: borrowed from memory, or read from the spill file
    /// when its block was spilled. Panics if there are not that many.
    pub fn id(&self, i: usize) -> io::Result<Cow<'_, str>> {
        let Place { block, bounds: [(start, end), ..], .. } = self.place(i);
        let Some(at) = block.spilled else { return Ok(Cow::Borrowed(&block.ids[start..end])) };
        let file = self.file.as_ref().expect("a spilled block has a spill file");
        let mut buf = Vec::new();
        file.read_append(at + start as u64, end - start, &mut buf)?;
        Ok(Cow::Owned(spilled_text(&buf)?.to_string()))
    }

    /// The `i`th document added, its titles, URLs and dates read into `buf` when its block was
    /// spilled. Panics if there are not that many; fails only when the spill file cannot be
    /// read.
    pub fn get<'a>(&'a self, i: usize, buf: &'a mut Vec<u8>) -> io::Result<DocumentRef<'a>> {
        let Place { block, present, bounds } = self.place(i);
        let Some(at) = block.spilled else {
            return Ok(Self::fields(&block.ids, present, bounds, &block.rest, 0));
        };
        let file = self.file.as_ref().expect("a spilled block has a spill file");
        // the id, then the fields after it, which lie end to end: two reads into one buffer
        let (id_start, id_end) = bounds[0];
        buf.clear();
        file.read_append(at + id_start as u64, id_end - id_start, buf)?;
        let others = (1..4).filter(|bit| present & (1 << bit) != 0);
        let start = others.clone().map(|bit| bounds[bit].0).min();
        let end = others.map(|bit| bounds[bit].1).max();
        if let (Some(start), Some(end)) = (start, end) {
            file.read_append(at + (block.ids_len + start) as u64, end - start, buf)?;
        }
        let buf: &'a Vec<u8> = buf;
        let text = spilled_text(buf)?;
        let (id, rest) = text.split_at(id_end - id_start);
        let mut bounds = bounds;
        bounds[0] = (0, id.len());
        Ok(Self::fields(id, present, bounds, rest, start.unwrap_or(0)))
    }

    /// A document's fields: its id from its block's `ids`, the others from `rest`, which holds
    /// the block's other fields from byte `offset` on.
    fn fields<'a>(
        ids: &'a str,
        present: u8,
        bounds: [(usize, usize); 4],
        rest: &'a str,
        offset: usize,
    ) -> DocumentRef<'a> {
        let field = |bit: usize| {
            let (start, end) = bounds[bit];
            (present & (1 << bit) != 0).then(|| &rest[start - offset..end - offset])
        };
        let (start, end) = bounds[0];
        DocumentRef { id: &ids[start..end], title: field(1), url: field(2), date: field(3) }
    }

    /// The `i`th document added, owned. Panics if there are not that many.
    pub fn info(&self, i: usize) -> io::Result<DocumentInfo> {
        Ok(self.get(i, &mut Vec::new())?.to_info())
    }

    /// The documents in the order they were added.
    pub fn infos(&self) -> impl ExactSizeIterator<Item = io::Result<DocumentInfo>> + '_ {
        (0..self.len).map(move |i| self.info(i))
    }

    /// The positions of the documents sorted by id, documents with the same id in the order they
    /// were added. The ids of spilled blocks are read into one string for the sort, and dropped
    /// after it.
    pub fn order_by_id(&self) -> io::Result<Vec<u32>> {
        self.sort_by_id(|_| Ok(()))
    }

    /// The positions of the documents sorted as their [`DocumentInfo`]s would be: by id, and
    /// documents with the same id (which a graph refuses, but a partial graph may hold) by
    /// their other fields.
    pub fn sorted_order(&self) -> io::Result<Vec<u32>> {
        self.sort_by_id(|same_id| {
            let mut infos = same_id
                .iter()
                .map(|&k| Ok((self.info(k as usize)?, k)))
                .collect::<io::Result<Vec<_>>>()?;
            infos.sort();
            for (slot, (_, k)) in same_id.iter_mut().zip(infos) {
                *slot = k;
            }
            Ok(())
        })
    }

    /// The positions sorted by id, in the order they were added where ids are equal, and
    /// `same_id` called on each run of two or more documents with the same id.
    fn sort_by_id(
        &self,
        mut same_id: impl FnMut(&mut [u32]) -> io::Result<()>,
    ) -> io::Result<Vec<u32>> {
        let len = u32::try_from(self.len).expect("fewer than 2^32 documents");
        let mut order: Vec<u32> = (0..len).collect();
        let (mut arena, mut bounds) = (String::new(), Vec::with_capacity(self.len));
        self.for_each_id(|_, id| {
            bounds.push((arena.len(), arena.len() + id.len()));
            arena.push_str(id);
        })?;
        let id = |k: u32| &arena[bounds[k as usize].0..bounds[k as usize].1];
        order.sort_unstable_by(|&a, &b| id(a).cmp(id(b)).then(a.cmp(&b)));
        for run in order.chunk_by_mut(|&a, &b| id(a) == id(b)).filter(|run| run.len() > 1) {
            same_id(run)?;
        }
        Ok(order)
    }
}

/// The LEB128 number at `at` in `lengths`; moves `at` past it.
fn leb128(lengths: &[u8], at: &mut usize) -> usize {
    let (mut len, mut shift) = (0, 0);
    loop {
        let byte = lengths[*at];
        *at += 1;
        len |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return len;
        }
        shift += 7;
    }
}

impl FromIterator<DocumentInfo> for Documents {
    fn from_iter<I: IntoIterator<Item = DocumentInfo>>(infos: I) -> Self {
        let mut documents = Documents::default();
        for info in infos {
            documents.push(DocumentRef::of(&info));
        }
        documents
    }
}

impl From<Vec<DocumentInfo>> for Documents {
    fn from(infos: Vec<DocumentInfo>) -> Self {
        infos.into_iter().collect()
    }
}

/// The documents of a graph in their sorted order (by id).
#[derive(Debug, Clone, Copy)]
pub struct DocumentList<'g> {
    documents: &'g Documents,
    order: &'g [u32],
}

impl<'g> DocumentList<'g> {
    pub(crate) fn new(documents: &'g Documents, order: &'g [u32]) -> Self {
        DocumentList { documents, order }
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Calls `f` with each document's handle (its position in the order the documents were
    /// added) and id, in the order they were added: one read of the spill file per spilled
    /// block, where reading them in order reads it once per document.
    pub fn each_id(&self, mut f: impl FnMut(u32, &str)) -> io::Result<()> {
        self.documents.for_each_id(|i, id| f(i as u32, id))
    }

    /// The id of the document with `handle` (from [`DocumentList::each_id`]).
    pub fn id_of(&self, handle: u32) -> io::Result<Cow<'g, str>> {
        self.documents.id(handle as usize)
    }

    /// The document with `handle` (from [`DocumentList::each_id`]), read into `buf` when it
    /// was spilled.
    pub fn get_of<'a>(&self, handle: u32, buf: &'a mut Vec<u8>) -> io::Result<DocumentRef<'a>>
    where
        'g: 'a,
    {
        self.documents.get(handle as usize, buf)
    }

    /// The ids in order.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = io::Result<Cow<'g, str>>> + 'g {
        let documents = self.documents;
        self.order.iter().map(move |&i| documents.id(i as usize))
    }

    /// The documents in order, owned.
    pub fn infos(&self) -> impl ExactSizeIterator<Item = io::Result<DocumentInfo>> + 'g {
        let documents = self.documents;
        self.order.iter().map(move |&i| documents.info(i as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info() -> impl Strategy<Value = DocumentInfo> {
        // some fields longer than 127 bytes, whose lengths take two bytes; few ids, so that
        // some repeat
        let field = "[ab\u{e9}]{0,3}|[ab]{120,140}";
        let optional = proptest::option::of(field);
        ("[ab\u{e9}]{1,2}", optional.clone(), optional.clone(), optional).prop_map(
            |(id, title, url, date)| DocumentInfo {
                id: id.into(),
                title: title.map(Into::into),
                url: url.map(Into::into),
                date: date.map(Into::into),
            },
        )
    }

    fn collect(infos: &[DocumentInfo], mut documents: Documents) -> Documents {
        infos.iter().for_each(|info| documents.push(DocumentRef::of(info)));
        documents
    }

    proptest! {
        /// Every document comes back as it was added, absent and empty fields apart, from
        /// memory or from the spill file, and the sorted order is the order of the infos.
        #[test]
        fn documents_come_back_as_added(infos in proptest::collection::vec(info(), 0..40)) {
            let mut sorted = infos.clone();
            sorted.sort();
            for documents in [collect(&infos, Documents::default()), collect(&infos, Documents::spilling())] {
                prop_assert_eq!(documents.len(), infos.len());
                let back: Vec<DocumentInfo> = documents.infos().map(Result::unwrap).collect();
                prop_assert_eq!(&back, &infos);
                let mut buf = Vec::new();
                for (i, info) in infos.iter().enumerate() {
                    prop_assert_eq!(documents.id(i).unwrap(), &*info.id);
                    prop_assert_eq!(documents.get(i, &mut buf).unwrap(), DocumentRef::of(info));
                }
                let order = documents.sorted_order().unwrap();
                let list = DocumentList::new(&documents, &order);
                let by_list: Vec<DocumentInfo> = list.infos().map(Result::unwrap).collect();
                prop_assert_eq!(&by_list, &sorted);
                let ids: Vec<String> = list.ids().map(|id| id.unwrap().into_owned()).collect();
                prop_assert!(ids.iter().map(String::as_str).eq(sorted.iter().map(|d| &*d.id)));
            }
            // every full block went to the file, and nothing else
            let spilling = collect(&infos, Documents::spilling());
            let full = infos.len().saturating_sub(1) / Documents::BLOCK * Documents::BLOCK;
            let size = |d: &DocumentInfo| DocumentRef::of(d).fields().iter().flatten().map(|f| f.len()).sum::<usize>();
            let expected: usize = infos[..full].iter().map(size).sum();
            prop_assert_eq!(spilling.spilled_bytes(), expected as u64);
            prop_assert_eq!(collect(&infos, Documents::default()).spilled_bytes(), 0);
            // a repeated id is found with the ids spilled or in memory
            let mut ids: Vec<&str> = infos.iter().map(|d| &*d.id).collect();
            ids.sort_unstable();
            let repeated = ids.windows(2).any(|w| w[0] == w[1]);
            for documents in [spilling.clone(), collect(&infos, Documents::default())] {
                let found = documents.duplicate_id().unwrap();
                prop_assert_eq!(found.is_some(), repeated);
                if let Some(id) = found {
                    prop_assert!(ids.windows(2).any(|w| w[0] == w[1] && w[0] == id));
                }
            }
        }

        #[test]
        fn borrowed_documents_order_as_infos(a in info(), b in info()) {
            prop_assert_eq!(DocumentRef::of(&a).cmp(&DocumentRef::of(&b)), a.cmp(&b));
        }
    }

    #[test]
    fn blocks_are_filled_in_turn_and_read_across() {
        // one-byte ids fill blocks by number; titles of 40,000 bytes fill them by the text
        // limit of tests (64 KiB), one document each
        let n = Documents::BLOCK * 2 + 3;
        let info = |i: usize| DocumentInfo {
            id: if i < 2 * Documents::BLOCK { "x".into() } else { format!("d{i}").into() },
            title: (i >= 2 * Documents::BLOCK).then(|| "t".repeat(40_000).into()),
            url: (i % 5 == 0).then(|| "".into()),
            date: None,
        };
        for documents in [Documents::default(), Documents::spilling()] {
            let documents = collect(&(0..n).map(info).collect::<Vec<_>>(), documents);
            let sizes: Vec<usize> = documents.blocks.iter().map(|b| b.present.len()).collect();
            assert_eq!(sizes, [Documents::BLOCK, Documents::BLOCK, 1, 1, 1]);
            assert!(documents.blocks.iter().all(|b| b.present.capacity() == Documents::BLOCK));
            assert_eq!(documents.len(), n);
            for i in
                [0, 1, Documents::BLOCK - 1, Documents::BLOCK, Documents::BLOCK + 1, n - 2, n - 1]
            {
                assert_eq!(documents.info(i).unwrap(), info(i), "document {i}");
            }
            assert!(documents.infos().map(Result::unwrap).eq((0..n).map(info)));
        }
    }

    #[test]
    fn spilled_blocks_keep_no_id_in_memory_and_a_clone_reads_the_same_file() {
        let info = |i: usize| DocumentInfo {
            id: format!("doc-{i}").into(),
            title: Some(format!("Titre {i} : é").into()),
            url: (i % 3 == 0).then(|| format!("https://example.org/{i}").into()),
            date: (i % 2 == 0).then(|| "2026-12-06".into()),
        };
        let mut documents = Documents::spilling();
        for i in 0..3 * Documents::BLOCK + 2 {
            documents.push(DocumentRef::of(&info(i)));
        }
        let spilled: Vec<bool> = documents.blocks.iter().map(|b| b.spilled.is_some()).collect();
        assert_eq!(spilled, [true, true, true, false]);
        assert!(documents.blocks[..3].iter().all(|b| b.rest.is_empty() && b.ids.is_empty()));
        assert_eq!(documents.duplicate_id().unwrap(), None);
        let id = documents.id(Documents::BLOCK + 1).unwrap();
        assert!(matches!(id, Cow::Owned(_)), "read from the file");
        assert_eq!(id, format!("doc-{}", Documents::BLOCK + 1));
        assert!(matches!(documents.id(3 * Documents::BLOCK).unwrap(), Cow::Borrowed(_)));
        let copy = documents.clone();
        documents.push(DocumentRef::of(&info(99)));
        let mut buf = Vec::new();
        for i in 0..copy.len() {
            assert_eq!(copy.get(i, &mut buf).unwrap().to_info(), info(i));
            assert_eq!(documents.info(i).unwrap(), info(i));
        }
    }
}
