//! The `mesh_gateway { mode = "…" }` block that every configuration layer shares.

use crate::load::context::{Cx, Field, object, string};
use crate::load::error::DiagnosticKind;
use crate::model::mode::MeshGatewayMode;
use crate::model::service::MeshGatewayConfig;
use crate::syntax::tree::Node;

const MODE: Field = Field::new("Mode", "mode");

/// A `mesh_gateway` block; an absent or unreadable mode is the default (no opinion).
pub(super) fn mesh_gateway<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> MeshGatewayConfig {
    let mut cfg = MeshGatewayConfig::default();
    let Some(mut obj) = object(cx, node) else {
        return cfg;
    };
    if let Some(mode) = cx.field(&mut obj, MODE, mode) {
        cfg.mode = mode;
    }
    obj.finish(cx, &[MODE]);
    cfg
}

/// One of Consul's four mode strings, exactly; anything else is an error (and the default).
fn mode<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> MeshGatewayMode {
    let Some(s) = string(cx, node) else {
        return MeshGatewayMode::Default;
    };
    s.parse().unwrap_or_else(|e| {
        let note = if cx.is_in_config_entry() {
            " (Consul accepts an unknown mode in a config entry silently and then routes as if no gateway were set; meshroute rejects it)"
        } else {
            ""
        };
        cx.error(
            DiagnosticKind::InvalidMode,
            node.pos,
            format!("{e}; expected one of \"\", \"none\", \"local\", \"remote\"{note}"),
        );
        MeshGatewayMode::Default
    })
}
