//! The documents of a graph, packed: one text per block of documents holds their ids, titles,
//! URLs and dates end to end, and each document takes a byte for which fields it has, a byte or
//! two per field for its length, and 2 bytes for the marks that find it: 4 bytes besides its
//! text for a document with an id only.
//!
//! A graph keeps every input document (the exports describe each one), so on an archive of
//! millions of short articles the documents are the part of memory that grows with the corpus.
//! As [`DocumentInfo`]s they took 64 bytes each plus one allocation per field. Packed with the
//! ends of the four fields (17 bytes a document), the peak of a build over 1 GB of real articles
//! (713,977 documents, `-j 2`) went from 309,876 to 276,896 KiB (BENCHMARKS.md); with lengths
//! and marks, 13 bytes a document less.

use crate::graph::DocumentInfo;

/// A document's infos, borrowed from [`Documents`]. Orders as the [`DocumentInfo`] it stands for.
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
}

/// Up to [`Documents::BLOCK`] documents: their fields end to end in `text`.
#[derive(Debug, Clone, Default)]
struct Block {
    /// The position of the block's first document among all.
    first: usize,
    text: String,
    /// Per document, which of its four fields (id, title, URL, date) are present: bit `i` for
    /// field `i` (the id always is).
    present: Vec<u8>,
    /// The lengths in bytes of the present fields, document after document, each as an LEB128
    /// number (7 bits a byte, the last byte's high bit clear).
    lengths: Vec<u8>,
    /// For document `k * MARK` of the block, where its fields start in `text` and its lengths
    /// in `lengths`: a document is found from the mark before it.
    marks: Vec<[u32; 2]>,
}

impl Documents {
    /// Most documents per block: a block's vectors are allocated at this size once, instead of
    /// doubling (a doubling vector holds the old and the new copy for a moment).
    const BLOCK: usize = 1 << 14;

    /// Most bytes of text per block, so that offsets fit in 32 bits (a block holds fewer
    /// documents when their fields are this long). 64 KiB in tests, to exercise the split.
    const TEXT: usize = if cfg!(test) { 1 << 16 } else { u32::MAX as usize };

    /// Documents per mark: finding a document reads the lengths of at most `MARK - 1` before it.
    const MARK: usize = 4;

