//! The upstreams a topology keeps: a 16-byte record per upstream, and its destination (type,
//! name, namespace, partition, peer, datacenter) kept once in the topology's
//! [`UpstreamTable`] however many upstreams dial it, instead of the 256-byte model
//! [`Upstream`] and its strings (docs/design.md, "Compact upstreams"). [`UpstreamView`] reads
//! either.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use indexmap::{Equivalent, IndexSet};

use crate::model::mode::MeshGatewayMode;
use crate::model::service::{DestinationType, MeshGatewayConfig, Upstream, non_empty_or};
use crate::syntax::tree::Pos;
use crate::topology::maps::Fnv;
use crate::topology::plan::small;

/// Who an upstream dials, as written: kept once per distinct destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Destination {
    kind: DestinationType,
    name: Box<str>,
    namespace: Option<Box<str>>,
    partition: Option<Box<str>>,
    peer: Option<Box<str>>,
    datacenter: Option<Box<str>>,
}

/// A destination borrowed from an [`Upstream`], to look it up without copying it. Both hash
/// as this key, so that the two agree.
#[derive(PartialEq, Eq)]
struct DestinationKey<'a> {
    kind: DestinationType,
    name: &'a str,
    namespace: Option<&'a str>,
    partition: Option<&'a str>,
    peer: Option<&'a str>,
    datacenter: Option<&'a str>,
}

impl Destination {
    fn key(&self) -> DestinationKey<'_> {
        DestinationKey {
            kind: self.kind,
            name: &self.name,
            namespace: self.namespace.as_deref(),
            partition: self.partition.as_deref(),
            peer: self.peer.as_deref(),
            datacenter: self.datacenter.as_deref(),
        }
    }
}

/// Hashes the name, the datacenter and which fields are set, the rest left to equality: a
/// fraction of the bytes of hashing every field (the table is filled once per upstream).
impl Hash for DestinationKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let set = [self.namespace, self.partition, self.peer, self.datacenter]
            .iter()
            .fold(0u8, |bits, f| bits << 1 | u8::from(f.is_some()));
        let kind = u8::from(self.kind == DestinationType::PreparedQuery);
        state.write_u8(set << 1 | kind);
        state.write(self.name.as_bytes());
        state.write(self.datacenter.unwrap_or_default().as_bytes());
    }
}

impl Hash for Destination {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl<'a> DestinationKey<'a> {
    fn of(up: &'a Upstream) -> Self {
        Self {
            kind: up.destination_type,
            name: &up.destination_name,
            namespace: up.destination_namespace.as_deref(),
            partition: up.destination_partition.as_deref(),
            peer: up.destination_peer.as_deref(),
            datacenter: up.datacenter.as_deref(),
        }
    }

    fn owned(&self) -> Destination {
        let own = |s: Option<&str>| s.map(Box::from);
        Destination {
            kind: self.kind,
            name: Box::from(self.name),
            namespace: own(self.namespace),
            partition: own(self.partition),
            peer: own(self.peer),
            datacenter: own(self.datacenter),
        }
    }
}

impl Equivalent<Destination> for DestinationKey<'_> {
    fn equivalent(&self, d: &Destination) -> bool {
        *self == d.key()
    }
}

/// The distinct destinations of a topology's upstreams, numbered in the order first seen.
/// The builder fills it as services are added; the topology's proxies share it.
#[derive(Clone, Debug, Default)]
pub(crate) struct UpstreamTable {
    destinations: IndexSet<Destination, Fnv>,
}

impl UpstreamTable {
    /// The records of `upstreams`, their destinations numbered here.
    pub(crate) fn records(&mut self, upstreams: &[Upstream]) -> Box<[UpstreamRecord]> {
        upstreams.iter().map(|u| self.record(u)).collect()
    }

