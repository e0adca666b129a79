//! The exports read by the tools people actually use: rapper and serdi (C RDF parsers), rdflib and
//! pyoxigraph (Python RDF), xmllint against the GraphML schema and the GEXF grammar, networkx
//! (GraphML, GEXF, node-link JSON) and igraph, and Graphviz.
//! A missing tool is a skip locally and a failure under `CI=true` (see `util::skip_or_fail`).

mod util;

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use kgsmith::export::{write, write_atomic, ExportOptions, Format, SymmetricEdges};
use kgsmith::graph::sample::sample_graph;
use kgsmith::graph::KnowledgeGraph;
use oxrdf::Triple;
use oxttl::{NTriplesParser, TurtleParser};
use tempfile::TempDir;
use util::{
    assert_success, hostile_graph, python, python_modules_or_skip, run_or_skip, seeds_graph,
    shared_dir, without_xml_controls,
};

/// One exported graph: its name, the graph and the file written in the format under test.
struct Export {
    name: &'static str,
    graph: KnowledgeGraph,
    path: PathBuf,
}

/// Writes the sample, the hostile and the seeds' graph in `format` to a fresh temporary directory.
fn export(format: Format) -> (TempDir, Vec<Export>) {
    export_with(format, &ExportOptions::default())
}

fn export_with(format: Format, options: &ExportOptions) -> (TempDir, Vec<Export>) {
    let dir = tempfile::tempdir().unwrap();
    let exports =
        [("sample", sample_graph()), ("hostile", hostile_graph()), ("seeds", seeds_graph())]
            .into_iter()
            .map(|(name, graph)| {
                let path = dir.path().join(format!("{name}.{}", format.extension()));
                write_atomic(&path, |out| write(format, &graph, options, out))
                    .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
                Export { name, graph, path }
            })
            .collect();
    (dir, exports)
}

