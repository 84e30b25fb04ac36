//! Loading files, directories and strings into [`Document`]s.
//!
//! Phases two to four of reading: the generic tree from [`crate::syntax`] is normalized and
//! decoded into the typed models of [`crate::model`] with key paths (`decode`, one decoder
//! per document kind, over the shared decoding context of `context`), Consul's validation
//! rules run on the result (`validate`), and every problem becomes a located
//! [`Diagnostic`] ([`error`]). Inside this folder the calls go one way: decode → validate →
//! context.

use std::io::Read;
use std::path::Path;

mod context;
mod decode;
pub mod error;
pub mod kubernetes;
mod nomad;
mod read;
mod source;
mod validate;
mod walk;

pub use context::MAX_DIAGNOSTICS_PER_FILE;
pub use read::{ReadError, read_bounded};

use crate::load::context::Cx;
use crate::load::decode::Documents;
use crate::load::error::{Diagnostic, LoadError};
use crate::load::source::{Source, SourceDoc, Text};
use crate::model::document::{Document, Format};
use crate::syntax::tree::{Limits, Node, SyntaxError};

/// Reads documents with limits. `Loader::default()` is what [`from_str`] uses.
#[derive(Clone, Debug, Default)]
pub struct Loader {
    limits: Limits,
}

/// What a load produced: the documents that loaded, and every problem found.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Loaded {
    /// The documents, in file order then source order.
    pub documents: Vec<Document>,
    /// Every error and warning, in file order then source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The documents, or every diagnostic when any is an error.
    ///
    /// # Errors
    ///
    /// A [`LoadError`] holding every diagnostic when any of them is an error.
    pub fn into_result(self) -> Result<Vec<Document>, LoadError> {
        if self.has_errors() {
            let mut diagnostics = self.diagnostics;
            diagnostics.sort_by_key(Diagnostic::severity);
            Err(LoadError { diagnostics })
        } else {
            Ok(self.documents)
        }
    }
}

impl Loader {
    /// A loader with the default [`Limits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The same loader with other limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Loads one document text in `format`; `file` names it in diagnostics. A YAML text may
    /// hold several documents (`---`).
    pub fn load_str(&self, src: &str, format: Format, file: Option<&Path>) -> Loaded {
        load_sources(vec![source::parse(src, format, file, &self.limits)])
    }

    /// Loads one file, its format taken from its extension. The file is read whatever it is
    /// (a FIFO or a device too), never more than [`Limits::max_bytes`] of it.
    pub fn load_file(&self, path: &Path) -> Loaded {
        let text = self.read_file(path);
        load_sources(vec![text.parse(&self.limits)])
    }

    /// Loads one file in `format`, whatever its extension (a `.conf` file, say), read as
    /// [`Loader::load_file`] reads.
    pub fn load_file_as(&self, path: &Path, format: Format) -> Loaded {
        match read::file_text_as(path, self.limits.max_bytes) {
            Ok(src) => load_sources(vec![source::parse(&src, format, Some(path), &self.limits)]),
            Err(d) => load_sources(vec![source::failed(d.in_file(Some(path)))]),
        }
    }

    /// Loads one document in `format` from `reader` (standard input, a socket, any stream),
    /// reading at most [`Limits::max_bytes`] of it: more is an error found while reading, so
    /// an endless stream costs no more than the limit. `file` names it in diagnostics.
    ///
    /// ```
    /// use meshroute::tree::Limits;
    /// use meshroute::{Format, Loader};
    ///
    /// let loader = Loader::new().with_limits(Limits::default().with_max_bytes(1024));
    /// let loaded = loader.load_reader(std::io::repeat(b' '), Format::Json, None);
    /// let d = &loaded.diagnostics[0];
    /// assert_eq!(d.message(), "input is over the limit of 1024 bytes");
    /// assert!(d.is_unreadable());
    /// ```
    pub fn load_reader<R: Read>(&self, reader: R, format: Format, file: Option<&Path>) -> Loaded {
        match read::text(reader, self.limits.max_bytes, "input") {
            Ok(src) => load_sources(vec![source::parse(&src, format, file, &self.limits)]),
            Err(d) => load_sources(vec![source::failed(d.in_file(file))]),
        }
    }

