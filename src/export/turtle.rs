//! Turtle and N-Triples: the graph as RDF 1.1, with a statement node per edge carrying its evidence.
//!
//! Triples are built as oxrdf terms and handed to oxttl in the order of the string forms of
//! (subject, predicate, object), so the output is byte-identical for the same graph and no RDF
//! syntax is ever written by hand. They are streamed: subjects are sorted first, and a worker
//! builds one subject's triples at a time; chunks of subjects are serialized side by side on the
//! current rayon pool and written in order, with the bytes of one serializer. Every node has an
//! IRI (no blank nodes), which keeps the triple set identical across parsers. See
//! <https://www.w3.org/TR/turtle/> and <https://www.w3.org/TR/n-triples/>.

use std::io::{self, Write};

use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple, TripleRef};
use oxttl::turtle::LowLevelTurtleSerializer;
use oxttl::{NTriplesSerializer, TurtleSerializer};
use rayon::prelude::*;

use crate::export::{DocumentIris, ExportOptions};
use crate::graph::{DocumentList, DocumentRef, EdgeView, Evidence, KnowledgeGraph};
use crate::slug::short_hash;
use crate::vocab::ns;

/// Prefixes declared in the Turtle output; `kg:` is the base IRI and is added at write time.
const PREFIXES: [(&str, &str); 8] = [
    ("kgo", ns::KGO),
    ("schema", ns::SCHEMA),
    ("wd", ns::WD),
    ("prov", ns::PROV),
    ("owl", ns::OWL),
    ("rdfs", ns::RDFS),
    ("rdf", ns::RDF),
    ("xsd", ns::XSD),
];

/// Datatype properties of the `kgo:` vocabulary used on statement, evidence and entity nodes.
const DATATYPE_PROPERTIES: [&str; 9] =
    ["weight", "amount", "currency", "sentence", "start", "end", "rule", "mentions", "date"];

/// Writes the graph as Turtle with the usual prefixes.
pub fn write_turtle(g: &KnowledgeGraph, o: &ExportOptions, w: &mut dyn Write) -> io::Result<()> {
    write_turtle_in_chunks(g, o, w, CHUNK_SUBJECTS)
}

/// [`write_turtle`] with `chunk` subjects per chunk.
fn write_turtle_in_chunks(
    g: &KnowledgeGraph,
    o: &ExportOptions,
    w: &mut dyn Write,
    chunk: usize,
) -> io::Result<()> {
    let mut serializer = TurtleSerializer::new();
    for (name, iri) in PREFIXES.into_iter().chain([("kg", o.base_iri.as_str())]) {
        serializer = serializer.with_prefix(name, iri).map_err(invalid_input)?;
    }
    // one prefix per IRI folder below the base (`organization:nvidia`, `evidence:0f3a…`), so
    // that names read without escaped slashes; a folder whose name is taken keeps `kg:`
    let folders = g
        .vocabulary
        .entity_types
        .keys()
        .map(|t| t.to_lowercase())
        .chain(["document", "statement", "evidence"].map(String::from));
    for folder in folders {
        let taken = PREFIXES.iter().any(|(p, _)| *p == folder) || folder == "kg";
        if !taken {
            let namespace = format!("{}{folder}/", o.base_iri);
            serializer = serializer.with_prefix(folder, namespace).map_err(invalid_input)?;
        }
    }
    // A chunk after the first starts with a serializer that has already written the header and
    // a triple of another subject (into a sink): it then writes exactly what one serializer
    // going through the whole file would write from that point on (the ` .` that closes the
    // previous subject, then its own subjects). Every subject has at least one triple, so the
    // first chunk writes the header; a serializer in the same state closes the last subject.
    let prime = |ll: &mut LowLevelTurtleSerializer| {
        let other = BlankNode::new_unchecked("chunk");
        ll.serialize_triple(TripleRef::new(&other, rdf::TYPE, &other), io::sink())
    };
    let written = write_in_chunks(g, o, w, chunk, &|subjects, chunk, first, buf| {
        let mut ll = serializer.clone().low_level();
        if !first {
            prime(&mut ll)?;
        }
        subjects.emit_chunk(chunk, &mut |t| ll.serialize_triple(t, &mut *buf))
    })?;
    if written {
        let mut ll = serializer.low_level();
        prime(&mut ll)?;
        ll.finish(w)?;
    }
    Ok(())
}

/// Writes the same triples as [`write_turtle`], one per line.
pub fn write_ntriples(g: &KnowledgeGraph, o: &ExportOptions, w: &mut dyn Write) -> io::Result<()> {
    write_ntriples_in_chunks(g, o, w, CHUNK_SUBJECTS)
}

