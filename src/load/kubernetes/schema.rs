//! The fields of consul-k8s's custom resources (their Go types under
//! `control-plane/api/v1alpha1`), with the name each has in Consul's config entry.
//!
//! Kubernetes reads a custom resource's fields by their exact names; since kubectl 1.27 an
//! unknown field is rejected (`strict decoding error: unknown field "spec.…"`), before that it
//! was dropped. Fields marked opaque (`config`, an extension's `arguments`) are free-form.

/// What a field holds.
#[derive(Clone, Copy, Debug)]
pub(super) enum Shape {
    /// A string, number or boolean.
    Scalar,
    /// An object with these fields.
    Object(&'static [F]),
    /// A list of these.
    List(&'static Shape),
    /// Anything (kept as written).
    Opaque,
}

/// One field: its name in the resource, its name in Consul's config entry, what it holds.
#[derive(Clone, Copy, Debug)]
pub(super) struct F {
    pub(super) crd: &'static str,
    pub(super) consul: &'static str,
    pub(super) shape: Shape,
}

const fn s(crd: &'static str, consul: &'static str) -> F {
    F {
        crd,
        consul,
        shape: Shape::Scalar,
    }
}

const fn o(crd: &'static str, consul: &'static str, fields: &'static [F]) -> F {
    F {
        crd,
        consul,
        shape: Shape::Object(fields),
    }
}

const fn l(crd: &'static str, consul: &'static str, item: &'static Shape) -> F {
    F {
        crd,
        consul,
        shape: Shape::List(item),
    }
}

const SCALAR: Shape = Shape::Scalar;

const MESH_GATEWAY: &[F] = &[s("mode", "Mode")];
const TRANSPARENT_PROXY: &[F] = &[
    s("outboundListenerPort", "OutboundListenerPort"),
    s("dialedDirectly", "DialedDirectly"),
];
const EXPOSE_PATH: &[F] = &[
    s("listenerPort", "ListenerPort"),
    s("path", "Path"),
    s("localPathPort", "LocalPathPort"),
    s("protocol", "Protocol"),
];
const EXPOSE: &[F] = &[
    s("checks", "Checks"),
    l("paths", "Paths", &Shape::Object(EXPOSE_PATH)),
];
const ENVOY_EXTENSION: &[F] = &[
    s("name", "Name"),
    s("required", "Required"),
    F {
        crd: "arguments",
        consul: "Arguments",
        shape: Shape::Opaque,
    },
];
const ENVOY_EXTENSIONS: Shape = Shape::List(&Shape::Object(ENVOY_EXTENSION));
const ACCESS_LOGS: &[F] = &[
    s("enabled", "Enabled"),
    s("disableListenerLogs", "DisableListenerLogs"),
    s("type", "Type"),
    s("path", "Path"),
    s("jsonFormat", "JSONFormat"),
    s("textFormat", "TextFormat"),
];
const FAILOVER_POLICY: &[F] = &[s("mode", "Mode"), l("regions", "Regions", &SCALAR)];
const PRIORITIZE_BY_LOCALITY: &[F] = &[s("mode", "Mode")];

/// `ProxyDefaults.spec`.
pub(super) const PROXY_DEFAULTS: &[F] = &[
    s("mode", "Mode"),
    o("transparentProxy", "TransparentProxy", TRANSPARENT_PROXY),
    s("mutualTLSMode", "MutualTLSMode"),
    F {
        crd: "config",
        consul: "Config",
        shape: Shape::Opaque,
    },
    o("meshGateway", "MeshGateway", MESH_GATEWAY),
    o("expose", "Expose", EXPOSE),
    o("accessLogs", "AccessLogs", ACCESS_LOGS),
    F {
        crd: "envoyExtensions",
        consul: "EnvoyExtensions",
        shape: ENVOY_EXTENSIONS,
    },
    o("failoverPolicy", "FailoverPolicy", FAILOVER_POLICY),
    o(
        "prioritizeByLocality",
        "PrioritizeByLocality",
        PRIORITIZE_BY_LOCALITY,
    ),
];

const UPSTREAM_LIMITS: &[F] = &[
    s("maxConnections", "MaxConnections"),
    s("maxPendingRequests", "MaxPendingRequests"),
    s("maxConcurrentRequests", "MaxConcurrentRequests"),
];
const PASSIVE_HEALTH_CHECK: &[F] = &[
    s("maxFailures", "MaxFailures"),
    s("enforcingConsecutive5xx", "EnforcingConsecutive5xx"),
    s("maxEjectionPercent", "MaxEjectionPercent"),
];
const UPSTREAM: &[F] = &[
    s("name", "Name"),
    s("namespace", "Namespace"),
    s("partition", "Partition"),
    s("peer", "Peer"),
    s("envoyListenerJSON", "EnvoyListenerJSON"),
    s("envoyClusterJSON", "EnvoyClusterJSON"),
    s("protocol", "Protocol"),
    s("connectTimeoutMs", "ConnectTimeoutMs"),
    o("limits", "Limits", UPSTREAM_LIMITS),
    o(
        "passiveHealthCheck",
        "PassiveHealthCheck",
        PASSIVE_HEALTH_CHECK,
    ),
    o("meshGateway", "MeshGateway", MESH_GATEWAY),
];
const UPSTREAMS: &[F] = &[
    o("defaults", "Defaults", UPSTREAM),
    l("overrides", "Overrides", &Shape::Object(UPSTREAM)),
];
const DESTINATION: &[F] = &[l("addresses", "Addresses", &SCALAR), s("port", "Port")];
const ROUTE_RATE_LIMITS: &[F] = &[
    s("pathExact", "PathExact"),
    s("pathPrefix", "PathPrefix"),
    s("pathRegex", "PathRegex"),
    s("requestsPerSecond", "RequestsPerSecond"),
    s("requestsMaxBurst", "RequestsMaxBurst"),
];
const INSTANCE_RATE_LIMITS: &[F] = &[
    s("requestsPerSecond", "RequestsPerSecond"),
    s("requestsMaxBurst", "RequestsMaxBurst"),
    l("routes", "Routes", &Shape::Object(ROUTE_RATE_LIMITS)),
];
const RATE_LIMITS: &[F] = &[o("instanceLevel", "InstanceLevel", INSTANCE_RATE_LIMITS)];

/// `ServiceDefaults.spec`.
pub(super) const SERVICE_DEFAULTS: &[F] = &[
    s("protocol", "Protocol"),
    s("mode", "Mode"),
    o("transparentProxy", "TransparentProxy", TRANSPARENT_PROXY),
    s("mutualTLSMode", "MutualTLSMode"),
    o("meshGateway", "MeshGateway", MESH_GATEWAY),
    o("expose", "Expose", EXPOSE),
    s("externalSNI", "ExternalSNI"),
    o("upstreamConfig", "UpstreamConfig", UPSTREAMS),
    o("destination", "Destination", DESTINATION),
    s("maxInboundConnections", "MaxInboundConnections"),
    s("localConnectTimeoutMs", "LocalConnectTimeoutMs"),
    s("localRequestTimeoutMs", "LocalRequestTimeoutMs"),
    s("balanceInboundConnections", "BalanceInboundConnections"),
    o("rateLimits", "RateLimits", RATE_LIMITS),
    F {
        crd: "envoyExtensions",
        consul: "EnvoyExtensions",
        shape: ENVOY_EXTENSIONS,
    },
];

const MESH_DIRECTIONAL_TLS: &[F] = &[
    s("tlsMinVersion", "TLSMinVersion"),
    s("tlsMaxVersion", "TLSMaxVersion"),
    l("cipherSuites", "CipherSuites", &SCALAR),
];
const MESH_TLS: &[F] = &[
    o("incoming", "Incoming", MESH_DIRECTIONAL_TLS),
    o("outgoing", "Outgoing", MESH_DIRECTIONAL_TLS),
];
const REQUEST_NORMALIZATION: &[F] = &[
    s(
        "insecureDisablePathNormalization",
        "InsecureDisablePathNormalization",
    ),
    s("mergeSlashes", "MergeSlashes"),
    s(
        "pathWithEscapedSlashesAction",
        "PathWithEscapedSlashesAction",
    ),
    s(
        "headersWithUnderscoresAction",
        "HeadersWithUnderscoresAction",
    ),
];
const MESH_HTTP_INCOMING: &[F] = &[o(
    "requestNormalization",
    "RequestNormalization",
    REQUEST_NORMALIZATION,
)];
const MESH_HTTP: &[F] = &[
    s(
        "sanitizeXForwardedClientCert",
        "SanitizeXForwardedClientCert",
    ),
    o("incoming", "Incoming", MESH_HTTP_INCOMING),
];

/// `Mesh.spec`.
pub(super) const MESH: &[F] = &[
    o(
        "transparentProxy",
        "TransparentProxy",
        &[s("meshDestinationsOnly", "MeshDestinationsOnly")],
    ),
    s(
        "allowEnablingPermissiveMutualTLS",
        "AllowEnablingPermissiveMutualTLS",
    ),
    o("tls", "TLS", MESH_TLS),
    o("http", "HTTP", MESH_HTTP),
    o(
        "peering",
        "Peering",
        &[s("peerThroughMeshGateways", "PeerThroughMeshGateways")],
    ),
    s("validateClusters", "ValidateClusters"),
];

const SERVICE_CONSUMER: &[F] = &[
    s("partition", "Partition"),
    s("peer", "Peer"),
    s("samenessGroup", "SamenessGroup"),
];
const EXPORTED_SERVICE: &[F] = &[
    s("name", "Name"),
    s("namespace", "Namespace"),
    l("consumers", "Consumers", &Shape::Object(SERVICE_CONSUMER)),
];

/// `ExportedServices.spec`.
pub(super) const EXPORTED_SERVICES: &[F] =
    &[l("services", "Services", &Shape::Object(EXPORTED_SERVICE))];
