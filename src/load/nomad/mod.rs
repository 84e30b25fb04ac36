//! Nomad job specifications: HCL2 job files (`.nomad`, `.nomad.hcl`) and JSON jobs (what
//! `nomad job run -output` prints, `{"Job": {…}}`), decoded into the Consul registrations
//! Nomad makes for the job's services.
//!
//! `job` → `group` → `service` (and `task` → `service`) → `connect` → `sidecar_service` →
//! `proxy` → `upstreams`, and `connect { gateway { mesh {} } }` for mesh gateways. Both forms
//! are read by one decoder: the JSON job's Go field names (`TaskGroups`, `Services`,
//! `PortLabel`, `SidecarService`, `DestinationName`) are the HCL2 names' CamelCase, matched as
//! Consul's own aliases are. The job itself is a [`NomadJob`] document (its `datacenters`
//! and `region`), followed by its services' registrations (`service`). Values known only when
//! the job runs are reported and left out (`eval`).

mod eval;
mod service;

use crate::load::context::{Cx, Field, Obj, Style, object, objects, wrong_type};
use crate::load::error::DiagnosticKind;
use crate::model::document::Content;
use crate::model::nomad::NomadJob;
use crate::syntax::tree::{Node, Pos, Value};

use eval::{Eval, Vars};

/// How the job is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// HCL2: labelled blocks, snake_case.
    Hcl2,
    /// JSON: lists of objects with `Name`, Go's CamelCase field names, `null` for unset.
    Json,
}

const JOB: Field = Field::new("Job", "job");
const NAME: Field = Field::new("Name", "name");
const ID: Field = Field::new("ID", "id");
const REGION: Field = Field::new("Region", "region");
const DATACENTERS: Field = Field::new("Datacenters", "datacenters");
const NAMESPACE: Field = Field::new("Namespace", "namespace");
const GROUPS: Field = Field::new("TaskGroups", "group");
const TASKS: Field = Field::new("Tasks", "task");
const CONSUL: Field = Field::new("Consul", "consul");

/// Whether a top-level map is a JSON job: `{"Job": {…}}`.
pub(crate) fn is_json_job(tree: &Node<'_>) -> bool {
    let Value::Map(entries) = &tree.value else {
        return false;
    };
    matches!(&entries[..], [e] if e.key == "Job" && matches!(e.value.value, Value::Map(_)))
}

/// The documents of a job file: the job, then its services' registrations.
pub(crate) fn documents<'t>(
    cx: &mut Cx<'t, '_>,
    tree: &'t Node<'t>,
    dialect: Dialect,
) -> Vec<Content> {
    let style = match dialect {
        Dialect::Hcl2 => Style::Snake,
        Dialect::Json => Style::Camel,
    };
    cx.with_style(style, |cx| job_file(cx, tree, dialect))
}

fn job_file<'t>(cx: &mut Cx<'t, '_>, tree: &'t Node<'t>, dialect: Dialect) -> Vec<Content> {
    let Value::Map(top) = &tree.value else {
        wrong_type(cx, tree, "a Nomad job");
        return Vec::new();
    };
    let vars = match dialect {
        Dialect::Hcl2 => Vars::of(top),
        Dialect::Json => Vars::default(),
    };
    let eval = Eval {
        vars: &vars,
        names: None,
    };
    let mut obj = Obj::new(top, tree.pos);
    let jobs = labelled(cx, &mut obj, JOB, dialect, &eval);
    let Some(first) = jobs.into_iter().next() else {
        cx.error(
            DiagnosticKind::Invalid,
            tree.pos,
            "no job block: a Nomad job file defines one job",
        );
        return Vec::new();
    };
    let Labelled {
        path,
        name,
        obj,
        pos,
    } = first;
    at_labelled(cx, path, |cx| job(cx, obj, name, pos, &eval))
}

/// A labelled block (`group "api" { … }`), or an element of a JSON list named by `Name`.
struct Labelled<'t> {
    path: LabelPath<'t>,
    /// The name (the label, or `Name`), when known.
    name: Option<String>,
    obj: Obj<'t>,
    pos: Pos,
}

/// Where a labelled block is: `group.api` in HCL2, `TaskGroups[0]` in JSON.
#[derive(Clone, Copy)]
struct LabelPath<'t> {
    /// The key as written (`group`, `TaskGroups`).
    key: &'t str,
    /// The HCL2 label, borrowed from the tree.
    label: Option<&'t str>,
    /// The index in a JSON list.
    index: usize,
}

/// Runs `f` with a labelled block's key path.
fn at_labelled<'t, R>(
    cx: &mut Cx<'t, '_>,
    p: LabelPath<'t>,
    f: impl FnOnce(&mut Cx<'t, '_>) -> R,
) -> R {
    cx.at(p.key, |cx| match p.label {
        Some(label) => cx.at(label, f),
        None => cx.at_index(p.index, f),
    })
}

/// The labelled blocks of `field` in `obj`.
fn labelled<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    field: Field,
    dialect: Dialect,
    eval: &Eval<'t, '_>,
) -> Vec<Labelled<'t>> {
    let Some(e) = obj
        .take(field, cx.style())
        .filter(|e| e.value.value != Value::Null)
    else {
        return Vec::new();
    };
    let key = e.key.as_ref();
    match dialect {
        Dialect::Hcl2 => cx.at(key, |cx| hcl_labelled(cx, key, &e.value)),
        Dialect::Json => cx.at(key, |cx| json_named(cx, key, &e.value, eval)),
    }
}