    /// Loads files and directories, each file once (by device and inode, whatever path or
    /// link leads to it). Directories are searched recursively, in name order, for `.hcl`,
    /// `.json`, `.yaml`, `.yml`, `.nomad` and `.nomad.hcl` files; a symbolic link to a
    /// directory is followed once, a link back to a directory that contains it (a cycle) is
    /// reported and not followed, and special files (FIFOs, sockets, devices) found in a
    /// directory are skipped with a warning; a path given here is read whatever it is. A
    /// file or directory that cannot be read is reported at its own path, with the operating
    /// system's cause, and the search goes on.
    ///
    /// Each file is decoded as it is read, and its text and trees dropped before the next is
    /// read, until one holds a Kubernetes manifest or Helm values: from that file on, files
    /// are kept parsed and decoded once every one is read, so that each manifest is decoded
    /// with its cluster's Helm values wherever those are among the inputs
    /// (`docs/loading.md`). The same documents and diagnostics, in the same order, as
    /// reading every file first.
    ///
    /// [`Loader::load_paths_each`] does the same without collecting the documents.
    pub fn load_paths<P: AsRef<Path>>(&self, paths: &[P]) -> Loaded {
        let mut documents = Vec::new();
        let diagnostics = self.load_paths_each(paths, |d| documents.push(d));
        Loaded {
            documents,
            diagnostics,
        }
    }

    /// [`Loader::load_paths`], handing each document to `sink` as it is decoded instead of
    /// collecting them, and returning the diagnostics: the same as
    /// [`Loader::load_paths_each`], file by file. What
    /// [`Topology::load_paths`](crate::topology::Topology::load_paths) does, so that a
    /// `TopologyBuilder` takes each document, and drops its upstreams' models, as it comes.
    ///
    /// (It read and parsed every file before decoding any, which glibc's allocator once made
    /// the faster way; with the decoders of issue 14 file by file is as fast and holds one
    /// file's text and trees instead of all of them: docs/performance.md, "The whole job's own
    /// stages".)
    pub fn load_paths_with<P: AsRef<Path>>(
        &self,
        paths: &[P],
        sink: impl FnMut(Document),
    ) -> Vec<Diagnostic> {
        self.load_paths_each(paths, sink)
    }

    /// [`Loader::load_paths`], handing each document to `sink` as soon as it is decoded, in
    /// the same order, and returning the diagnostics. Files are decoded one at a time, as
    /// they are read, and nothing is kept of their documents here: a sink that turns them
    /// into something smaller (a `TopologyBuilder`, say) never holds them all, nor their
    /// trees. Kubernetes manifests need their cluster's Helm values, which may be in any file:
    /// from the first file holding a manifest or Helm values on, files are kept parsed until
    /// every one is read. The same documents and diagnostics, in the same order, as reading
    /// and parsing every file before decoding any.
    ///
    /// ```
    /// use meshroute::{Loader, Topology};
    ///
    /// // The VM datacenters of examples/.
    /// const EXAMPLES: [&str; 3] = ["examples/primary", "examples/secondary", "examples/failover"];
    /// let mut builder = Topology::builder();
    /// let diagnostics = Loader::new().load_paths_each(&EXAMPLES, |d| {
    ///     builder.add_document(d);
    /// });
    /// assert!(diagnostics.iter().all(|d| !d.is_error()));
    /// let topology = builder.build();
    /// assert_eq!(topology.resolve().len(), 8);
    /// ```
    pub fn load_paths_each<P: AsRef<Path>>(
        &self,
        paths: &[P],
        mut sink: impl FnMut(Document),
    ) -> Vec<Diagnostic> {
        let mut stream = Streamed::default();
        // Each file's text goes once its source is decoded, or kept owning its trees.
        self.walk_paths(paths, |t| stream.push(t.parse(&self.limits), &mut sink));
        stream.finish(&mut sink)
    }