fn write_ntriples_in_chunks(
    g: &KnowledgeGraph,
    o: &ExportOptions,
    w: &mut dyn Write,
    chunk: usize,
) -> io::Result<()> {
    write_in_chunks(g, o, w, chunk, &|subjects, chunk, _, buf| {
        let mut ll = NTriplesSerializer::new().low_level();
        subjects.emit_chunk(chunk, &mut |t| ll.serialize_triple(t, &mut *buf))
    })?;
    Ok(())
}

/// Subjects a chunk of the output holds, and chunks serialized side by side before they are
/// written in order: enough to keep the workers busy, few enough to keep memory small.
const CHUNK_SUBJECTS: usize = 512;
const CHUNKS_PER_WORKER: usize = 4;

/// Writes a chunk of subjects into a buffer: `(subjects, chunk, is_first_chunk, buffer)`.
type ChunkWriter<'a> =
    dyn Fn(&Subjects<'_>, &[Group], bool, &mut Vec<u8>) -> io::Result<()> + Sync + 'a;

/// Serializes the subjects in chunks of `chunk_subjects` on the current thread pool
/// (`serialize(subjects, chunk, is_first_chunk, buffer)`) and writes the chunks in order, a batch
/// at a time; returns whether there was any subject.
fn write_in_chunks(
    g: &KnowledgeGraph,
    o: &ExportOptions,
    w: &mut dyn Write,
    chunk_subjects: usize,
    serialize: &ChunkWriter<'_>,
) -> io::Result<bool> {
    let subjects = Subjects::new(g, o)?;
    let mut cursor = subjects.cursor();
    let batch = chunk_subjects.saturating_mul(CHUNKS_PER_WORKER * rayon::current_num_threads());
    let mut any = false;
    loop {
        let groups: Vec<Group> =
            std::iter::from_fn(|| subjects.next_group(&mut cursor)).take(batch).collect();
        if groups.is_empty() {
            return Ok(any);
        }
        let buffers: Vec<io::Result<Vec<u8>>> = groups
            .par_chunks(chunk_subjects)
            .enumerate()
            .map(|(i, chunk)| {
                let mut buf = Vec::new();
                serialize(&subjects, chunk, !any && i == 0, &mut buf)?;
                Ok(buf)
            })
            .collect();
        for buf in buffers {
            w.write_all(&buf?)?;
        }
        any = true;
    }
}

/// Every triple of the export, sorted and without duplicates.
pub fn triples(g: &KnowledgeGraph, o: &ExportOptions) -> io::Result<Vec<Triple>> {
    let mut all = Vec::new();
    for_each_triple(g, o, &mut |t| {
        all.push(t.clone());
        Ok(())
    })?;
    Ok(all)
}

/// What gives the triples of one subject; subjects are visited in the order of their string form.
#[derive(Clone, Copy)]
enum Unit {
    /// A group of vocabulary triples (one subject).
    Vocabulary(usize),
    /// An entity: its description and the edges it is the subject of.
    Entity(usize),
    /// The statement node of edge `i`.
    Statement(usize),
    /// Evidence `j` of edge `i`.
    Evidence(usize, usize),
}

/// Calls `f` with every triple of the export in the canonical order: sorted by the string forms
/// of (subject, predicate, object), without duplicates. Subjects are sorted first (every subject is
/// an IRI), and only one subject's triples are built at a time, so memory stays proportional to
/// the number of subjects, not of triples.
fn for_each_triple(
    g: &KnowledgeGraph,
    o: &ExportOptions,
    f: &mut dyn FnMut(&Triple) -> io::Result<()>,
) -> io::Result<()> {
    let subjects = Subjects::new(g, o)?;
    let mut scratch = Scratch::default();
    let mut cursor = subjects.cursor();
    while let Some(group) = subjects.next_group(&mut cursor) {
        subjects.emit(&group, &mut scratch, f)?;
    }
    Ok(())
}

/// What gives the triples of the subjects, in the order of their string forms.
struct Subjects<'g> {
    g: &'g KnowledgeGraph,
    o: &'g ExportOptions,
    vocab_groups: Vec<(String, Vec<Triple>)>,
    /// Every subject but the documents, by key (several units may share a key).
    units: Vec<(String, Unit)>,
    entities: Vec<&'g crate::graph::Entity>,
    /// The edges each entity is the subject of: (edge, written object → subject).
    outgoing: Vec<Vec<(usize, bool)>>,
    edges: Vec<EdgeView<'g>>,
    /// Statement IRIs hash the edge; computed once.
    statements: Vec<String>,
    documents: DocumentList<'g>,
    namer: DocumentIris,
    /// The document slugs in one string (the document with handle `i`'s, as
    /// [`DocumentList::each_id`] gives them, is `arena[ends[i - 1]..ends[i]]`), not one
    /// allocation each.
    arena: String,
    ends: Vec<usize>,
    /// Documents (their handles) in the order of their subject keys.
    order: Vec<u32>,
}

