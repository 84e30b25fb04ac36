//! The shapes written through [`JsonWriter`] without serde: a resolution and its routes, problems and
//! the envelope around a resolution. Each writes the keys and values its `Serialize` does, in
//! the same order (`tests/resolve/json_writer.rs` compares the bytes); a route with a
//! discovery chain goes through serde.

use std::io::{self, Write};

use crate::load::error::{Problem, ProblemRef};
use crate::report::Envelope;
use crate::report::writer::JsonWriter;
use crate::resolve::{NextHop, Resolution, Route, UpstreamRef};

/// `{"trust_domain", "routes"}`, as `Resolution`'s `Serialize`.
pub(crate) fn resolution<W: Write>(w: &mut JsonWriter<W>, res: &Resolution<'_>) -> io::Result<()> {
    w.open(false);
    w.key("\"trust_domain\":");
    w.opt_str(res.trust_domain);
    w.key(",\"routes\":");
    w.open(true);
    for (i, r) in res.routes().enumerate() {
        w.member(i == 0);
        route(w, &r)?;
        w.step()?;
    }
    w.close(true, res.is_empty());
    w.close(false, false);
    Ok(())
}

/// A route, as `Route`'s `Serialize`.
fn route<W: Write>(w: &mut JsonWriter<W>, r: &Route<'_>) -> io::Result<()> {
    if r.chain.is_some() {
        return w.serde(r);
    }
    w.open(false);
    w.key("\"datacenter\":");
    w.str(r.datacenter);
    w.key(",\"service\":");
    w.str(r.service);
    w.key(",\"proxy\":");
    w.str(r.proxy);
    w.key(",\"upstream\":");
    upstream(w, &r.upstream);
    w.key(",\"mode\":");
    w.name(r.mode.as_str());
    w.key(",\"decided_by\":");
    w.name(r.decided_by.as_str());
    w.key(",\"sni\":");
    w.opt_str(r.sni.as_deref());
    w.key(",\"next_hop\":");
    next_hop(w, &r.next_hop);
    w.key(",\"warnings\":");
    w.open(true);
    for (i, warning) in r.warnings.iter().enumerate() {
        w.member(i == 0);
        fields(w, &warning.problem());
    }
    w.close(true, r.warnings.is_empty());
    w.close(false, false);
    Ok(())
}

/// As `UpstreamRef`'s `Serialize`.
fn upstream<W: Write>(w: &mut JsonWriter<W>, u: &UpstreamRef<'_>) {
    w.open(false);
    w.key("\"name\":");
    w.str(u.name);
    w.key(",\"destination_type\":");
    w.name(u.destination_type.as_str());
    w.key(",\"namespace\":");
    w.str(u.namespace);
    w.key(",\"partition\":");
    w.str(u.partition);
    w.key(",\"peer\":");
    w.opt_str(u.peer);
    w.key(",\"datacenter\":");
    w.str(u.datacenter);
    w.key(",\"local_bind_port\":");
    w.opt_u32(u.local_bind_port.map(u32::from));
    w.close(false, false);
}

/// As `NextHop`'s `Serialize`.
fn next_hop<W: Write>(w: &mut JsonWriter<W>, h: &NextHop<'_>) {
    w.open(false);
    w.key("\"kind\":");
    w.name(h.kind.as_str());
    w.key(",\"datacenter\":");
    w.opt_str(h.datacenter);
    w.key(",\"addresses\":");
    w.open(true);
    for (i, a) in h.addresses.iter().enumerate() {
        w.member(i == 0);
        w.str(a);
    }
    w.close(true, h.addresses.is_empty());
    w.close(false, false);
}

/// As `Problem`'s `Serialize`.
pub(crate) fn problem<W: Write>(w: &mut JsonWriter<W>, p: &Problem) {
    fields(w, &p.borrowed());
}

/// As `Problem`'s `Serialize`, from its fields.
fn fields<W: Write>(w: &mut JsonWriter<W>, p: &ProblemRef<'_>) {
    w.open(false);
    w.key("\"code\":");
    w.str(p.code);
    w.key(",\"source\":");
    w.name(p.source.as_str());
    w.key(",\"severity\":");
    w.name(p.severity.as_str());
    w.key(",\"message\":");
    w.str(p.message);
    w.key(",\"file\":");
    match p.file {
        // As `Path::display` writes it (a name that is not UTF-8 made lossy).
        Some(f) => match f.to_str() {
            Some(f) => w.str(f),
            None => w.str(&f.display().to_string()),
        },
        None => w.null(),
    }
    if let Some(d) = p.document {
        w.key(",\"document\":");
        w.opt_u32(Some(d));
    }
    w.key(",\"line\":");
    w.opt_u32(p.line);
    w.key(",\"column\":");
    w.opt_u32(p.column);
    w.key(",\"path\":");
    w.opt_str(p.path);
    w.key(",\"suggestion\":");
    w.opt_str(p.suggestion);
    w.close(false, false);
}

/// `[problem, …]`.
fn problems<W: Write>(w: &mut JsonWriter<W>, ps: &[Problem]) {
    w.open(true);
    for (i, p) in ps.iter().enumerate() {
        w.member(i == 0);
        problem(w, p);
    }
    w.close(true, ps.is_empty());
}

/// As `Envelope`'s `Serialize`.
pub(crate) fn envelope<W: Write>(
    w: &mut JsonWriter<W>,
    e: &Envelope<&Resolution<'_>>,
) -> io::Result<()> {
    w.open(false);
    w.key("\"schema\":");
    w.str(crate::report::SCHEMA);
    w.key(",\"command\":");
    w.str(&e.command);
    w.key(",\"result\":");
    match e.result {
        Some(res) => resolution(w, res)?,
        None => w.null(),
    }
    w.key(",\"errors\":");
    problems(w, &e.errors);
    w.key(",\"warnings\":");
    problems(w, &e.warnings);
    w.close(false, false);
    Ok(())
}