fn oxttl_triples(path: &Path, format: Format) -> HashSet<Triple> {
    let bytes = std::fs::read(path).unwrap();
    let triples: Result<HashSet<Triple>, _> = match format {
        Format::Turtle => TurtleParser::new().for_slice(&bytes).collect(),
        Format::NTriples => NTriplesParser::new().for_slice(&bytes).collect(),
        other => panic!("{other:?} is not RDF"),
    };
    triples.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `rapper: Parsing returned 130 triples` → 130.
fn rapper_count(stderr: &str) -> usize {
    let tail = stderr
        .rsplit("Parsing returned ")
        .next()
        .filter(|_| stderr.contains("Parsing returned "))
        .unwrap_or_else(|| panic!("no triple count in rapper's output: {stderr}"));
    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

/// Asserts two triple sets are equal, showing only the triples in one and not the other.
fn assert_same_triples(theirs: &HashSet<Triple>, ours: &HashSet<Triple>, what: &str) {
    let only_theirs: Vec<String> = theirs.difference(ours).map(|t| t.to_string()).collect();
    let only_ours: Vec<String> = ours.difference(theirs).map(|t| t.to_string()).collect();
    assert!(
        only_theirs.is_empty() && only_ours.is_empty(),
        "{what}: only the client's:\n{}\nonly ours:\n{}",
        only_theirs.join("\n"),
        only_ours.join("\n")
    );
}

/// Parses the N-Triples a tool wrote; they must be valid for oxttl.
fn ntriples_from(tool: &str, bytes: &[u8]) -> HashSet<Triple> {
    NTriplesParser::new()
        .for_slice(bytes)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{tool} writes N-Triples oxttl cannot read: {e}"))
}

/// `tool` (rapper or serdi) parses each export and writes it back as N-Triples: as many triples
/// as oxttl reads (by the tool's own `count`), and the same triple set.
fn check_ntriples_writer(
    tool: &str,
    format: Format,
    syntax: &str,
    count: impl Fn(&std::process::Output) -> usize,
) {
    let (_dir, exports) = export(format);
    for export in &exports {
        let args = [
            OsStr::new("-i"),
            OsStr::new(syntax),
            OsStr::new("-o"),
            OsStr::new("ntriples"),
            export.path.as_os_str(),
        ];
        let Some(output) = run_or_skip(tool, args) else {
            return;
        };
        assert_success(tool, &output);
        let ours = oxttl_triples(&export.path, format);
        assert_eq!(count(&output), ours.len(), "{}: {tool}'s triple count", export.name);
        let theirs = ntriples_from(tool, &output.stdout);
        assert_same_triples(&theirs, &ours, &format!("{}: {tool}", export.name));
    }
}

/// rapper reports its count on stderr.
fn check_rapper(format: Format, syntax: &str) {
    check_ntriples_writer("rapper", format, syntax, |o| {
        rapper_count(&String::from_utf8_lossy(&o.stderr))
    });
}

#[test]
fn rapper_counts_the_turtle_triples() {
    check_rapper(Format::Turtle, "turtle");
}

#[test]
fn rapper_counts_the_ntriples_triples() {
    check_rapper(Format::NTriples, "ntriples");
}

/// serdi says nothing on stderr and writes one triple a line.
fn check_serdi(format: Format, syntax: &str) {
    check_ntriples_writer("serdi", format, syntax, |o| {
        assert_eq!(String::from_utf8_lossy(&o.stderr), "", "serdi warns");
        o.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count()
    });
}

#[test]
fn serdi_reads_the_turtle() {
    check_serdi(Format::Turtle, "turtle");
}

#[test]
fn serdi_reads_the_ntriples() {
    check_serdi(Format::NTriples, "ntriples");
}

/// Parses with rdflib and prints the count, then the graph as N-Triples.
const RDFLIB: &str = r#"
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format=sys.argv[2])
sys.stdout.write(str(len(g)) + "\n")
sys.stdout.write(g.serialize(format="nt"))
"#;

fn check_rdflib(format: Format, syntax: &str) {
    if !python_modules_or_skip(&["rdflib"]) {
        return;
    }
    let (_dir, exports) = export(format);
    for export in &exports {
        let out = python(RDFLIB, &[export.path.as_os_str(), OsStr::new(syntax)]);
        let (count, nt) = out.split_once('\n').expect("a count line");
        let ours = oxttl_triples(&export.path, format);
        assert_eq!(count.parse::<usize>().unwrap(), ours.len(), "{}", export.name);
        let theirs: HashSet<Triple> = NTriplesParser::new()
            .for_slice(nt.as_bytes())
            .collect::<Result<_, _>>()
            .expect("rdflib writes valid N-Triples");
        assert_eq!(theirs, ours, "{}: rdflib reads the same triples", export.name);
    }
}

#[test]
fn rdflib_reads_the_turtle() {
    check_rdflib(Format::Turtle, "turtle");
}

#[test]
fn rdflib_reads_the_ntriples() {
    check_rdflib(Format::NTriples, "nt");
}

/// Loads into a pyoxigraph store; prints the size, the organizations located in Germany (found by
/// the place's label, as a user would ask), a separator line, then the store as N-Triples.
const PYOXIGRAPH: &str = r#"
import sys, pyoxigraph as ox
store = ox.Store()
store.load(path=sys.argv[1], format=FORMAT)
print(len(store))
query = """PREFIX kgo: <https://w3id.org/kgsmith/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s WHERE {
  ?germany rdfs:label "Allemagne" .
  ?s a schema:Organization ; kgo:locatedIn ?germany .
}"""
for solution in store.query(query):
    print(solution["s"].value)
print("--")
sys.stdout.flush()
sys.stdout.buffer.write(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
"#;

fn check_pyoxigraph(format: Format, rdf_format: &str) {
    if !python_modules_or_skip(&["pyoxigraph"]) {
        return;
    }
    let (_dir, exports) = export(format);
    for export in &exports {
        let script = PYOXIGRAPH.replace("FORMAT", rdf_format);
        let out = python(&script, &[export.path.as_os_str()]);
        let (head, dump) = out.split_once("\n--\n").expect("a separator line");
        let mut lines = head.lines();
        let count: usize = lines.next().unwrap().parse().unwrap();
        let ours = oxttl_triples(&export.path, format);
        assert_eq!(count, ours.len(), "{}", export.name);
        let theirs = ntriples_from("pyoxigraph", dump.as_bytes());
        assert_eq!(theirs, ours, "{}: pyoxigraph holds the same triples", export.name);
        let mut located: Vec<&str> = lines.map(|iri| iri.rsplit("/id/").next().unwrap()).collect();
        located.sort_unstable();
        match export.name {
            // the sample's only thing located in Germany is a facility, not an organization
            "sample" => assert!(located.is_empty(), "{located:?}"),
            // which organizations are located in Germany? The core gold rows: Aleph Alpha, Bitkom
            // and SAP (Deutsche Telekom is a hard row the rules miss; the facility and Munich's
            // organizations are not directly located in Germany)
            "seeds" => assert_eq!(
                located,
                ["organization/aleph-alpha", "organization/bitkom", "organization/sap"],
                "{}",
                export.name
            ),
            _ => assert!(located.is_empty(), "{located:?}"),
        }
    }
}

#[test]
fn pyoxigraph_loads_and_queries_the_turtle() {
    check_pyoxigraph(Format::Turtle, "ox.RdfFormat.TURTLE");
}

#[test]
fn pyoxigraph_loads_and_queries_the_ntriples() {
    check_pyoxigraph(Format::NTriples, "ox.RdfFormat.N_TRIPLES");
}

/// Runs `xmllint --noout --nonet <mode> <grammar>` on every export; each must validate.
fn xmllint_validates(mode: &str, grammar: &Path, exports: &[Export]) {
    for export in exports {
        let args = [
            OsStr::new("--noout"),
            OsStr::new("--nonet"),
            OsStr::new(mode),
            grammar.as_os_str(),
            export.path.as_os_str(),
        ];
        let Some(output) = run_or_skip("xmllint", args) else {
            return;
        };
        assert_success("xmllint", &output);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            stderr.trim(),
            format!("{} validates", export.path.display()),
            "{}",
            export.name
        );
    }
}

#[test]
fn xmllint_validates_the_graphml_against_the_schema() {
    let schema = shared_dir().join("schemas/graphml/1.0/graphml.xsd");
    assert!(schema.is_file(), "no GraphML schema at {}", schema.display());
    let mixed = mixed_graph();
    let (_d1, mut exports) = export(Format::GraphMl);
    let (_d2, mixed_exports) = export_with(Format::GraphMl, &mixed);
    exports.extend(mixed_exports);
    xmllint_validates("--schema", &schema, &exports);
}

/// Node labels by id, as (node count, edge count, labels) from a Python reader's JSON.
fn read_summary(json: &str) -> (usize, usize, BTreeMap<String, String>) {
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON from python");
    let labels = value["labels"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    (value["nodes"].as_u64().unwrap() as usize, value["edges"].as_u64().unwrap() as usize, labels)
}

fn expected_labels(graph: &KnowledgeGraph) -> BTreeMap<String, String> {
    graph.entities().map(|e| (e.id.clone(), without_xml_controls(&e.label))).collect()
}

/// networkx reads the default GraphML as it is: every edge directed, symmetric ones flagged.
const NETWORKX: &str = r#"
import sys, json, networkx as nx
g = nx.read_graphml(sys.argv[1])
labels = {n: d["label"] for n, d in g.nodes(data=True)}
symmetric = sorted(d["relation"] for _, _, d in g.edges(data=True) if d["symmetric"])
print(json.dumps({"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                  "labels": labels, "symmetric": symmetric}))
"#;

#[test]
fn networkx_reads_the_graphml() {
    if !python_modules_or_skip(&["networkx"]) {
        return;
    }
    let (_dir, exports) = export(Format::GraphMl);
    for export in &exports {
        let out = python(NETWORKX, &[export.path.as_os_str()]);
        let (nodes, edges, labels) = read_summary(&out);
        assert_eq!(nodes, export.graph.entity_count(), "{}", export.name);
        assert_eq!(edges, export.graph.relation_count(), "{}", export.name);
        assert_eq!(labels, expected_labels(&export.graph), "{}", export.name);
        let symmetric = export.graph.edges().filter(|e| e.relation.symmetric).count();
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["symmetric"].as_array().unwrap().len(), symmetric, "{}", export.name);
    }
}

const IGRAPH: &str = r#"
import sys, json, igraph
g = igraph.Graph.Read_GraphML(sys.argv[1])
labels = dict(zip(g.vs["id"], g.vs["label"]))
print(json.dumps({"nodes": g.vcount(), "edges": g.ecount(), "labels": labels}))
"#;

#[test]
fn igraph_reads_the_graphml() {
    if !python_modules_or_skip(&["igraph"]) {
        return;
    }
    let (_dir, exports) = export(Format::GraphMl);
    for export in &exports {
        let (nodes, edges, labels) = read_summary(&python(IGRAPH, &[export.path.as_os_str()]));
        assert_eq!(nodes, export.graph.entity_count(), "{}", export.name);
        assert_eq!(edges, export.graph.relation_count(), "{}", export.name);
        assert_eq!(labels, expected_labels(&export.graph), "{}", export.name);
    }
}

/// `--mixed-graph`: symmetric relations as undirected edges.
fn mixed_graph() -> ExportOptions {
    ExportOptions { symmetric_edges: SymmetricEdges::Undirected, ..Default::default() }
}

#[test]
fn xmllint_validates_the_gexf_against_the_relaxng_grammar() {
    // The RELAX NG grammar, not the XSD: the shipped viz.xsd declares no elements.
    let grammar = shared_dir().join("schemas/gexf/1.3/gexf.rng");
    assert!(grammar.is_file(), "no GEXF grammar at {}", grammar.display());
    let (_d1, mut exports) = export(Format::Gexf);
    let (_d2, mixed) = export_with(Format::Gexf, &mixed_graph());
    exports.extend(mixed);
    xmllint_validates("--relaxng", &grammar, &exports);
}

/// networkx reads GEXF with `defaultedgetype="directed"` as a MultiDiGraph (edge ids as keys).
const NETWORKX_GEXF: &str = r#"
import sys, json, networkx as nx
g = nx.read_gexf(sys.argv[1])
labels = {n: d["label"] for n, d in g.nodes(data=True)}
kinds = sorted(d["relation"] for _, _, d in g.edges(data=True))
symmetric = sorted(d["relation"] for _, _, d in g.edges(data=True) if d["symmetric"])
weights = sorted(d["weight"] for _, _, d in g.edges(data=True))
print(json.dumps({"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "labels": labels,
                  "directed": g.is_directed(), "kinds": kinds, "symmetric": symmetric,
                  "weights": weights}))
"#;

#[test]
fn networkx_reads_the_gexf() {
    if !python_modules_or_skip(&["networkx"]) {
        return;
    }
    // the default output: networkx refuses `type="undirected"` edges in a directed graph
    let (_dir, exports) = export(Format::Gexf);
    for export in &exports {
        let out = python(NETWORKX_GEXF, &[export.path.as_os_str()]);
        let (nodes, edges, labels) = read_summary(&out);
        assert_eq!(nodes, export.graph.entity_count(), "{}", export.name);
        assert_eq!(edges, export.graph.relation_count(), "{}", export.name);
        assert_eq!(labels, expected_labels(&export.graph), "{}", export.name);
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["directed"], true);
        let strings = |key: &str| -> Vec<String> {
            value[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().into()).collect()
        };
        let mut kinds: Vec<String> =
            export.graph.edges().map(|e| e.relation.relation.clone()).collect();
        kinds.sort();
        assert_eq!(strings("kinds"), kinds, "{}", export.name);
        let mut symmetric: Vec<String> = export
            .graph
            .edges()
            .filter(|e| e.relation.symmetric)
            .map(|e| e.relation.relation.clone())
            .collect();
        symmetric.sort();
        assert_eq!(strings("symmetric"), symmetric, "{}", export.name);
        let mut weights: Vec<f64> =
            export.graph.edges().map(|e| e.relation.weight() as f64).collect();
        weights.sort_by(f64::total_cmp);
        let read: Vec<f64> =
            value["weights"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert_eq!(read, weights, "{}", export.name);
    }
}

/// Reads the node-link JSON with networkx's default edge list name and, where the keyword exists
/// (networkx ≥ 3.4), with `edges="links"`; one summary line per reading.
const NETWORKX_JSON: &str = r#"
import sys, json, inspect, networkx as nx
with open(sys.argv[1], encoding="utf-8") as f:
    data = json.load(f)
graphs = [nx.node_link_graph(data)]
if "edges" in inspect.signature(nx.node_link_graph).parameters:
    graphs.append(nx.node_link_graph(data, edges="links"))
for g in graphs:
    labels = {n: d["label"] for n, d in g.nodes(data=True)}
    partner = sorted([u, v, d["evidence"]] for u, v, k, d in g.edges(keys=True, data=True)
                     if k == "partnerOf")
    print(json.dumps({"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                      "labels": labels, "partner": partner, "directed": g.is_directed(),
                      "multigraph": g.is_multigraph()}))
"#;

#[test]
fn networkx_reads_the_node_link_json() {
    if !python_modules_or_skip(&["networkx"]) {
        return;
    }
    let (_dir, exports) = export(Format::Json);
    for export in &exports {
        let out = python(NETWORKX_JSON, &[export.path.as_os_str()]);
        let lines: Vec<&str> = out.lines().collect();
        assert!(!lines.is_empty(), "{}", export.name);
        let expected_labels: BTreeMap<String, String> =
            export.graph.entities().map(|e| (e.id.clone(), e.label.clone())).collect();
        let expected_partner: Vec<serde_json::Value> = export
            .graph
            .edges()
            .filter(|e| e.relation.relation == "partnerOf")
            .map(|e| {
                let evidence: Vec<serde_json::Value> = e
                    .relation
                    .evidence
                    .iter()
                    .map(|ev| {
                        serde_json::json!({"document": ev.document, "start": ev.start,
                            "end": ev.end, "sentence": ev.sentence, "rule": ev.rule,
                            "date": ev.date})
                    })
                    .collect();
                serde_json::json!([e.subject.id, e.object.id, evidence])
            })
            .collect();
        for line in lines {
            let (nodes, edges, labels) = read_summary(line);
            assert_eq!(nodes, export.graph.entity_count(), "{}", export.name);
            assert_eq!(edges, export.graph.relation_count(), "{}", export.name);
            assert_eq!(labels, expected_labels, "{}: labels exact", export.name);
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(value["directed"], true);
            assert_eq!(value["multigraph"], true);
            let mut partner = value["partner"].as_array().unwrap().clone();
            partner.sort_by_key(|p| p.to_string());
            let mut expected = expected_partner.clone();
            expected.sort_by_key(|p| p.to_string());
            assert_eq!(partner, expected, "{}", export.name);
            if export.name != "hostile" {
                assert_eq!(partner.len(), 1, "{}: one partnerOf edge", export.name);
            }
        }
    }
}

#[test]
fn graphviz_renders_the_dot_without_warnings() {
    let (_dir, exports) = export(Format::Dot);
    for export in &exports {
        let args = [OsStr::new("-Tsvg"), export.path.as_os_str()];
        let Some(output) = run_or_skip("dot", args) else {
            return;
        };
        assert_success("dot -Tsvg", &output);
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{}", export.name);
        let svg = String::from_utf8_lossy(&output.stdout);
        assert!(svg.contains("<svg"), "{}", export.name);
        // Every entity and relation, plus the legend: one node per type, two points per relation.
        let types: HashSet<&str> =
            export.graph.entities().map(|e| e.entity_type.as_str()).collect();
        let relations = export.graph.relation_counts().len();
        let nodes = export.graph.entity_count() + types.len() + 2 * relations;
        let edges = export.graph.relation_count() + relations;
        assert_eq!(svg.matches("class=\"node\"").count(), nodes, "{}", export.name);
        assert_eq!(svg.matches("class=\"edge\"").count(), edges, "{}", export.name);
    }
}

/// Reads every file named on the command line with rdflib (`.ttl`, `.nt`) or networkx (`.graphml`,
/// `.gexf`, `.json`) and prints one JSON line per file: triples, or nodes and edges.
const PYTHON_READERS: &str = r#"
import sys, json, rdflib, networkx as nx
for path in sys.argv[1:]:
    ext = path.rsplit(".", 1)[1]
    if ext in ("ttl", "nt"):
        g = rdflib.Graph()
        g.parse(path, format="turtle" if ext == "ttl" else "nt")
        print(json.dumps({"path": path, "triples": len(g)}))
        continue
    if ext == "graphml":
        g = nx.read_graphml(path, force_multigraph=True)
    elif ext == "gexf":
        g = nx.read_gexf(path)
    else:
        with open(path, encoding="utf-8") as f:
            g = nx.node_link_graph(json.load(f), edges="links")
    print(json.dumps({"path": path, "nodes": g.number_of_nodes(), "edges": g.number_of_edges()}))
"#;

/// Arbitrary graphs (hostile and colliding names, every relation, amounts, evidence; see
/// `util::arbitrary_graph`) load in the real clients as the fixed graphs do: rapper and serdi read
/// the same triples as oxttl, xmllint validates GraphML and GEXF, Graphviz draws the DOT without a
/// word on stderr, rdflib and networkx read every file with the right counts.
#[test]
fn arbitrary_graphs_load_in_the_real_clients() {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let bytes = proptest::collection::vec(proptest::arbitrary::any::<u8>(), 200..1500);
    let dir = tempfile::tempdir().unwrap();
    let graphml_schema = shared_dir().join("schemas/graphml/1.0/graphml.xsd");
    let gexf_grammar = shared_dir().join("schemas/gexf/1.3/gexf.rng");
    let mut python_files: Vec<PathBuf> = Vec::new();
    let mut expected: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for case in 0..12 {
        let data = bytes.new_tree(&mut runner).unwrap().current();
        let graph = util::arbitrary_graph::graph_from_bytes(&data);
        let path = |format: Format| dir.path().join(format!("g{case}.{}", format.extension()));
        for format in Format::ALL {
            std::fs::write(path(format), util::readback::export(&graph, format)).unwrap();
        }
        let name = |format: Format| path(format).display().to_string();
        for (format, syntax) in [(Format::Turtle, "turtle"), (Format::NTriples, "ntriples")] {
            let ours = oxttl_triples(&path(format), format);
            expected.insert(name(format), (ours.len(), 0));
            let rapper = [OsStr::new("-q"), OsStr::new("-i"), OsStr::new(syntax)];
            let file = path(format);
            if let Some(out) =
                run_or_skip("rapper", rapper.iter().copied().chain([file.as_os_str()]))
            {
                assert_success(&format!("rapper {}", name(format)), &out);
                assert_same_triples(&ntriples_from("rapper", &out.stdout), &ours, &name(format));
            }
            let serdi = [OsStr::new("-i"), OsStr::new(syntax), file.as_os_str()];
            if let Some(out) = run_or_skip("serdi", serdi) {
                assert_success(&format!("serdi {}", name(format)), &out);
                assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{}", name(format));
                assert_same_triples(&ntriples_from("serdi", &out.stdout), &ours, &name(format));
            }
        }
        for (format, mode, grammar) in [
            (Format::GraphMl, "--schema", &graphml_schema),
            (Format::Gexf, "--relaxng", &gexf_grammar),
        ] {
            let file = path(format);
            let args = [OsStr::new("--noout"), OsStr::new("--nonet"), OsStr::new(mode)];
            let args = args.into_iter().chain([grammar.as_os_str(), file.as_os_str()]);
            if let Some(out) = run_or_skip("xmllint", args) {
                assert_success(&format!("xmllint {}", name(format)), &out);
            }
        }
        let dot = path(Format::Dot);
        if let Some(out) = run_or_skip("dot", [OsStr::new("-Tsvg"), dot.as_os_str()]) {
            assert_success(&format!("dot {}", name(Format::Dot)), &out);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr, "", "{}", name(Format::Dot));
        }
        let counts = (graph.entity_count(), graph.relation_count());
        for format in [Format::GraphMl, Format::Gexf, Format::Json] {
            expected.insert(name(format), counts);
        }
        python_files.extend(
            [Format::Turtle, Format::NTriples, Format::GraphMl, Format::Gexf, Format::Json]
                .map(path),
        );
    }
    if !python_modules_or_skip(&["rdflib", "networkx"]) {
        return;
    }
    let args: Vec<&OsStr> = python_files.iter().map(|p| p.as_os_str()).collect();
    let out = python(PYTHON_READERS, &args);
    let mut read: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let count = |key: &str| v.get(key).and_then(|n| n.as_u64()).unwrap_or(0) as usize;
        let counts = match v.get("triples") {
            Some(_) => (count("triples"), 0),
            None => (count("nodes"), count("edges")),
        };
        read.insert(v["path"].as_str().unwrap().to_string(), counts);
    }
    assert_eq!(read, expected);
}

/// Found with arbitrary graphs: oxrdf writes NUL, U+FFFE and U+FFFF as `\u` escapes; rapper
/// refuses the two non-characters ("illegal Unicode character") and cuts a string at NUL. The RDF
/// exports drop these three.
#[test]
fn rapper_reads_text_that_held_non_characters() {
    use kgsmith::graph::{Entity, KnowledgeGraph};
    let entity = Entity {
        id: "organization:a".into(),
        iri_path: "organization/a".into(),
        label: "A\u{FFFE}B\u{FFFF}C\u{0}".into(),
        entity_type: "Organization".into(),
        aliases: vec!["\u{FFFF}".into()],
        wikidata: None,
        mentions: 1,
    };
    let graph = KnowledgeGraph::from_parts(
        kgsmith::graph::sample::sample_vocabulary(),
        vec![],
        vec![entity],
        vec![],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (format, syntax) in [(Format::Turtle, "turtle"), (Format::NTriples, "ntriples")] {
        let path = dir.path().join(format!("kg.{}", format.extension()));
        std::fs::write(&path, util::readback::export(&graph, format)).unwrap();
        let ours = oxttl_triples(&path, format);
        let label = ours
            .iter()
            .find(|t| {
                t.predicate == oxrdf::vocab::rdfs::LABEL && t.subject.to_string().contains("/a>")
            })
            .map(|t| t.object.to_string());
        assert_eq!(label.as_deref(), Some("\"ABC\""));
        let args = [OsStr::new("-q"), OsStr::new("-i"), OsStr::new(syntax), path.as_os_str()];
        let Some(output) = run_or_skip("rapper", args) else {
            return;
        };
        assert_success("rapper", &output);
        assert_eq!(ntriples_from("rapper", &output.stdout), ours);
    }
}