/// One subject: its key, its units and its documents.
struct Group {
    key: String,
    units: std::ops::Range<usize>,
    documents: std::ops::Range<usize>,
}

/// Where a walk over the groups is.
struct Cursor {
    unit: usize,
    document: usize,
    /// The key of document `document` in key order, if there is one.
    next_document: Option<String>,
}

/// Buffers reused from one subject to the next.
#[derive(Default)]
struct Scratch {
    group: Triples,
    /// The group's triples by index, in output order.
    order: Vec<usize>,
    /// The string forms of the objects of a run of triples with the same predicate.
    objects: Vec<(String, usize)>,
    /// A document's title, URL and date, when they are read from the documents' spill file.
    document: Vec<u8>,
}

impl<'g> Subjects<'g> {
    fn new(g: &'g KnowledgeGraph, o: &'g ExportOptions) -> io::Result<Self> {
        let mut vocab = Triples::default();
        vocabulary(g, &mut vocab)?;
        let mut vocab_groups: Vec<(String, Vec<Triple>)> = Vec::new();
        for t in vocab.0 {
            let key = t.subject.to_string();
            match vocab_groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, ts)) => ts.push(t),
                None => vocab_groups.push((key, vec![t])),
            }
        }
        let mut units: Vec<(String, Unit)> = Vec::new();
        for (i, (key, _)) in vocab_groups.iter().enumerate() {
            units.push((key.clone(), Unit::Vocabulary(i)));
        }
        let entities: Vec<_> = g.entities().collect();
        for (i, entity) in entities.iter().enumerate() {
            units.push((subject_key(&o.entity_iri(entity)), Unit::Entity(i)));
        }
        let pg = g.petgraph();
        let mut outgoing: Vec<Vec<(usize, bool)>> = vec![Vec::new(); entities.len()];
        let edges: Vec<EdgeView<'_>> = g.edges().collect();
        let mut statements: Vec<String> = Vec::with_capacity(edges.len());
        for (i, (edge, e)) in edges.iter().zip(pg.edge_indices()).enumerate() {
            let (s, ob) = pg.edge_endpoints(e).expect("edge index from this graph");
            let decl = super::relation_decl(g, &edge.relation.relation)?;
            outgoing[s.index()].push((i, false));
            if edge.relation.symmetric || decl.symmetric {
                outgoing[ob.index()].push((i, true));
            }
            let s_iri = o.entity_iri(edge.subject);
            let o_iri = o.entity_iri(edge.object);
            let statement_iri = statement_iri(o, &s_iri, &decl.property_iri, &o_iri);
            for (j, evidence) in edge.relation.evidence.iter().enumerate() {
                units.push((
                    subject_key(&evidence_iri(o, &statement_iri, evidence)),
                    Unit::Evidence(i, j),
                ));
            }
            units.push((subject_key(&statement_iri), Unit::Statement(i)));
            statements.push(statement_iri);
        }
        units.sort_by(|a, b| a.0.cmp(&b.0));
        // documents (one per input article, the most numerous subjects) are merged in by key
        // without keeping their keys: all share the prefix `{base}document/`, so they sort by slug
        let documents = g.documents();
        let namer = o.document_namer(g)?;
        let mut arena = String::new();
        let mut ends: Vec<usize> = Vec::with_capacity(documents.len());
        // by handle: the documents in the order they were added, which reads their ids from
        // the spill file block by block
        documents.each_id(|_, id| {
            arena.push_str(&namer.slug(id));
            ends.push(arena.len());
        })?;
        let mut subjects = Subjects {
            g,
            o,
            vocab_groups,
            units,
            entities,
            outgoing,
            edges,
            statements,
            documents,
            namer,
            arena,
            ends,
            order: Vec::new(),
        };
        let mut order: Vec<u32> = (0..documents.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (subjects.slug(a as usize), subjects.slug(b as usize));
            a.bytes().chain(std::iter::once(b'>')).cmp(b.bytes().chain(std::iter::once(b'>')))
        });
        subjects.order = order;
        Ok(subjects)
    }

    fn slug(&self, i: usize) -> &str {
        &self.arena[if i == 0 { 0 } else { self.ends[i - 1] }..self.ends[i]]
    }

    /// The key of the `n`th document in key order, if there is one.
    fn document_key(&self, n: usize) -> Option<String> {
        let &i = self.order.get(n)?;
        Some(subject_key(&self.namer.iri_of_slug(self.slug(i as usize))))
    }

    /// A walk from the first subject.
    fn cursor(&self) -> Cursor {
        Cursor { unit: 0, document: 0, next_document: self.document_key(0) }
    }

    /// The next subject after `cursor`, which moves past it.
    fn next_group(&self, cursor: &mut Cursor) -> Option<Group> {
        let key = match (self.units.get(cursor.unit), &cursor.next_document) {
            (Some((k, _)), Some(dk)) => k.min(dk).clone(),
            (Some((k, _)), None) => k.clone(),
            (None, Some(dk)) => dk.clone(),
            (None, None) => return None,
        };
        let start = cursor.unit;
        cursor.unit += self.units[start..].iter().take_while(|(k, _)| *k == key).count();
        let first_document = cursor.document;
        while cursor.next_document.as_ref() == Some(&key) {
            cursor.document += 1;
            cursor.next_document = self.document_key(cursor.document);
        }
        Some(Group { key, units: start..cursor.unit, documents: first_document..cursor.document })
    }

    /// [`Subjects::emit`] for each group of `chunk`, in order.
    fn emit_chunk(
        &self,
        chunk: &[Group],
        f: &mut dyn FnMut(&Triple) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut scratch = Scratch::default();
        chunk.iter().try_for_each(|group| self.emit(group, &mut scratch, f))
    }

    /// Calls `f` with the triples of `group`, sorted by (predicate, object), without duplicates.
    fn emit(
        &self,
        group: &Group,
        scratch: &mut Scratch,
        f: &mut dyn FnMut(&Triple) -> io::Result<()>,
    ) -> io::Result<()> {
        let Scratch { group: triples, order, objects, document: document_buf } = scratch;
        triples.0.clear();
        // the subject IRI, without the angle brackets of its key
        let subject = &group.key[1..group.key.len() - 1];
        for d in group.documents.clone() {
            let document = self.documents.get_of(self.order[d], document_buf)?;
            document_triples(subject, document, triples)?;
        }
        let (g, o) = (self.g, self.o);
        for &(_, unit) in &self.units[group.units.clone()] {
            match unit {
                Unit::Vocabulary(v) => triples.0.extend(self.vocab_groups[v].1.iter().cloned()),
                Unit::Entity(e) => {
                    entity_triples(g, o, self.entities[e], triples)?;
                    for &(edge, reversed) in &self.outgoing[e] {
                        edge_link(g, o, self.edges[edge], reversed, triples)?;
                    }
                }
                Unit::Statement(edge) => {
                    statement_triples(g, o, self.edges[edge], &self.statements[edge], triples)?
                }
                Unit::Evidence(edge, j) => evidence_triples(
                    &self.namer,
                    &self.edges[edge].relation.evidence[j],
                    subject,
                    triples,
                )?,
            }
        }
        // Sorted by the string forms of (predicate, object), without duplicates. The objects'
        // forms (a quoted sentence, for evidence) are written out only within a run of triples
        // with the same predicate.
        let triples = &triples.0;
        order.clear();
        order.extend(0..triples.len());
        order.sort_by(|&a, &b| cmp_iri_forms(&triples[a].predicate, &triples[b].predicate));
        let mut run = 0;
        while run < order.len() {
            let predicate = &triples[order[run]].predicate;
            let end = run
                + order[run..].iter().take_while(|&&n| triples[n].predicate == *predicate).count();
            if end - run == 1 {
                f(&triples[order[run]])?;
            } else {
                objects.clear();
                objects.extend(order[run..end].iter().map(|&n| (triples[n].object.to_string(), n)));
                objects.sort();
                objects.dedup_by(|a, b| a.0 == b.0);
                for &(_, n) in objects.iter() {
                    f(&triples[n])?;
                }
            }
            run = end;
        }
        Ok(())
    }
}