    fn record(&mut self, up: &Upstream) -> UpstreamRecord {
        let key = DestinationKey::of(up);
        let destination = match self.destinations.get_index_of(&key) {
            Some(i) => i,
            None => self.destinations.insert_full(key.owned()).0,
        };
        UpstreamRecord {
            destination: small(destination),
            pos: up.pos,
            port: up.local_bind_port.unwrap_or(0),
            has_port: up.local_bind_port.is_some(),
            mode: up.mesh_gateway.mode,
        }
    }

    fn destination(&self, record: &UpstreamRecord) -> &Destination {
        &self.destinations[record.destination as usize]
    }
}

/// One upstream as the topology keeps it: its destination's number in the
/// [`UpstreamTable`], where it is written, its `local_bind_port` and its own mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UpstreamRecord {
    /// Index into the table's destinations.
    pub(crate) destination: u32,
    pub(crate) pos: Pos,
    port: u16,
    has_port: bool,
    pub(crate) mode: MeshGatewayMode,
}

impl UpstreamRecord {
    /// `local_bind_port`.
    pub(crate) fn local_bind_port(&self) -> Option<u16> {
        self.has_port.then_some(self.port)
    }
}

/// A proxy's upstreams: its records, and the table their destinations are in.
#[derive(Clone, Default)]
pub(crate) struct UpstreamList {
    table: Arc<UpstreamTable>,
    pub(crate) records: Box<[UpstreamRecord]>,
}

impl UpstreamList {
    pub(crate) fn new(table: &Arc<UpstreamTable>, records: Box<[UpstreamRecord]>) -> Self {
        Self {
            table: Arc::clone(table),
            records,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// The upstream at `index`.
    pub(crate) fn get(&self, index: usize) -> Option<UpstreamView<'_>> {
        self.records.get(index).map(|r| self.view(r))
    }

    pub(crate) fn view<'t>(&'t self, r: &'t UpstreamRecord) -> UpstreamView<'t> {
        UpstreamView(Viewed::Kept(self.table.destination(r), r))
    }

    /// Every upstream, in definition order.
    pub(crate) fn iter(
        &self,
    ) -> impl ExactSizeIterator<Item = UpstreamView<'_>> + DoubleEndedIterator + Clone + '_ {
        self.records.iter().map(|r| self.view(r))
    }
}

/// Equal when they list the same upstreams, whatever the numbers of their destinations.
impl PartialEq for UpstreamList {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for UpstreamList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A value for each destination of the table, set as they are met: what the build computes
/// once per destination instead of once per upstream.
#[derive(Debug)]
pub(crate) struct PerDestination<T>(Vec<Option<T>>);

impl<T> Default for PerDestination<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Copy> PerDestination<T> {
    /// The value of `up`'s destination, when set (never for a model upstream's).
    pub(crate) fn get(&self, up: UpstreamView<'_>) -> Option<T> {
        let Viewed::Kept(_, r) = up.0 else {
            return None;
        };
        self.0.get(r.destination as usize).copied().flatten()
    }

    /// Sets the value of `up`'s destination (not kept for a model upstream's); returns the
    /// one it had.
    pub(crate) fn set(&mut self, up: UpstreamView<'_>, value: T) -> Option<T> {
        let Viewed::Kept(_, r) = up.0 else {
            return None;
        };
        let i = r.destination as usize;
        if self.0.len() <= i {
            self.0.resize_with(i + 1, || None);
        }
        self.0[i].replace(value)
    }
}

/// One upstream of a [`Proxy`](crate::topology::Proxy), borrowed from the topology (see
/// [`Proxy::upstreams`](crate::topology::Proxy::upstreams)), or from a model [`Upstream`]
/// (`UpstreamView::from(&upstream)`) to resolve or explain an upstream of one's own.
///
/// The topology keeps what resolution, explanations and the checks read of an upstream:
/// its destination, `local_bind_port`, `mesh_gateway` and where it is written;
/// `local_bind_address`, `local_bind_socket_path` and `config` are not kept
/// ([`UpstreamView::to_upstream`] leaves them unset).
#[derive(Clone, Copy)]
pub struct UpstreamView<'t>(Viewed<'t>);

#[derive(Clone, Copy)]
enum Viewed<'t> {
    Model(&'t Upstream),
    Kept(&'t Destination, &'t UpstreamRecord),
}

impl<'t> From<&'t Upstream> for UpstreamView<'t> {
    fn from(upstream: &'t Upstream) -> Self {
        Self(Viewed::Model(upstream))
    }
}

