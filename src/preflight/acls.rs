//! The check that reads ACL settings: `gateway-token-missing`.

use crate::model::service::ServiceKind;
use crate::preflight::check::Check;
use crate::preflight::finding::{Finding, show_loc};
use crate::topology::Topology;

/// `gateway-token-missing`: ACLs are enabled in a datacenter and a mesh gateway registration
/// there has no token.
pub(crate) fn gateway_token_missing(topology: &Topology, out: &mut Vec<Finding>) {
    for dc in topology.datacenters() {
        let acl = topology
            .agents()
            .iter()
            .filter(|a| a.datacenter() == dc.name())
            .find_map(|a| {
                a.get("acl", |c| c.acl.as_ref().and_then(|a| a.enabled))
                    .filter(|(enabled, _)| *enabled)
            });
        let Some((_, acl_loc)) = acl else { continue };
        let gateways = dc
            .registrations()
            .iter()
            .filter(|r| r.kind == ServiceKind::MeshGateway && !r.token);
        for r in gateways {
            out.push(Finding::new(
                Check::GatewayTokenMissing,
                r.file.as_deref(),
                r.pos,
                format!(
                    "mesh gateway {:?}: ACLs are enabled in datacenter {:?} ({}) but the registration has no token: add token = \"…\" with a token granting service:write on {:?} and service:read on all services",
                    r.id,
                    dc.name(),
                    show_loc(acl_loc),
                    r.name
                ),
            ));
        }
    }
}