/// Compares two IRIs as their string forms `<iri>` compare: the closing bracket takes part, so
/// `<a-b>` comes before `<a>` (`-` is below `>`), where the bare IRIs sort the other way.
fn cmp_iri_forms(a: &NamedNode, b: &NamedNode) -> std::cmp::Ordering {
    fn form(n: &NamedNode) -> impl Iterator<Item = u8> + '_ {
        n.as_str().bytes().chain(std::iter::once(b'>'))
    }
    form(a).cmp(form(b))
}

/// The string form of a subject IRI, as triples were sorted by (`<iri>`).
fn subject_key(iri: &str) -> String {
    let mut key = String::with_capacity(iri.len() + 2);
    key.push('<');
    key.push_str(iri);
    key.push('>');
    key
}

fn entity_triples(
    g: &KnowledgeGraph,
    o: &ExportOptions,
    entity: &crate::graph::Entity,
    t: &mut Triples,
) -> io::Result<()> {
    let node = iri(&o.entity_iri(entity))?;
    let decl = super::type_decl(g, entity)?;
    t.add(&node, rdf::TYPE, iri(&decl.class_iri)?);
    t.add(&node, rdfs::LABEL, text(&entity.label));
    t.add(&node, schema("name"), text(&entity.label));
    for alias in &entity.aliases {
        t.add(&node, schema("alternateName"), text(alias));
    }
    t.add(&node, kgo("mentions"), integer(entity.mentions));
    if let Some(qid) = &entity.wikidata {
        t.add(&node, owl("sameAs"), iri(&format!("{}{qid}", ns::WD))?);
    }
    Ok(())
}