    /// Every file of `paths` read, in order, each handed to `each`.
    fn walk_paths<P: AsRef<Path>>(&self, paths: &[P], mut each: impl FnMut(Text)) {
        let mut seen = walk::Seen::default();
        for p in paths {
            let p = p.as_ref();
            let meta = match std::fs::metadata(p) {
                Ok(m) => m,
                Err(e) => {
                    each(Text::failed(read::io_error(&e).in_file(Some(p))));
                    continue;
                }
            };
            let id = walk::FileId::of(p, &meta);
            if meta.is_dir() {
                let mut walk = walk::Walk::new(&mut seen);
                walk.dir(p, id);
                for found in walk.found {
                    each(match found {
                        Ok(f) => self.read_file(&f),
                        Err(d) => Text::failed(d),
                    });
                }
            } else {
                each(match seen.file(id, p) {
                    Ok(()) => self.read_file(p),
                    Err(d) => Text::failed(d),
                });
            }
        }
    }

    /// One file read bounded, its format told by its extension.
    fn read_file(&self, path: &Path) -> Text {
        Text {
            file: Some(path.to_path_buf()),
            text: read::file_text(path, self.limits.max_bytes).map_err(|d| d.in_file(Some(path))),
        }
    }
}

/// A load decoded as its sources come ([`Loader::load_paths_each`]): each source is decoded
/// and its documents handed on at once, until one may need a Kubernetes cluster's settings;
/// from then on sources are kept, and decoded when all are read.
#[derive(Default)]
struct Streamed {
    out: Loaded,
    facts: kubernetes::Facts,
    /// From the first source that may need a cluster's settings on, every source, owning
    /// its trees (its text is gone by the time they are decoded).
    kept: Vec<Source<'static>>,
}

impl Streamed {
    fn push(&mut self, mut s: Source<'_>, sink: &mut impl FnMut(Document)) {
        if !self.kept.is_empty() || needs_clusters(&s) {
            self.kept.push(s.into_owned());
            return;
        }
        // A source before any manifest or values file reads no cluster's settings.
        let none = kubernetes::clusters(&[]);
        decode_source(&mut s, &none, &mut self.facts, &mut self.out);
        drop(s);
        self.out.documents.drain(..).for_each(sink);
    }

    /// Decodes the kept sources with their clusters, runs the rules spanning a cluster's
    /// manifests, and returns every diagnostic.
    fn finish(mut self, sink: &mut impl FnMut(Document)) -> Vec<Diagnostic> {
        let kept = std::mem::take(&mut self.kept);
        let clusters = kubernetes::clusters(&kept);
        for mut s in kept {
            decode_source(&mut s, &clusters, &mut self.facts, &mut self.out);
            self.out.documents.drain(..).for_each(&mut *sink);
        }
        self.facts.check(&mut self.out.diagnostics);
        self.out.diagnostics
    }
}

/// Whether decoding `s` may read a cluster's settings: it holds a Kubernetes manifest, or
/// Helm values (which every later manifest of its cluster reads).
fn needs_clusters(s: &Source<'_>) -> bool {
    let Ok((_, docs)) = &s.docs else {
        return false;
    };
    docs.iter()
        .any(|d| kubernetes::is_manifest(&d.tree) || kubernetes::is_helm_values(&d.tree))
}

/// Decodes parsed sources in order, each Kubernetes manifest with its cluster's settings,
/// then runs the rules that span a cluster's manifests. Each source's trees are dropped
/// once it is decoded.
fn load_sources(sources: Vec<Source<'_>>) -> Loaded {
    let mut documents = Vec::new();
    let diagnostics = load_sources_each(sources, |d| documents.push(d));
    Loaded {
        documents,
        diagnostics,
    }
}