impl<'t> UpstreamView<'t> {
    /// `destination_name`: the service or prepared query dialed.
    pub fn destination_name(self) -> &'t str {
        match self.0 {
            Viewed::Model(u) => &u.destination_name,
            Viewed::Kept(d, _) => &d.name,
        }
    }

    /// `destination_type`.
    pub fn destination_type(self) -> DestinationType {
        match self.0 {
            Viewed::Model(u) => u.destination_type,
            Viewed::Kept(d, _) => d.kind,
        }
    }

    /// `destination_namespace` as written.
    pub fn destination_namespace(self) -> Option<&'t str> {
        match self.0 {
            Viewed::Model(u) => u.destination_namespace.as_deref(),
            Viewed::Kept(d, _) => d.namespace.as_deref(),
        }
    }

    /// `destination_partition` as written.
    pub fn destination_partition(self) -> Option<&'t str> {
        match self.0 {
            Viewed::Model(u) => u.destination_partition.as_deref(),
            Viewed::Kept(d, _) => d.partition.as_deref(),
        }
    }

    /// `destination_peer` as written.
    pub fn destination_peer(self) -> Option<&'t str> {
        match self.0 {
            Viewed::Model(u) => u.destination_peer.as_deref(),
            Viewed::Kept(d, _) => d.peer.as_deref(),
        }
    }

    /// `datacenter` as written (the proxy's datacenter applies when unset or empty).
    pub fn datacenter(self) -> Option<&'t str> {
        match self.0 {
            Viewed::Model(u) => u.datacenter.as_deref(),
            Viewed::Kept(d, _) => d.datacenter.as_deref(),
        }
    }

    /// `local_bind_port`.
    pub fn local_bind_port(self) -> Option<u16> {
        match self.0 {
            Viewed::Model(u) => u.local_bind_port,
            Viewed::Kept(_, r) => r.local_bind_port(),
        }
    }

    /// `mesh_gateway`: the upstream layer's mode.
    pub fn mesh_gateway(self) -> MeshGatewayConfig {
        match self.0 {
            Viewed::Model(u) => u.mesh_gateway,
            Viewed::Kept(_, r) => MeshGatewayConfig::new(r.mode),
        }
    }

    /// Where the upstream starts in its source.
    pub fn pos(self) -> Pos {
        match self.0 {
            Viewed::Model(u) => u.pos,
            Viewed::Kept(_, r) => r.pos,
        }
    }

    /// The namespace, `default` when unset (as [`Upstream::namespace`]).
    pub fn namespace(self) -> &'t str {
        non_empty_or(self.destination_namespace(), "default")
    }

    /// The partition, `default` when unset (as [`Upstream::partition`]).
    pub fn partition(self) -> &'t str {
        non_empty_or(self.destination_partition(), "default")
    }

    /// The peer, `None` when unset or empty (as [`Upstream::peer`]).
    pub fn peer(self) -> Option<&'t str> {
        self.destination_peer().filter(|p| !p.is_empty())
    }

    /// The destination datacenter when one is named (`None` when unset or empty).
    pub(crate) fn named_datacenter(self) -> Option<&'t str> {
        self.datacenter().filter(|d| !d.is_empty())
    }

    /// A model [`Upstream`] with what the view holds (`local_bind_address`,
    /// `local_bind_socket_path` and `config` unset for an upstream of the topology).
    pub fn to_upstream(self) -> Upstream {
        if let Viewed::Model(u) = self.0 {
            return u.clone();
        }
        let own = |s: Option<&str>| s.map(str::to_owned);
        let mut u = Upstream::service(self.destination_name());
        u.destination_type = self.destination_type();
        u.destination_namespace = own(self.destination_namespace());
        u.destination_partition = own(self.destination_partition());
        u.destination_peer = own(self.destination_peer());
        u.datacenter = own(self.datacenter());
        u.local_bind_port = self.local_bind_port();
        u.mesh_gateway = self.mesh_gateway();
        u.pos = self.pos();
        u
    }

    /// What the view holds, to compare two.
    #[allow(clippy::type_complexity)] // a tuple of the accessors, for `eq` only
    fn parts(self) -> (DestinationKey<'t>, Option<u16>, MeshGatewayMode, Pos) {
        let key = DestinationKey {
            kind: self.destination_type(),
            name: self.destination_name(),
            namespace: self.destination_namespace(),
            partition: self.destination_partition(),
            peer: self.destination_peer(),
            datacenter: self.datacenter(),
        };
        (
            key,
            self.local_bind_port(),
            self.mesh_gateway().mode,
            self.pos(),
        )
    }
}