fn document_triples(node_iri: &str, document: DocumentRef<'_>, t: &mut Triples) -> io::Result<()> {
    let node = iri(node_iri)?;
    t.add(&node, rdf::TYPE, schema("NewsArticle"));
    t.add(&node, schema("identifier"), text(document.id));
    if let Some(title) = document.title {
        t.add(&node, schema("name"), text(title));
    }
    if let Some(url) = document.url {
        let object: Term = match NamedNode::new(url) {
            Ok(url) => url.into(),
            Err(_) => text(url).into(),
        };
        t.add(&node, schema("url"), object);
    }
    if let Some(date) = document.date {
        t.add(&node, schema("datePublished"), text(date));
    }
    Ok(())
}

/// The IRI of the statement node describing `s p o`.
pub fn statement_iri(o: &ExportOptions, s: &str, p: &str, obj: &str) -> String {
    let hash = short_hash(format!("{s} {p} {obj}").as_bytes());
    format!("{}statement/{hash}", o.base_iri)
}

/// The IRI of the evidence node for one mention supporting a statement.
pub fn evidence_iri(o: &ExportOptions, statement: &str, e: &Evidence) -> String {
    let key = format!("{statement} {} {} {} {}", e.document, e.start, e.end, e.rule);
    format!("{}evidence/{}", o.base_iri, short_hash(key.as_bytes()))
}

fn vocabulary(g: &KnowledgeGraph, t: &mut Triples) -> io::Result<()> {
    for relation in g.vocabulary.relations.values() {
        let p = iri(&relation.property_iri)?;
        t.add(&p, rdf::TYPE, owl("ObjectProperty"));
        if relation.symmetric {
            t.add(&p, rdf::TYPE, owl("SymmetricProperty"));
        }
        t.add(&p, rdfs::LABEL, text(&relation.label));
        t.add(&p, rdfs::COMMENT, text(&relation.comment));
        for parent in &relation.sub_property_of {
            t.add(&p, rdfs::SUB_PROPERTY_OF, iri(parent)?);
        }
    }
    for name in DATATYPE_PROPERTIES {
        let p = kgo(name);
        t.add(&p, rdf::TYPE, owl("DatatypeProperty"));
        t.add(&p, rdfs::LABEL, text(name));
    }
    let evidence = kgo("evidence");
    t.add(&evidence, rdf::TYPE, owl("ObjectProperty"));
    t.add(&evidence, rdfs::LABEL, text("evidence"));
    let class = kgo("Evidence");
    t.add(&class, rdf::TYPE, owl("Class"));
    t.add(&class, rdfs::LABEL, text("Evidence"));
    Ok(())
}

/// The edge itself, `s p o`, or `o p s` when `reversed` (symmetric relations are written both ways).
fn edge_link(
    g: &KnowledgeGraph,
    o: &ExportOptions,
    edge: EdgeView<'_>,
    reversed: bool,
    t: &mut Triples,
) -> io::Result<()> {
    let decl = super::relation_decl(g, &edge.relation.relation)?;
    let s = iri(&o.entity_iri(edge.subject))?;
    let p = iri(&decl.property_iri)?;
    let obj = iri(&o.entity_iri(edge.object))?;
    if reversed {
        t.add(&obj, p, s);
    } else {
        t.add(&s, p, obj);
    }
    Ok(())
}