/// Decodes `sources` in order, each dropped once decoded, handing each document to `sink`;
/// returns the diagnostics.
fn load_sources_each(sources: Vec<Source<'_>>, mut sink: impl FnMut(Document)) -> Vec<Diagnostic> {
    let clusters = kubernetes::clusters(&sources);
    let mut facts = kubernetes::Facts::default();
    let mut out = Loaded::default();
    for mut s in sources {
        decode_source(&mut s, &clusters, &mut facts, &mut out);
        // Its trees go before `sink` takes its documents, which may keep them.
        drop(s);
        out.documents.drain(..).for_each(&mut sink);
    }
    facts.check(&mut out.diagnostics);
    out.diagnostics
}

/// Decodes the documents of one source into `out`, through one context for the file (its
/// cap on problems spans its documents), then names the file and each problem's document.
fn decode_source(
    s: &mut Source<'_>,
    clusters: &kubernetes::Clusters,
    facts: &mut kubernetes::Facts,
    out: &mut Loaded,
) {
    // What is taken out of each tree is decoded, and dropped, as it goes.
    let mut taken: Vec<_> = match &mut s.docs {
        Ok((format, docs)) => docs.iter_mut().map(|d| take(d, *format)).collect(),
        Err(_) => Vec::new(),
    };
    let s = &*s;
    let (format, docs) = match &s.docs {
        Ok(d) => d,
        Err(d) => {
            out.diagnostics.push(d.clone());
            return;
        }
    };
    let Loaded {
        documents,
        diagnostics,
    } = out;
    let file_start = diagnostics.len();
    // Where each document's problems start, and its number in a stream.
    let mut marks = Vec::with_capacity(docs.len());
    let mut cx = Cx::new(diagnostics);
    let mut file_cx = kubernetes::FileContext::of(s, clusters, docs);
    let mut sink = Documents::new(documents, s.file.as_deref(), *format);
    for (doc, taken) in docs.iter().zip(taken.drain(..)) {
        marks.push((cx.listed(), doc.index));
        decode_doc(&mut cx, &mut file_cx, doc, taken, facts, &mut sink);
    }
    let end = cx.listed();
    cx.finish();
    for d in &mut diagnostics[file_start..] {
        d.file.clone_from(&s.file);
    }
    for (i, &(start, index)) in marks.iter().enumerate() {
        let stop = marks.get(i + 1).map_or(end, |m| m.0);
        for d in &mut diagnostics[start..stop] {
            d.document = index;
        }
    }
}

/// One document decoded by what it is: a Nomad job, a Kubernetes manifest, a Helm values
/// file, or one of Consul's own shapes.
fn decode_doc<'s>(
    cx: &mut Cx<'s, '_>,
    file_cx: &mut kubernetes::FileContext<'s>,
    doc: &'s SourceDoc<'s>,
    taken: Option<Box<[Node<'_>]>>,
    facts: &mut kubernetes::Facts,
    out: &mut Documents<'_>,
) {
    let contents = match DocKind::of(&doc.tree, out.format()) {
        DocKind::Nomad(dialect) => nomad::documents(cx, &doc.tree, dialect),
        DocKind::Manifest => file_cx.decode(cx, doc, facts),
        DocKind::HelmValues => kubernetes::helm_documents(cx, &doc.tree),
        DocKind::Consul => {
            return crate::load::decode::decode_document(cx, &doc.tree, taken, out);
        }
    };
    for c in contents {
        out.push(c);
    }
}

/// What a document is, told by its format and top-level keys.
enum DocKind {
    Nomad(nomad::Dialect),
    Manifest,
    HelmValues,
    /// One of Consul's own shapes.
    Consul,
}

