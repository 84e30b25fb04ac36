//! The shapes [`JsonWriter`] writes without serde: a resolution and its routes, problems and
//! the envelope around a resolution. Each writes the keys and values its `Serialize` does, in
//! the same order (`tests/resolve/json_writer.rs` compares the bytes); a route with a
//! discovery chain goes through serde.

use std::io::{self, Write};

use crate::load::error::Problem;
use crate::report::Envelope;
use crate::report::writer::JsonWriter;
use crate::resolve::{NextHop, Resolution, Route, UpstreamRef};

impl<W: Write> JsonWriter<W> {
    /// `{"trust_domain", "routes"}`, as `Resolution`'s `Serialize`.
    pub(crate) fn resolution(&mut self, res: &Resolution<'_>) -> io::Result<()> {
        self.open(false);
        self.key(true, "\"trust_domain\":");
        self.opt_str(res.trust_domain);
        self.key(false, "\"routes\":");
        self.open(true);
        for (i, r) in res.routes().enumerate() {
            self.member(i == 0);
            self.route(&r)?;
            self.step()?;
        }
        self.close(true, res.is_empty());
        self.close(false, false);
        Ok(())
    }

    /// A route, as `Route`'s `Serialize`.
    fn route(&mut self, r: &Route<'_>) -> io::Result<()> {
        if r.chain.is_some() {
            return self.serde(r);
        }
        self.open(false);
        self.key(true, "\"datacenter\":");
        self.str(r.datacenter);
        self.key(false, "\"service\":");
        self.str(r.service);
        self.key(false, "\"proxy\":");
        self.str(r.proxy);
        self.key(false, "\"upstream\":");
        self.upstream(&r.upstream);
        self.key(false, "\"mode\":");
        self.name(r.mode.as_str());
        self.key(false, "\"decided_by\":");
        self.name(r.decided_by.as_str());
        self.key(false, "\"sni\":");
        self.opt_str(r.sni.as_deref());
        self.key(false, "\"next_hop\":");
        self.next_hop(&r.next_hop);
        self.key(false, "\"warnings\":");
        self.open(true);
        for (i, w) in r.warnings.iter().enumerate() {
            self.member(i == 0);
            self.problem(&Problem::from(w));
        }
        self.close(true, r.warnings.is_empty());
        self.close(false, false);
        Ok(())
    }

    /// As `UpstreamRef`'s `Serialize`.
    fn upstream(&mut self, u: &UpstreamRef<'_>) {
        self.open(false);
        self.key(true, "\"name\":");
        self.str(u.name);
        self.key(false, "\"destination_type\":");
        self.name(u.destination_type.as_str());
        self.key(false, "\"namespace\":");
        self.str(u.namespace);
        self.key(false, "\"partition\":");
        self.str(u.partition);
        self.key(false, "\"peer\":");
        self.opt_str(u.peer);
        self.key(false, "\"datacenter\":");
        self.str(u.datacenter);
        self.key(false, "\"local_bind_port\":");
        self.opt_u32(u.local_bind_port.map(u32::from));
        self.close(false, false);
    }

    /// As `NextHop`'s `Serialize`.
    fn next_hop(&mut self, h: &NextHop<'_>) {
        self.open(false);
        self.key(true, "\"kind\":");
        self.name(h.kind.as_str());
        self.key(false, "\"datacenter\":");
        self.opt_str(h.datacenter);
        self.key(false, "\"addresses\":");
        self.open(true);
        for (i, a) in h.addresses.iter().enumerate() {
            self.member(i == 0);
            self.str(a);
        }
        self.close(true, h.addresses.is_empty());
        self.close(false, false);
    }

    /// As `Problem`'s `Serialize`.
    pub(crate) fn problem(&mut self, p: &Problem) {
        self.open(false);
        self.key(true, "\"code\":");
        self.str(&p.code);
        self.key(false, "\"source\":");
        self.name(p.source.as_str());
        self.key(false, "\"severity\":");
        self.name(p.severity.as_str());
        self.key(false, "\"message\":");
        self.str(&p.message);
        self.key(false, "\"file\":");
        match &p.file {
            Some(f) => self.str(&f.display().to_string()),
            None => self.null(),
        }
        if let Some(d) = p.document {
            self.key(false, "\"document\":");
            self.opt_u32(Some(d));
        }
        self.key(false, "\"line\":");
        self.opt_u32(p.line);
        self.key(false, "\"column\":");
        self.opt_u32(p.column);
        self.key(false, "\"path\":");
        self.opt_str(p.path.as_deref());
        self.key(false, "\"suggestion\":");
        self.opt_str(p.suggestion.as_deref());
        self.close(false, false);
    }

    /// `[problem, …]`.
    fn problems(&mut self, ps: &[Problem]) {
        self.open(true);
        for (i, p) in ps.iter().enumerate() {
            self.member(i == 0);
            self.problem(p);
        }
        self.close(true, ps.is_empty());
    }

    /// As `Envelope`'s `Serialize`.
    pub(crate) fn envelope(&mut self, e: &Envelope<&Resolution<'_>>) -> io::Result<()> {
        self.open(false);
        self.key(true, "\"schema\":");
        self.str(crate::report::SCHEMA);
        self.key(false, "\"command\":");
        self.str(&e.command);
        self.key(false, "\"result\":");
        match e.result {
            Some(res) => self.resolution(res)?,
            None => self.null(),
        }
        self.key(false, "\"errors\":");
        self.problems(&e.errors);
        self.key(false, "\"warnings\":");
        self.problems(&e.warnings);
        self.close(false, false);
        Ok(())
    }
}