fn statement_triples(
    g: &KnowledgeGraph,
    o: &ExportOptions,
    edge: EdgeView<'_>,
    statement_iri: &str,
    t: &mut Triples,
) -> io::Result<()> {
    let relation = edge.relation;
    let decl = super::relation_decl(g, &relation.relation)?;
    let s = iri(&o.entity_iri(edge.subject))?;
    let p = iri(&decl.property_iri)?;
    let obj = iri(&o.entity_iri(edge.object))?;
    let statement = iri(statement_iri)?;
    t.add(&statement, rdf::TYPE, rdf::STATEMENT.into_owned());
    t.add(&statement, rdf::SUBJECT, s);
    t.add(&statement, rdf::PREDICATE, p);
    t.add(&statement, rdf::OBJECT, obj);
    t.add(&statement, kgo("weight"), integer(relation.weight()));
    if let Some(amount) = &relation.amount {
        let value = Literal::new_typed_literal(&amount.value, xsd::DECIMAL);
        t.add(&statement, kgo("amount"), value);
        let currency = text(&amount.currency);
        t.add(&statement, kgo("currency"), currency);
    }
    for evidence in &relation.evidence {
        let node = iri(&evidence_iri(o, statement_iri, evidence))?;
        t.add(&statement, kgo("evidence"), node);
    }
    Ok(())
}

/// The triples of evidence node `node_iri`.
fn evidence_triples(
    namer: &DocumentIris,
    evidence: &Evidence,
    node_iri: &str,
    t: &mut Triples,
) -> io::Result<()> {
    let node = iri(node_iri)?;
    t.add(&node, rdf::TYPE, kgo("Evidence"));
    t.add(&node, prov("wasDerivedFrom"), iri(&namer.iri(&evidence.document))?);
    let sentence = text(&evidence.sentence);
    t.add(&node, kgo("sentence"), sentence);
    t.add(&node, kgo("start"), integer(evidence.start));
    t.add(&node, kgo("end"), integer(evidence.end));
    t.add(&node, kgo("rule"), text(&evidence.rule));
    if let Some(date) = &evidence.date {
        // xsd:date, xsd:gYearMonth or xsd:gYear by the precision the text gave
        let datatype = match date.len() {
            10 => xsd::DATE,
            7 => xsd::G_YEAR_MONTH,
            _ => xsd::G_YEAR,
        };
        t.add(&node, kgo("date"), Literal::new_typed_literal(date, datatype));
    }
    Ok(())
}

/// Collects one subject's triples, which [`Subjects::emit`] sorts into the canonical order.
#[derive(Default)]
struct Triples(Vec<Triple>);

impl Triples {
    fn add(
        &mut self,
        subject: &NamedNode,
        predicate: impl Into<NamedNode>,
        object: impl Into<Term>,
    ) {
        self.0.push(Triple::new(NamedOrBlankNode::from(subject.clone()), predicate, object));
    }
}

/// A plain literal for text. NUL, U+FFFE and U+FFFF are dropped: oxrdf writes them as `\u`
/// escapes, and rapper cuts a string at NUL and refuses the two non-characters.
fn text(value: &str) -> Literal {
    if value.contains(DROPPED) {
        Literal::new_simple_literal(value.replace(DROPPED, ""))
    } else {
        Literal::new_simple_literal(value)
    }
}

/// What RDF literals leave out (see [`text`]).
const DROPPED: [char; 3] = ['\0', '\u{FFFE}', '\u{FFFF}'];

fn iri(value: &str) -> io::Result<NamedNode> {
    NamedNode::new(value).map_err(|e| invalid_input(format!("invalid IRI <{value}>: {e}")))
}

fn kgo(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::KGO))
}

fn schema(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::SCHEMA))
}

fn owl(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::OWL))
}

fn prov(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::PROV))
}

fn integer(n: impl ToString) -> Literal {
    Literal::new_typed_literal(n.to_string(), xsd::INTEGER)
}

