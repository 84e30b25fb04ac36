//! The parts of a discovery chain entry its decoder keeps as written (a route's `match`, a
//! destination's or a split's header modifiers, a resolver's load balancer, a failover's
//! policy), renamed from the resource's field names to Consul's (`pathPrefix` to
//! `PathPrefix`), so that a resource and its config-entry form decode to the same model.

use crate::load::kubernetes::schema::{self, F, Shape};
use crate::model::config_entry::ConfigEntry;
use crate::model::opaque::JsonMap;

/// Renames the kept parts of `e` to Consul's field names.
pub(super) fn canonical(e: &mut ConfigEntry) {
    match e {
        ConfigEntry::ServiceResolver(r) => {
            if let Some(lb) = r.load_balancer.as_mut() {
                rename(lb, schema::LOAD_BALANCER);
            }
            for p in r.failover.values_mut().filter_map(|f| f.policy.as_mut()) {
                rename(p, schema::FAILOVER_POLICY);
            }
        }
        ConfigEntry::ServiceRouter(r) => {
            for route in &mut r.routes {
                if let Some(m) = route.r#match.as_mut() {
                    rename(m, schema::ROUTE_MATCH);
                }
                if let Some(d) = route.destination.as_mut() {
                    rename(&mut d.other, schema::ROUTE_DESTINATION);
                }
            }
        }
        ConfigEntry::ServiceSplitter(s) => {
            for split in &mut s.splits {
                rename(&mut split.other, schema::SPLIT);
            }
        }
        _ => {}
    }
}

/// The keys of `map` that are fields of `fields` (by either name) under Consul's name, their
/// values likewise; other keys as they are.
fn rename(map: &mut JsonMap, fields: &[F]) {
    for (k, mut v) in std::mem::take(map) {
        match fields.iter().find(|f| f.crd == k || f.consul == k) {
            Some(f) => {
                rename_value(&mut v, f.shape);
                map.insert(f.consul.to_owned(), v);
            }
            None => {
                map.insert(k, v);
            }
        }
    }
}

fn rename_value(v: &mut serde_json::Value, shape: Shape) {
    match (shape, v) {
        (Shape::Object(fields), serde_json::Value::Object(m)) => rename(m, fields),
        (Shape::List(item), serde_json::Value::Array(items)) => {
            for i in items {
                rename_value(i, *item);
            }
        }
        (Shape::Map(item), serde_json::Value::Object(m)) => {
            for v in m.values_mut() {
                rename_value(v, *item);
            }
        }
        _ => {}
    }
}
