//! Loading files, directories and strings into [`Document`]s.
//!
//! Phases two to four of reading: the generic tree from [`crate::syntax`] is normalized and
//! decoded into the typed models of [`crate::model`] with key paths (`decode`, one decoder
//! per document kind, over the shared decoding context of `context`), Consul's validation
//! rules run on the result (`validate`), and every problem becomes a located
//! [`Diagnostic`] ([`error`]). Inside this folder the calls go one way: decode → validate →
//! context.

use std::path::Path;

mod context;
mod decode;
pub mod error;
pub mod kubernetes;
mod nomad;
mod source;
mod validate;

use crate::load::error::{Diagnostic, LoadError};
use crate::load::source::Source;
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
        load_sources(&[source::parse(src, format, file, &self.limits)])
    }

    /// Loads one file, its format taken from its extension.
    pub fn load_file(&self, path: &Path) -> Loaded {
        load_sources(&[self.parse_file(path)])
    }

    /// Loads one file in `format`, whatever its extension (a `.conf` file, say).
    pub fn load_file_as(&self, path: &Path, format: Format) -> Loaded {
        let source = match source::read_text(path, &self.limits) {
            Ok(src) => source::parse(&src, format, Some(path), &self.limits),
            Err(d) => source::unreadable(path, d),
        };
        load_sources(&[source])
    }

    /// Loads files and directories; directories are searched recursively, in name order, for
    /// `.hcl`, `.json`, `.yaml` and `.yml` files. Every file is read before any is decoded,
    /// so that Kubernetes manifests are decoded with their cluster's Helm values wherever
    /// those are among the inputs (`docs/loading.md`).
    pub fn load_paths<P: AsRef<Path>>(&self, paths: &[P]) -> Loaded {
        let mut sources = Vec::new();
        for p in paths {
            let p = p.as_ref();
            if p.is_dir() {
                let mut files = Vec::new();
                if let Err(e) = source::collect_files(p, &mut files) {
                    sources.push(source::unreadable(p, source::io_error(&e)));
                }
                sources.extend(files.iter().map(|f| self.parse_file(f)));
            } else {
                sources.push(self.parse_file(p));
            }
        }
        load_sources(&sources)
    }

    fn parse_file(&self, path: &Path) -> Source {
        match source::read(path, &self.limits) {
            Ok((format, src)) => source::parse(&src, format, Some(path), &self.limits),
            Err(d) => source::unreadable(path, d),
        }
    }
}

/// Decodes parsed sources in order, each Kubernetes manifest with its cluster's settings,
/// then runs the rules that span a cluster's manifests.
fn load_sources(sources: &[Source]) -> Loaded {
    let clusters = kubernetes::clusters(sources);
    let mut facts = kubernetes::Facts::default();
    let mut out = Loaded::default();
    for s in sources {
        decode_source(s, &clusters, &mut facts, &mut out);
    }
    facts.check(&mut out.diagnostics);
    out
}

/// Decodes the documents of one source into `out`, each by what it is: a Kubernetes
/// manifest, a Helm values file, a Nomad job, or one of Consul's own shapes.
fn decode_source(
    s: &Source,
    clusters: &kubernetes::Clusters,
    facts: &mut kubernetes::Facts,
    out: &mut Loaded,
) {
    let (format, docs) = match &s.docs {
        Ok(d) => d,
        Err(d) => {
            out.diagnostics.push(d.clone());
            return;
        }
    };
    let mut file_cx = kubernetes::FileContext::of(s, clusters, docs);
    for doc in docs {
        let start = out.diagnostics.len();
        let contents = if *format == Format::Hcl2 {
            nomad::documents(&doc.tree, nomad::Dialect::Hcl2, &mut out.diagnostics)
        } else if nomad::is_json_job(&doc.tree) {
            nomad::documents(&doc.tree, nomad::Dialect::Json, &mut out.diagnostics)
        } else if kubernetes::is_manifest(&doc.tree) {
            file_cx.decode(doc, facts, &mut out.diagnostics)
        } else if kubernetes::is_helm_values(&doc.tree) {
            kubernetes::helm_documents(&doc.tree, &mut out.diagnostics)
        } else {
            crate::load::decode::decode_document(&doc.tree, &mut out.diagnostics)
        };
        for d in &mut out.diagnostics[start..] {
            d.file.clone_from(&s.file);
            d.document = doc.index;
        }
        out.documents
            .extend(contents.into_iter().map(|content| Document {
                file: s.file.clone(),
                format: *format,
                content,
            }));
    }
}

/// Reads `src` in `format` into the generic tree, without decoding it.
///
/// # Errors
///
/// A [`SyntaxError`] when the text is not valid in that format, or over the limits.
pub fn parse_tree(src: &str, format: Format, limits: &Limits) -> Result<Node, SyntaxError> {
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
