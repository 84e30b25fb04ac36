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
    /// A map from names the writer chooses (`subsets`, `failover`, header names) to these.
    Map(&'static Shape),
    /// A Go `metav1.Duration` (`15s`): a string, always present in the resource's JSON.
    Duration,
    /// A string, number or boolean always present in the resource's JSON (no `omitempty`).
    Always,
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
pub(super) const FAILOVER_POLICY: &[F] = &[s("mode", "Mode"), l("regions", "Regions", &SCALAR)];
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

const fn m(crd: &'static str, consul: &'static str, item: &'static Shape) -> F {
    F {
        crd,
        consul,
        shape: Shape::Map(item),
    }
}

const fn d(crd: &'static str, consul: &'static str) -> F {
    F {
        crd,
        consul,
        shape: Shape::Duration,
    }
}

const fn a(crd: &'static str, consul: &'static str) -> F {
    F {
        crd,
        consul,
        shape: Shape::Always,
    }
}

// The discovery chain's resources. Fields are in their Go types' order, which is the order
// of their JSON in the webhook's messages.

pub(super) const RESOLVER_SUBSET: &[F] = &[s("filter", "Filter"), s("onlyPassing", "OnlyPassing")];
pub(super) const RESOLVER_REDIRECT: &[F] = &[
    s("service", "Service"),
    s("serviceSubset", "ServiceSubset"),
    s("namespace", "Namespace"),
    s("partition", "Partition"),
    s("datacenter", "Datacenter"),
    s("peer", "Peer"),
    s("samenessGroup", "SamenessGroup"),
];
pub(super) const FAILOVER_TARGET: &[F] = &[
    s("service", "Service"),
    s("serviceSubset", "ServiceSubset"),
    s("partition", "Partition"),
    s("namespace", "Namespace"),
    s("datacenter", "Datacenter"),
    s("peer", "Peer"),
];
pub(super) const RESOLVER_FAILOVER: &[F] = &[
    s("service", "Service"),
    s("serviceSubset", "ServiceSubset"),
    s("namespace", "Namespace"),
    l("datacenters", "Datacenters", &SCALAR),
    l("targets", "Targets", &Shape::Object(FAILOVER_TARGET)),
    o("policy", "Policy", FAILOVER_POLICY),
    s("samenessGroup", "SamenessGroup"),
];
pub(super) const COOKIE_CONFIG: &[F] =
    &[s("session", "Session"), d("ttl", "TTL"), s("path", "Path")];
pub(super) const HASH_POLICY: &[F] = &[
    s("field", "Field"),
    s("fieldValue", "FieldValue"),
    o("cookieConfig", "CookieConfig", COOKIE_CONFIG),
    s("sourceIP", "SourceIP"),
    s("terminal", "Terminal"),
];
pub(super) const LOAD_BALANCER: &[F] = &[
    s("policy", "Policy"),
    o(
        "ringHashConfig",
        "RingHashConfig",
        &[
            s("minimumRingSize", "MinimumRingSize"),
            s("maximumRingSize", "MaximumRingSize"),
        ],
    ),
    o(
        "leastRequestConfig",
        "LeastRequestConfig",
        &[s("choiceCount", "ChoiceCount")],
    ),
    l("hashPolicies", "HashPolicies", &Shape::Object(HASH_POLICY)),
];

/// `ServiceResolver.spec`.
pub(super) const SERVICE_RESOLVER: &[F] = &[
    s("defaultSubset", "DefaultSubset"),
    m("subsets", "Subsets", &Shape::Object(RESOLVER_SUBSET)),
    o("redirect", "Redirect", RESOLVER_REDIRECT),
    m("failover", "Failover", &Shape::Object(RESOLVER_FAILOVER)),
    d("connectTimeout", "ConnectTimeout"),
    d("requestTimeout", "RequestTimeout"),
    o("loadBalancer", "LoadBalancer", LOAD_BALANCER),
    o(
        "prioritizeByLocality",
        "PrioritizeByLocality",
        PRIORITIZE_BY_LOCALITY,
    ),
];

pub(super) const HEADER_MODIFIERS: &[F] = &[
    m("add", "Add", &SCALAR),
    m("set", "Set", &SCALAR),
    l("remove", "Remove", &SCALAR),
];
pub(super) const MATCH_HEADER: &[F] = &[
    a("name", "Name"),
    s("present", "Present"),
    s("exact", "Exact"),
    s("prefix", "Prefix"),
    s("suffix", "Suffix"),
    s("regex", "Regex"),
    s("invert", "Invert"),
];
pub(super) const MATCH_QUERY_PARAM: &[F] = &[
    a("name", "Name"),
    s("present", "Present"),
    s("exact", "Exact"),
    s("regex", "Regex"),
];
pub(super) const HTTP_MATCH: &[F] = &[
    s("caseInsensitive", "CaseInsensitive"),
    s("pathExact", "PathExact"),
    s("pathPrefix", "PathPrefix"),
    s("pathRegex", "PathRegex"),
    l("header", "Header", &Shape::Object(MATCH_HEADER)),
    l(
        "queryParam",
        "QueryParam",
        &Shape::Object(MATCH_QUERY_PARAM),
    ),
    l("methods", "Methods", &SCALAR),
];
pub(super) const ROUTE_MATCH: &[F] = &[o("http", "HTTP", HTTP_MATCH)];
pub(super) const ROUTE_DESTINATION: &[F] = &[
    s("service", "Service"),
    s("serviceSubset", "ServiceSubset"),
    s("namespace", "Namespace"),
    s("partition", "Partition"),
    s("prefixRewrite", "PrefixRewrite"),
    d("idleTimeout", "IdleTimeout"),
    d("requestTimeout", "RequestTimeout"),
    s("numRetries", "NumRetries"),
    s("retryOnConnectFailure", "RetryOnConnectFailure"),
    l("retryOn", "RetryOn", &SCALAR),
    l("retryOnStatusCodes", "RetryOnStatusCodes", &SCALAR),
    o("requestHeaders", "RequestHeaders", HEADER_MODIFIERS),
    o("responseHeaders", "ResponseHeaders", HEADER_MODIFIERS),
];
pub(super) const ROUTE: &[F] = &[
    o("match", "Match", ROUTE_MATCH),
    o("destination", "Destination", ROUTE_DESTINATION),
];

/// `ServiceRouter.spec`.
pub(super) const SERVICE_ROUTER: &[F] = &[l("routes", "Routes", &Shape::Object(ROUTE))];

pub(super) const SPLIT: &[F] = &[
    s("weight", "Weight"),
    s("service", "Service"),
    s("serviceSubset", "ServiceSubset"),
    s("namespace", "Namespace"),
    s("partition", "Partition"),
    o("requestHeaders", "RequestHeaders", HEADER_MODIFIERS),
    o("responseHeaders", "ResponseHeaders", HEADER_MODIFIERS),
];

/// `ServiceSplitter.spec`.
pub(super) const SERVICE_SPLITTER: &[F] = &[l("splits", "Splits", &Shape::Object(SPLIT))];