    /// Adds a document after the others.
    pub fn push(&mut self, document: DocumentRef<'_>) {
        let size: usize = document.fields().iter().flatten().map(|f| f.len()).sum();
        let fits = |b: &Block| b.present.len() < Self::BLOCK && b.text.len() + size <= Self::TEXT;
        if !self.blocks.last().is_some_and(fits) {
            if let Some(full) = self.blocks.last_mut() {
                full.text.shrink_to_fit();
                full.lengths.shrink_to_fit();
            }
            assert!(size <= Self::TEXT, "a document's id, title, URL and date exceed 4 GiB");
            self.blocks.push(Block {
                first: self.len,
                text: String::new(),
                present: Vec::with_capacity(Self::BLOCK),
                lengths: Vec::with_capacity(Self::BLOCK),
                marks: Vec::with_capacity(Self::BLOCK.div_ceil(Self::MARK)),
            });
        }
        let block = self.blocks.last_mut().expect("a block with room was just ensured");
        if block.present.len() % Self::MARK == 0 {
            // within u32: the text is checked above, and the lengths take at most 20 bytes a
            // document
            block.marks.push([block.text.len() as u32, block.lengths.len() as u32]);
        }
        let mut present = 0;
        for (i, field) in document.fields().into_iter().enumerate() {
            if let Some(f) = field {
                block.text.push_str(f);
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

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `i`th document added. Panics if there are not that many.
    pub fn get(&self, i: usize) -> DocumentRef<'_> {
        assert!(i < self.len, "document {i} of {}", self.len);
        // blocks are full but for the last, unless documents with long fields closed one early
        let holds = |b: &&Block| b.first <= i && i < b.first + b.present.len();
        let block = match self.blocks.get(i / Self::BLOCK).filter(holds) {
            Some(block) => block,
            None => &self.blocks[self.blocks.partition_point(|b| b.first <= i) - 1],
        };
        let j = i - block.first;
        let [text_at, lengths_at] = block.marks[j / Self::MARK];
        let (mut start, mut at) = (text_at as usize, lengths_at as usize);
        let mut next_length = || {
            let (mut len, mut shift) = (0, 0);
            loop {
                let byte = block.lengths[at];
                at += 1;
                len |= usize::from(byte & 0x7f) << shift;
                if byte & 0x80 == 0 {
                    return len;
                }
                shift += 7;
            }
        };
        let mut fields = [None; 4];
        for k in j - j % Self::MARK..=j {
            for (bit, field) in fields.iter_mut().enumerate() {
                if block.present[k] & (1 << bit) != 0 {
                    let end = start + next_length();
                    if k == j {
                        *field = Some(&block.text[start..end]);
                    }
                    start = end;
                }
            }
        }
        let [id, title, url, date] = fields;
        DocumentRef { id: id.expect("every document has an id"), title, url, date }
    }

    /// The documents in the order they were added.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = DocumentRef<'_>> + '_ {
        (0..self.len).map(move |i| self.get(i))
    }

    /// The positions of the documents sorted as their [`DocumentInfo`]s would be.
    pub fn sorted_order(&self) -> Vec<u32> {
        let len = u32::try_from(self.len).expect("fewer than 2^32 documents");
        let mut order: Vec<u32> = (0..len).collect();
        order.sort_unstable_by(|&a, &b| self.get(a as usize).cmp(&self.get(b as usize)));
        order
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

    /// The `i`th document by id. Panics if there are not that many.
    pub fn get(&self, i: usize) -> DocumentRef<'g> {
        self.documents.get(self.order[i] as usize)
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = DocumentRef<'g>> + 'g {
        let documents = self.documents;
        self.order.iter().map(move |&i| documents.get(i as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info() -> impl Strategy<Value = DocumentInfo> {
        // some fields longer than 127 bytes, whose lengths take two bytes
        let field = "[ab\u{e9}]{0,3}|[ab]{120,140}";
        let optional = proptest::option::of(field);
        ("[ab\u{e9}]{1,3}", optional.clone(), optional.clone(), optional).prop_map(
            |(id, title, url, date)| DocumentInfo {
                id: id.into(),
                title: title.map(Into::into),
                url: url.map(Into::into),
                date: date.map(Into::into),
            },
        )
    }

    proptest! {
        /// Every document comes back as it was added, absent and empty fields apart, and the
        /// sorted order is the order of the infos.
        #[test]
        fn documents_come_back_as_added(infos in proptest::collection::vec(info(), 0..40)) {
            let documents: Documents = infos.iter().cloned().collect();
            prop_assert_eq!(documents.len(), infos.len());
            let back: Vec<DocumentInfo> = documents.iter().map(DocumentRef::to_info).collect();
            prop_assert_eq!(&back, &infos);
            let mut sorted = infos.clone();
            sorted.sort();
            let order = documents.sorted_order();
            let list = DocumentList::new(&documents, &order);
            let by_list: Vec<DocumentInfo> = list.iter().map(DocumentRef::to_info).collect();
            prop_assert_eq!(by_list, sorted);
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
        let documents: Documents = (0..n).map(info).collect();
        let sizes: Vec<usize> = documents.blocks.iter().map(|b| b.present.len()).collect();
        assert_eq!(sizes, [Documents::BLOCK, Documents::BLOCK, 1, 1, 1]);
        assert!(documents.blocks.iter().all(|b| b.present.capacity() == Documents::BLOCK));
        assert_eq!(documents.len(), n);
        for i in [0, 1, Documents::BLOCK - 1, Documents::BLOCK, Documents::BLOCK + 1, n - 2, n - 1]
        {
            assert_eq!(documents.get(i).to_info(), info(i), "document {i}");
        }
        assert!(documents.iter().map(DocumentRef::to_info).eq((0..n).map(info)));
    }
}