fn hcl_labelled<'t>(cx: &mut Cx<'t, '_>, key: &'t str, node: &'t Node<'t>) -> Vec<Labelled<'t>> {
    let mut out = Vec::new();
    for (_, block) in objects(cx, node) {
        for le in block.into_iter().flat_map(|b| b.entries()) {
            let Some(obj) = cx.at(&le.key, |cx| object(cx, &le.value)) else {
                continue;
            };
            out.push(Labelled {
                path: LabelPath {
                    key,
                    label: Some(&le.key),
                    index: 0,
                },
                name: Some(le.key.to_string()),
                obj,
                pos: le.key_pos,
            });
        }
    }
    out
}

fn json_named<'t>(
    cx: &mut Cx<'t, '_>,
    key: &'t str,
    node: &'t Node<'t>,
    eval: &Eval<'t, '_>,
) -> Vec<Labelled<'t>> {
    let mut out = Vec::new();
    for (index, obj) in objects(cx, node) {
        let Some(mut obj) = obj else { continue };
        let pos = obj.pos();
        let name = cx.at_index(index, |cx| {
            let n = string_field(cx, &mut obj, NAME, eval, "the name");
            n.or_else(|| string_field(cx, &mut obj, ID, eval, "the name"))
        });
        out.push(Labelled {
            path: LabelPath {
                key,
                label: None,
                index,
            },
            name,
            obj,
            pos,
        });
    }
    out
}

/// A string field (`null` is unset), evaluated.
fn string_field<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    field: Field,
    eval: &Eval<'t, '_>,
    what: &str,
) -> Option<String> {
    let e = obj.take(field, cx.style())?;
    if e.value.value == Value::Null {
        return None;
    }
    cx.at(&e.key, |cx| eval.string(cx, &e.value, what))
}

/// A list of strings (`null` is unset), each evaluated; those unknown are left out.
fn string_list<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    field: Field,
    eval: &Eval<'t, '_>,
) -> Option<Vec<String>> {
    let e = obj.take(field, cx.style())?;
    cx.at(&e.key, |cx| {
        let node = eval.node(cx, &e.value, "the list")?;
        match &node.value {
            Value::Null => None,
            Value::List(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| cx.at_index(i, |cx| eval.string(cx, n, "this item")))
                    .collect(),
            ),
            _ => {
                wrong_type(cx, node, "a list of strings");
                None
            }
        }
    })
}

/// The job and its services.
fn job<'t>(
    cx: &mut Cx<'t, '_>,
    mut obj: Obj<'t>,
    name: Option<String>,
    pos: Pos,
    eval: &Eval<'t, '_>,
) -> Vec<Content> {
    let name = name.unwrap_or_default();
    let job = NomadJob {
        region: string_field(cx, &mut obj, REGION, eval, "the region")
            .unwrap_or_else(|| "global".to_owned()),
        datacenters: string_list(cx, &mut obj, DATACENTERS, eval)
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| vec!["*".to_owned()]),
        namespace: string_field(cx, &mut obj, NAMESPACE, eval, "the namespace"),
        name: name.clone(),
        pos,
    };
    let dialect = if cx.style() == Style::Snake {
        Dialect::Hcl2
    } else {
        Dialect::Json
    };
    let mut out = vec![Content::NomadJob(job)];
    for g in labelled(cx, &mut obj, GROUPS, dialect, eval) {
        let group = g.name.unwrap_or_default();
        out.extend(at_labelled(cx, g.path, |cx| {
            group_services(cx, g.obj, &name, &group, dialect, eval)
        }));
    }
    out
}

/// The registrations of a group's services and its tasks' services.
fn group_services<'t>(
    cx: &mut Cx<'t, '_>,
    mut obj: Obj<'t>,
    job: &str,
    group: &str,
    dialect: Dialect,
    eval: &Eval<'t, '_>,
) -> Vec<Content> {
    let group_cx = service::Group {
        job,
        name: group,
        ports: service::static_ports(cx, &mut obj, dialect),
        namespace: consul_namespace(cx, &mut obj, eval),
    };
    let mut out = service::services(cx, &mut obj, &group_cx, None, eval);
    for t in labelled(cx, &mut obj, TASKS, dialect, eval) {
        let task = t.name.unwrap_or_default();
        let mut tobj = t.obj;
        out.extend(at_labelled(cx, t.path, |cx| {
            service::services(cx, &mut tobj, &group_cx, Some(&task), eval)
        }));
    }
    out
}

/// The group's `consul { namespace = … }` (Consul Enterprise).
fn consul_namespace<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    eval: &Eval<'t, '_>,
) -> Option<String> {
    let e = obj.take(CONSUL, cx.style())?;
    if e.value.value == Value::Null {
        return None;
    }
    cx.at(&e.key, |cx| {
        let mut o = object(cx, &e.value)?;
        string_field(cx, &mut o, NAMESPACE, eval, "the namespace").filter(|n| !n.is_empty())
    })
}
