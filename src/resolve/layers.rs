//! The precedence rule: [`Layer`]s and the mode each states for one upstream ([`Layers`]),
//! and [`Layers::decide`], the one place where the effective mode is chosen.

use std::fmt;

use serde::Serialize;

use crate::model::mode::MeshGatewayMode;

/// The configuration layer that decided an upstream's mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Layer {
    /// The upstream definition's own `mesh_gateway`.
    Upstream,
    /// The downstream's service-defaults `UpstreamConfig.Overrides` entry for the upstream.
    UpstreamOverride,
    /// The proxy registration's `proxy.mesh_gateway` (the service instance).
    ServiceInstance,
    /// The downstream's service-defaults `UpstreamConfig.Defaults`.
    UpstreamDefaults,
    /// The downstream's service-defaults `MeshGateway`.
    ServiceDefaults,
    /// The `proxy-defaults` entry's `MeshGateway`.
    ProxyDefaults,
    /// The destination service's own service-defaults (its `MeshGateway`, or `ExternalSNI`).
    DestinationDefaults,
    /// Nothing said anything: Consul's default.
    Default,
}

impl Layer {
    /// Every layer, highest precedence first.
    pub const ALL: [Self; 8] = [
        Self::Upstream,
        Self::UpstreamOverride,
        Self::ServiceInstance,
        Self::UpstreamDefaults,
        Self::ServiceDefaults,
        Self::ProxyDefaults,
        Self::DestinationDefaults,
        Self::Default,
    ];

    /// The name the CLI and JSON use: `upstream`, `upstream-override`, `service-instance`,
    /// `upstream-defaults`, `service-defaults`, `proxy-defaults`, `destination-defaults`,
    /// `default`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Upstream => "upstream",
            Self::UpstreamOverride => "upstream-override",
            Self::ServiceInstance => "service-instance",
            Self::UpstreamDefaults => "upstream-defaults",
            Self::ServiceDefaults => "service-defaults",
            Self::ProxyDefaults => "proxy-defaults",
            Self::DestinationDefaults => "destination-defaults",
            Self::Default => "default",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Layer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The mode each layer states for one upstream ([`MeshGatewayMode::Default`]: nothing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Layers {
    /// [`Layer::Upstream`].
    pub upstream: MeshGatewayMode,
    /// [`Layer::UpstreamOverride`].
    pub upstream_override: MeshGatewayMode,
    /// [`Layer::ServiceInstance`].
    pub service_instance: MeshGatewayMode,
    /// [`Layer::UpstreamDefaults`].
    pub upstream_defaults: MeshGatewayMode,
    /// [`Layer::ServiceDefaults`].
    pub service_defaults: MeshGatewayMode,
    /// [`Layer::ProxyDefaults`].
    pub proxy_defaults: MeshGatewayMode,
    /// [`Layer::DestinationDefaults`].
    pub destination_defaults: MeshGatewayMode,
    /// Whether the destination's service-defaults sets `ExternalSNI`.
    pub destination_external: bool,
}

impl Layers {
    /// The value of one layer ([`Layer::Default`] has none).
    pub const fn get(&self, layer: Layer) -> MeshGatewayMode {
        match layer {
            Layer::Upstream => self.upstream,
            Layer::UpstreamOverride => self.upstream_override,
            Layer::ServiceInstance => self.service_instance,
            Layer::UpstreamDefaults => self.upstream_defaults,
            Layer::ServiceDefaults => self.service_defaults,
            Layer::ProxyDefaults => self.proxy_defaults,
            Layer::DestinationDefaults => self.destination_defaults,
            Layer::Default => MeshGatewayMode::Default,
        }
    }

    /// Sets one layer (setting [`Layer::Default`] does nothing).
    pub fn set(&mut self, layer: Layer, mode: MeshGatewayMode) {
        match layer {
            Layer::Upstream => self.upstream = mode,
            Layer::UpstreamOverride => self.upstream_override = mode,
            Layer::ServiceInstance => self.service_instance = mode,
            Layer::UpstreamDefaults => self.upstream_defaults = mode,
            Layer::ServiceDefaults => self.service_defaults = mode,
            Layer::ProxyDefaults => self.proxy_defaults = mode,
            Layer::DestinationDefaults => self.destination_defaults = mode,
            Layer::Default => {}
        }
    }

    /// The mode the dialing side produces (Consul's `OverrideMeshGateway` for the chain): the
    /// first stated mode of layers 1–6, with the layer.
    pub fn dialing_side(&self) -> Option<(MeshGatewayMode, Layer)> {
        Layer::ALL[..6]
            .iter()
            .map(|&l| (self.get(l), l))
            .find(|(m, _)| !m.is_default())
    }

    /// The effective mode of a service upstream and the layer that decided it (§9 of the
    /// reference notes). Never [`MeshGatewayMode::Default`]: the default is `none`.
    ///
    /// ```
    /// use meshroute::MeshGatewayMode;
    /// use meshroute::resolve::{Layer, Layers};
    ///
    /// let mut l = Layers::default();
    /// l.proxy_defaults = MeshGatewayMode::Local;
    /// l.destination_defaults = MeshGatewayMode::Remote; // only read when nothing else speaks
    /// assert_eq!(l.decide(), (MeshGatewayMode::Local, Layer::ProxyDefaults));
    /// ```
    pub fn decide(&self) -> (MeshGatewayMode, Layer) {
        if self.destination_external {
            return (MeshGatewayMode::None, Layer::DestinationDefaults);
        }
        if let Some(d) = self.dialing_side() {
            return d;
        }
        if !self.destination_defaults.is_default() {
            return (self.destination_defaults, Layer::DestinationDefaults);
        }
        (MeshGatewayMode::None, Layer::Default)
    }

    /// The mode of a peered upstream: the upstream's merged mode (layers 1–6; the
    /// destination's service-defaults are not read, there is no discovery chain), `remote`
    /// when nothing is stated.
    pub fn decide_peered(&self) -> (MeshGatewayMode, Layer) {
        self.dialing_side()
            .unwrap_or((MeshGatewayMode::Remote, Layer::Default))
    }
}