/// Equal when every accessor is; an upstream of the topology and its model differ only in
/// what the topology does not keep.
impl PartialEq for UpstreamView<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for UpstreamView<'_> {}

impl fmt::Debug for UpstreamView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpstreamView")
            .field("destination_type", &self.destination_type())
            .field("destination_name", &self.destination_name())
            .field("destination_namespace", &self.destination_namespace())
            .field("destination_partition", &self.destination_partition())
            .field("destination_peer", &self.destination_peer())
            .field("datacenter", &self.datacenter())
            .field("local_bind_port", &self.local_bind_port())
            .field("mesh_gateway", &self.mesh_gateway())
            .field("pos", &self.pos())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_16_bytes_and_a_view_two_words() {
        assert_eq!(std::mem::size_of::<UpstreamRecord>(), 16);
        assert_eq!(std::mem::size_of::<UpstreamView<'_>>(), 16);
    }

    #[test]
    fn upstreams_to_one_destination_share_it_and_read_back_as_written() {
        let mut a = Upstream::service("api");
        a.datacenter = Some("dc2".into());
        a.destination_namespace = Some("default".into());
        a.local_bind_port = Some(9000);
        a.pos = Pos::new(3, 5);
        let mut b = a.clone();
        b.local_bind_port = None;
        b.mesh_gateway = MeshGatewayConfig::new(MeshGatewayMode::Local);
        let mut c = a.clone();
        c.destination_namespace = None;
        let mut table = UpstreamTable::default();
        let records = table.records(&[a.clone(), b.clone(), c.clone()]);
        assert_eq!(table.destinations.len(), 2);
        let list = UpstreamList::new(&Arc::new(table), records);
        let back: Vec<Upstream> = list.iter().map(UpstreamView::to_upstream).collect();
        assert_eq!(back, [a.clone(), b, c]);
        assert_eq!(list.get(0), Some(UpstreamView::from(&a)));
        assert_eq!(list.get(0).unwrap().namespace(), "default");
        assert_eq!(list.get(2).unwrap().destination_namespace(), None);
    }

    #[test]
    fn what_the_topology_does_not_keep_is_unset() {
        let mut a = Upstream::service("api");
        a.local_bind_address = Some("127.0.0.2".into());
        let mut table = UpstreamTable::default();
        let records = table.records(std::slice::from_ref(&a));
        let list = UpstreamList::new(&Arc::new(table), records);
        let back = list.get(0).unwrap().to_upstream();
        assert_eq!(back.local_bind_address, None);
        assert_eq!(UpstreamView::from(&a).to_upstream(), a);
    }
}