impl DocKind {
    fn of(tree: &Node<'_>, format: Format) -> Self {
        if format == Format::Hcl2 {
            Self::Nomad(nomad::Dialect::Hcl2)
        } else if nomad::is_json_job(tree) {
            Self::Nomad(nomad::Dialect::Json)
        } else if kubernetes::is_manifest(tree) {
            Self::Manifest
        } else if kubernetes::is_helm_values(tree) {
            Self::HelmValues
        } else {
            Self::Consul
        }
    }
}

/// What of `doc`'s tree is decoded by value, taken out of it: an agent file's list of
/// services.
fn take<'s>(doc: &mut SourceDoc<'s>, format: Format) -> Option<Box<[Node<'s>]>> {
    match DocKind::of(&doc.tree, format) {
        DocKind::Consul => crate::load::decode::take_services(&mut doc.tree),
        _ => None,
    }
}

/// Reads `src` in `format` into the generic tree, without decoding it.
///
/// # Errors
///
/// A [`SyntaxError`] when the text is not valid in that format, or over the limits.
pub fn parse_tree<'a>(
    src: &'a str,
    format: Format,
    limits: &Limits,
) -> Result<Node<'a>, SyntaxError> {
    // Each reader applies the size limit itself (`Limits::check_len`), first.
    match format {
        Format::Hcl => crate::syntax::hcl::parse(src, limits),
        Format::Json => crate::syntax::json::parse(src, limits),
        #[cfg(feature = "yaml")]
        Format::Yaml => crate::syntax::yaml::parse(src, limits),
        #[cfg(not(feature = "yaml"))]
        Format::Yaml => Err(SyntaxError::new(
            crate::syntax::tree::Pos::default(),
            "YAML support is not compiled in (enable the `yaml` feature)",
        )),
        #[cfg(feature = "nomad")]
        Format::Hcl2 => crate::syntax::hcl2::parse(src, limits),
        #[cfg(not(feature = "nomad"))]
        Format::Hcl2 => Err(SyntaxError::new(
            crate::syntax::tree::Pos::default(),
            "Nomad job support is not compiled in (enable the `nomad` feature)",
        )),
    }
}

/// Loads one document text with the default limits.
///
/// ```
/// use meshroute::{Format, MeshGatewayMode, load};
///
/// let docs = load::from_str(
///     r#"{"Kind": "proxy-defaults", "Name": "global", "MeshGateway": {"Mode": "local"}}"#,
///     Format::Json,
/// )?;
/// let entry = docs[0].as_config_entry().unwrap();
/// assert_eq!(entry.kind(), "proxy-defaults");
/// # Ok::<(), meshroute::LoadError>(())
/// ```
///
/// # Errors
///
/// A [`LoadError`] with every problem found when the text has any error.
pub fn from_str(src: &str, format: Format) -> Result<Vec<Document>, LoadError> {
    Loader::new().load_str(src, format, None).into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The load as it was before it went file by file: every file read and parsed, then
    /// each decoded in order.
    fn parsed_first<P: AsRef<Path>>(loader: &Loader, paths: &[P]) -> Loaded {
        let mut texts = Vec::new();
        loader.walk_paths(paths, |t| texts.push(t));
        load_sources(texts.iter().map(|t| t.parse(&loader.limits)).collect())
    }

    #[test]
    fn loading_file_by_file_gives_what_loading_everything_first_gives() {
        // Consul files, Kubernetes manifests with their Helm values, Nomad jobs, and files
        // with errors: the same documents and diagnostics, in the same order.
        let paths = ["examples", "tests/fixtures"];
        let whole = parsed_first(&Loader::new(), &paths);
        let mut documents = Vec::new();
        let diagnostics = Loader::new().load_paths_each(&paths, |d| documents.push(d));
        assert!(whole.documents.len() > 50, "{}", whole.documents.len());
        assert!(whole.has_errors());
        assert_eq!(documents, whole.documents);
        assert_eq!(diagnostics, whole.diagnostics);
        assert_eq!(Loader::new().load_paths(&paths), whole);
    }
}
