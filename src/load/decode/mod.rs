//! Phases two and three of loading: normalizing and decoding the generic tree into typed
//! documents, with the key path of every value.
//!
//! [`decode_document`] tells what kind of document a file's top-level map is ([`classify`])
//! and hands it to the decoder of that kind:
//!
//! - [`service`]: service definitions, their sidecars, proxies and upstreams;
//! - [`config_entry`]: `proxy-defaults`, `service-defaults`, and the other kinds kept opaque;
//! - [`discovery_chain`]: `service-resolver`, `service-router`, `service-splitter`,
//!   `exported-services`;
//! - [`agent`](mod@agent): agent configuration files, whose services and bootstrap entries are documents
//!   of their own;
//! - [`mesh_gateway`]: the `mesh_gateway` block every layer shares.
//!
//! Each decoder reads through the shared context of [`crate::load::context`] (key matching,
//! one-vs-many shapes, scalars that are never coerced). A document that decoded cleanly goes
//! through Consul's validation rules ([`crate::load::validate`], phase four); a document with
//! an error is reported, not returned.

mod agent;
mod config_entry;
mod discovery_chain;
mod mesh_gateway;
mod service;

pub(crate) use crate::load::decode::config_entry::spec_entry;

use crate::load::context::{Cx, Obj, Style, owned_string, wrong_type};
use crate::load::decode::agent::agent;
use crate::load::decode::config_entry::checked_entry;
use crate::load::decode::service::checked_service;
use crate::model::document::{CaRoots, Content, Document, Format};
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// Where decoded documents go: straight into the load's own list, each named by its file
/// and format as it comes, so that no list of contents is built beside it (an agent file's
/// 40,000 services would be two lists of them at the end of its decode).
pub(crate) struct Documents<'o> {
    out: &'o mut Vec<Document>,
    file: Option<&'o std::path::Path>,
    format: Format,
}

impl<'o> Documents<'o> {
    /// Documents of `file`, read in `format`, added to `out`.
    pub(crate) fn new(
        out: &'o mut Vec<Document>,
        file: Option<&'o std::path::Path>,
        format: Format,
    ) -> Self {
        Self { out, file, format }
    }

    /// Adds one document.
    pub(crate) fn push(&mut self, content: Content) {
        let file = self.file.map(std::path::Path::to_path_buf);
        self.out.push(Document {
            file,
            format: self.format,
            content,
        });
    }

    /// The format the documents were read in.
    pub(crate) fn format(&self) -> Format {
        self.format
    }

    /// How many documents the load holds (a mark for [`Documents::insert`]).
    pub(crate) fn len(&self) -> usize {
        self.out.len()
    }

    /// Room for `n` more documents.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.out.reserve(n);
    }

    /// Adds one document at `at` (a [`Documents::len`] taken before), the later ones moved
    /// up: an agent configuration goes before its services, and is whole only after them.
    pub(crate) fn insert(&mut self, at: usize, content: Content) {
        self.push(content);
        self.out[at..].rotate_right(1);
    }
}

/// Takes the `services` list of an agent file out of its tree, to be decoded by
/// [`decode_document`] element by element, each dropped once its service is built, so that
/// the tree and the documents are never both whole (issue 14). Only a list of several
/// under one spelling (`services`, `Services`) is taken; `None` for any other document.
pub(crate) fn take_services<'s>(tree: &mut Node<'s>) -> Option<Box<[Node<'s>]>> {
    let Value::Map(entries) = &mut tree.value else {
        return None;
    };
    if !matches!(classify(entries), Shape::Agent) {
        return None;
    }
    agent::take_services(entries)
}

/// Decodes one parsed document into its documents, reporting problems through `cx` (its
/// file's context: the file's cap on problems spans its documents). `taken` is what
/// [`take_services`] took out of it.
pub(crate) fn decode_document<'t>(
    cx: &mut Cx<'t, '_>,
    tree: &'t Node,
    taken: Option<Box<[Node<'_>]>>,
    out: &mut Documents<'_>,
) {
    let Value::Map(entries) = &tree.value else {
        wrong_type(cx, tree, "a map at the top of the document");
        return;
    };
    let obj = Obj::new(entries, tree.pos);
    let content = match classify(entries) {
        Shape::ConfigEntry => checked_entry(cx, obj).map(Content::ConfigEntry),
        Shape::ApiService => service_document(cx, obj, true),
        Shape::BareService => service_document(cx, obj, false),
        Shape::CaRoots => Some(Content::CaRoots(ca_roots(cx, entries, tree.pos))),
        Shape::Agent => return agent(cx, obj, taken, out),
    };
    if let Some(c) = content {
        out.push(c);
    }
}

/// A service definition file or HTTP API body (CamelCase canonical).
fn service_document<'t>(cx: &mut Cx<'t, '_>, obj: Obj<'t>, api_shape: bool) -> Option<Content> {
    cx.with_style(Style::Camel, |cx| checked_service(cx, obj, api_shape))
        .map(Content::Service)
}

/// A saved `GET /v1/connect/ca/roots` response: only its trust domain is read.
fn ca_roots<'t>(cx: &mut Cx<'t, '_>, entries: &'t [Entry<'t>], pos: Pos) -> CaRoots {
    let mut roots = CaRoots {
        trust_domain: String::new(),
        pos,
    };
    for e in entries {
        if e.key.eq_ignore_ascii_case("TrustDomain")
            && let Some(td) = cx.at(&e.key, |cx| owned_string(cx, &e.value))
        {
            roots.trust_domain = td.to_ascii_lowercase();
        }
    }
    roots
}

/// The kinds of document a top-level map can be.
enum Shape {
    ConfigEntry,
    ApiService,
    BareService,
    CaRoots,
    Agent,
}

/// What kind of document a top-level map is.
fn classify(entries: &[Entry]) -> Shape {
    let get = |name: &str| entries.iter().find(|e| e.key.eq_ignore_ascii_case(name));
    let is_string =
        |e: Option<&Entry>| e.is_some_and(|e| matches!(e.value.value, Value::String(_)));
    if let Some(kind) = get("kind").and_then(|e| string_value(&e.value)) {
        let service_like =
            get("port").is_some() || get("address").is_some() || get("proxy").is_some();
        if !is_service_kind(kind, service_like) {
            return Shape::ConfigEntry;
        }
        return if is_string(get("service")) {
            Shape::ApiService
        } else {
            Shape::BareService
        };
    }
    if get("trustdomain").is_some() && get("roots").is_some() {
        return Shape::CaRoots;
    }
    if is_string(get("service")) && get("name").is_none() {
        return Shape::ApiService;
    }
    // Agent configuration has no top-level `name` (it is `node_name`): a name makes a bare
    // service definition, as the HTTP registration body is.
    if is_string(get("name")) {
        return Shape::BareService;
    }
    Shape::Agent
}

fn string_value<'a>(node: &'a Node<'_>) -> Option<&'a str> {
    match &node.value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Whether a top-level `kind` names a service registration rather than a config entry: the
/// gateway kinds that are config entry kinds too count as services only with a service's keys.
fn is_service_kind(kind: &str, service_like: bool) -> bool {
    match kind {
        "connect-proxy" | "mesh-gateway" | "typical" | "" => true,
        "ingress-gateway" | "terminating-gateway" | "api-gateway" => service_like,
        _ => false,
    }
}