fn invalid_input(e: impl ToString) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, e.to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use oxttl::{NTriplesParser, TurtleParser};

    use super::*;
    use crate::graph::sample::sample_graph;

    proptest::proptest! {
        /// IRIs compare as the `<iri>` forms that triples are sorted by.
        #[test]
        fn iris_compare_as_their_string_forms(
            a in "http://x/[a0/~.=@-]{0,6}",
            b in "http://x/[a0/~.=@-]{0,6}",
        ) {
            let (a, b) = (NamedNode::new(a).unwrap(), NamedNode::new(b).unwrap());
            proptest::prop_assert_eq!(cmp_iri_forms(&a, &b), a.to_string().cmp(&b.to_string()));
        }
    }

    const BASE: &str = ns::DEFAULT_BASE;

    fn turtle() -> Vec<u8> {
        let mut out = Vec::new();
        write_turtle(&sample_graph(), &ExportOptions::default(), &mut out).unwrap();
        out
    }

    /// Whatever the chunks, the output is that of one serializer going through every triple.
    #[test]
    fn chunks_write_what_one_serializer_writes() {
        let (g, o) = (sample_graph(), ExportOptions::default());
        let mut one = TurtleSerializer::new();
        let mut prefixes = Vec::new();
        write_turtle_in_chunks(&g, &o, &mut prefixes, usize::MAX).unwrap();
        for line in String::from_utf8(prefixes).unwrap().lines() {
            if let Some(rest) = line.strip_prefix("@prefix ") {
                let (name, iri) = rest.split_once(": <").unwrap();
                one = one.with_prefix(name, iri.trim_end_matches("> .")).unwrap();
            }
        }
        let mut out = one.for_writer(Vec::new());
        for_each_triple(&g, &o, &mut |t| out.serialize_triple(t)).unwrap();
        let expected = out.finish().unwrap();
        let mut nt = NTriplesSerializer::new().for_writer(Vec::new());
        for_each_triple(&g, &o, &mut |t| nt.serialize_triple(t)).unwrap();
        let expected_nt = nt.finish();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        for chunk in [1, 2, 3, 5, 1000] {
            let (mut ttl, mut nt) = (Vec::new(), Vec::new());
            pool.install(|| {
                write_turtle_in_chunks(&g, &o, &mut ttl, chunk).unwrap();
                write_ntriples_in_chunks(&g, &o, &mut nt, chunk).unwrap();
            });
            assert_eq!(
                String::from_utf8_lossy(&ttl),
                String::from_utf8_lossy(&expected),
                "{chunk} subjects a chunk"
            );
            assert_eq!(nt, expected_nt, "{chunk} subjects a chunk");
        }
    }

    fn parse_turtle(bytes: &[u8]) -> HashSet<Triple> {
        TurtleParser::new()
            .for_slice(bytes)
            .collect::<Result<_, _>>()
            .expect("the Turtle output parses")
    }

    fn n(iri: &str) -> NamedNode {
        NamedNode::new(iri).unwrap()
    }

    fn triple(s: &str, p: &str, o: impl Into<Term>) -> Triple {
        Triple::new(n(s), n(p), o)
    }

    fn objects(set: &HashSet<Triple>, s: &str, p: &str) -> Vec<Term> {
        set.iter()
            .filter(|t| t.subject == NamedOrBlankNode::from(n(s)) && t.predicate == n(p))
            .map(|t| t.object.clone())
            .collect()
    }

    #[test]
    fn symmetric_relations_are_written_both_ways() {
        let set = parse_turtle(&turtle());
        let nvidia = format!("{BASE}organization/nvidia");
        let telekom = format!("{BASE}organization/deutsche-telekom");
        let partner = format!("{}partnerOf", ns::KGO);
        assert!(set.contains(&triple(&nvidia, &partner, n(&telekom))));
        assert!(set.contains(&triple(&telekom, &partner, n(&nvidia))));
        let invests = format!("{}investsIn", ns::KGO);
        let usine = format!("{BASE}facility/usine-d-ia-souveraine");
        assert!(set.contains(&triple(&telekom, &invests, n(&usine))));
        assert!(!set.contains(&triple(&usine, &invests, n(&telekom))));
        let symmetric = format!("{}SymmetricProperty", ns::OWL);
        assert!(set.contains(&triple(&partner, rdf::TYPE.as_str(), n(&symmetric))));
        assert!(!set.contains(&triple(&invests, rdf::TYPE.as_str(), n(&symmetric))));
        let located = format!("{}locatedIn", ns::KGO);
        let location = format!("{}location", ns::SCHEMA);
        let sub = rdfs::SUB_PROPERTY_OF.as_str();
        assert!(set.contains(&triple(&located, sub, n(&location))));
    }

    #[test]
    fn statements_carry_weight_amount_and_evidence() {
        let set = parse_turtle(&turtle());
        let o = ExportOptions::default();
        let s = format!("{BASE}organization/deutsche-telekom");
        let p = format!("{}investsIn", ns::KGO);
        let obj = format!("{BASE}facility/usine-d-ia-souveraine");
        let st = statement_iri(&o, &s, &p, &obj);
        let kgo = |l: &str| format!("{}{l}", ns::KGO);
        assert!(set.contains(&triple(&st, rdf::TYPE.as_str(), rdf::STATEMENT.into_owned())));
        assert!(set.contains(&triple(&st, rdf::SUBJECT.as_str(), n(&s))));
        assert!(set.contains(&triple(&st, rdf::PREDICATE.as_str(), n(&p))));
        assert!(set.contains(&triple(&st, rdf::OBJECT.as_str(), n(&obj))));
        assert_eq!(
            objects(&set, &st, &kgo("weight")),
            vec![Term::from(Literal::new_typed_literal("2", xsd::INTEGER))]
        );
        assert_eq!(
            objects(&set, &st, &kgo("amount")),
            vec![Term::from(Literal::new_typed_literal("1000000000", xsd::DECIMAL))]
        );
        assert_eq!(objects(&set, &st, &kgo("currency")), vec![Term::from(text("EUR"))]);
        let evidence = objects(&set, &st, &kgo("evidence"));
        assert_eq!(evidence.len(), 2);
        // The apposition evidence: start 120, end 120 + sentence length.
        let sentence = "un investissement d'un milliard d'euros";
        let apposition = evidence
            .iter()
            .map(|e| match e {
                Term::NamedNode(n) => n.as_str().to_string(),
                other => panic!("evidence is not an IRI: {other}"),
            })
            .find(|e| {
                objects(&set, e, &kgo("rule")) == vec![Term::from(text("fr.invest.apposition"))]
            })
            .expect("the apposition evidence is linked");
        assert_eq!(
            objects(&set, &apposition, &kgo("start")),
            vec![Term::from(Literal::new_typed_literal("120", xsd::INTEGER))]
        );
        let end = (120 + sentence.len()).to_string();
        assert_eq!(
            objects(&set, &apposition, &kgo("end")),
            vec![Term::from(Literal::new_typed_literal(end, xsd::INTEGER))]
        );
        assert_eq!(objects(&set, &apposition, &kgo("sentence")), vec![Term::from(text(sentence))]);
        assert_eq!(
            objects(&set, &apposition, &format!("{}wasDerivedFrom", ns::PROV)),
            vec![Term::from(n(&format!("{BASE}document/doc-b")))]
        );
    }

    #[test]
    fn entities_and_documents_are_described() {
        let set = parse_turtle(&turtle());
        let telekom = format!("{BASE}organization/deutsche-telekom");
        let same_as = format!("{}sameAs", ns::OWL);
        assert_eq!(
            objects(&set, &telekom, &same_as),
            vec![Term::from(n(&format!("{}Q9396", ns::WD)))]
        );
        let nvidia = format!("{BASE}organization/nvidia");
        assert!(objects(&set, &nvidia, &same_as).is_empty());
        assert_eq!(
            objects(&set, &telekom, &format!("{}mentions", ns::KGO)),
            vec![Term::from(Literal::new_typed_literal("3", xsd::INTEGER))]
        );
        assert_eq!(
            objects(&set, &telekom, &format!("{}alternateName", ns::SCHEMA)),
            vec![Term::from(text("Telekom"))]
        );
        let doc = format!("{BASE}document/doc-b");
        assert_eq!(
            objects(&set, &doc, &format!("{}url", ns::SCHEMA)),
            vec![Term::from(n("https://example.com/news/telekom?x=1&y=2"))]
        );
        let doc_a = format!("{BASE}document/doc-a");
        assert!(objects(&set, &doc_a, &format!("{}name", ns::SCHEMA)).is_empty());
    }

    #[test]
    fn no_blank_nodes_and_same_triples_in_ntriples() {
        let ttl = turtle();
        let set = parse_turtle(&ttl);
        assert!(set.iter().all(|t| !matches!(t.subject, NamedOrBlankNode::BlankNode(_))
            && !matches!(t.object, Term::BlankNode(_))));
        let mut nt = Vec::new();
        write_ntriples(&sample_graph(), &ExportOptions::default(), &mut nt).unwrap();
        let nt_set: HashSet<Triple> = NTriplesParser::new()
            .for_slice(&nt)
            .collect::<Result<_, _>>()
            .expect("the N-Triples output parses");
        assert_eq!(set, nt_set);
        assert_eq!(nt.iter().filter(|b| **b == b'\n').count(), set.len());
    }

    #[test]
    fn output_is_deterministic_and_uses_prefixes() {
        let ttl = turtle();
        assert_eq!(ttl, turtle());
        let text = String::from_utf8(ttl).unwrap();
        for prefix in ["kgo", "schema", "wd", "prov", "owl", "rdfs", "rdf", "xsd", "kg"] {
            assert!(text.contains(&format!("@prefix {prefix}: <")), "{prefix}");
        }
        assert!(text.contains("owl:sameAs wd:Q9396"), "{text}");
    }
}
