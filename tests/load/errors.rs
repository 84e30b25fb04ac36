//! Bad input: every decoding and validation rule, asserting the message, key path and line.
#![cfg(feature = "yaml")]

use std::fmt::Write as _;

use meshroute::tree::Limits;
use meshroute::{DiagnosticKind, Format, Loader};

struct Problem {
    line: u32,
    path: String,
    message: String,
    kind: DiagnosticKind,
    suggestion: Option<String>,
}

fn problems(src: &str, format: Format) -> Vec<Problem> {
    let loaded = Loader::new().load_str(src, format, None);
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| Problem {
            line: d.line(),
            path: d.path().to_owned(),
            message: d.message().to_owned(),
            kind: d.kind(),
            suggestion: d.suggestion().map(str::to_owned),
        })
        .collect()
}

/// Exactly one error, at `line` and `path`, whose message contains `text`.
fn one(src: &str, format: Format, line: u32, path: &str, text: &str) -> Problem {
    let mut ps = problems(src, format);
    assert_eq!(
        ps.len(),
        1,
        "expected one error, got {:?}",
        ps.iter()
            .map(|p| format!("{}:{}: {}", p.line, p.path, p.message))
            .collect::<Vec<_>>()
    );
    let p = ps.remove(0);
    assert_eq!(p.path, path, "{}", p.message);
    assert_eq!(p.line, line, "{}", p.message);
    assert!(
        p.message.contains(text),
        "{:?} does not contain {text:?}",
        p.message
    );
    p
}

const PROXY_HEAD: &str = "service:
  kind: connect-proxy
  name: web-sidecar-proxy
  port: 8181
  proxy:
    destination_service_name: web
    upstreams:
";

#[test]
fn upstream_without_destination_name() {
    let src = format!("{PROXY_HEAD}    - local_bind_port: 10000\n");
    one(
        &src,
        Format::Yaml,
        8,
        "service.proxy.upstreams[0]",
        "upstream destination name cannot be empty",
    );
}

#[test]
fn upstream_with_peer_and_datacenter() {
    let src = format!(
        "{PROXY_HEAD}    - destination_name: api\n      local_bind_port: 1\n    - destination_name: db\n      destination_peer: partner\n      datacenter: dc2\n      local_bind_port: 2\n"
    );
    one(
        &src,
        Format::Yaml,
        10,
        "service.proxy.upstreams[1]",
        "upstream cannot specify both destination peer and datacenter",
    );
}

#[test]
fn two_upstreams_on_one_listener() {
    let src = format!(
        "{PROXY_HEAD}    - destination_name: api\n      local_bind_port: 9191\n    - destination_name: db\n      local_bind_address: 127.0.0.1\n      local_bind_port: 9191\n"
    );
    let p = one(
        &src,
        Format::Yaml,
        10,
        "service.proxy.upstreams[1]",
        "\"127.0.0.1:9191\" is specified twice",
    );
    assert_eq!(
        p.message,
        "upstreams cannot contain duplicates by local bind address and port or unix path; \"127.0.0.1:9191\" is specified twice"
    );
    // Different addresses on one port are two listeners.
    let ok = format!(
        "{PROXY_HEAD}    - destination_name: api\n      local_bind_port: 9191\n    - destination_name: db\n      local_bind_address: 127.0.0.2\n      local_bind_port: 9191\n"
    );
    assert!(problems(&ok, Format::Yaml).is_empty());
}

#[test]
fn a_socket_path_written_as_the_address_and_port_is_the_same_listener() {
    // Listeners compare as text: the socket path "127.0.0.1:9191" is the default address
    // and port 9191.
    let src = format!(
        "{PROXY_HEAD}    - destination_name: api\n      local_bind_socket_path: \"127.0.0.1:9191\"\n    - destination_name: db\n      local_bind_port: 9191\n"
    );
    one(
        &src,
        Format::Yaml,
        10,
        "service.proxy.upstreams[1]",
        "\"127.0.0.1:9191\" is specified twice",
    );
    let other_port = src.replace("9191\n", "9192\n");
    assert!(problems(&other_port, Format::Yaml).is_empty());
}

/// The problems of a sidecar's `n` upstreams, `s{i}` on port `10000 + i`, but for those
/// `differ` gives another name and port: each as its path and message.
fn upstream_list_problems(
    n: usize,
    differ: impl Fn(usize) -> Option<(&'static str, usize)>,
) -> Vec<(String, String)> {
    let mut src = PROXY_HEAD.to_owned();
    for i in 0..n {
        let (name, port) = match differ(i) {
            Some((name, port)) => (name.to_owned(), port),
            None => (format!("s{i}"), 10_000 + i),
        };
        let _ = write!(
            src,
            "    - destination_name: {name}\n      local_bind_port: {port}\n"
        );
    }
    problems(&src, Format::Yaml)
        .into_iter()
        .map(|p| (p.path, p.message))
        .collect()
}

fn path_and_message(path: &str, message: &str) -> (String, String) {
    (path.to_owned(), message.to_owned())
}

#[test]
fn duplicates_in_a_long_list_of_upstreams_are_each_reported_at_the_later_one() {
    // Past eight upstreams (where the duplicates were once found by sorting; past 32 they
    // still are): the later of two is still the one reported, in the list's order.
    let got = upstream_list_problems(12, |i| match i {
        9 => Some(("s2", 10_002)),
        11 => Some(("s11", 10_004)),
        _ => None,
    });
    assert_eq!(
        got,
        [
            path_and_message(
                "service.proxy.upstreams[9]",
                "upstreams cannot contain duplicates of [type=\"service\", name=\"s2\", partition=\"\", namespace=\"\", peer=\"\", datacenter=\"\"]"
            ),
            path_and_message(
                "service.proxy.upstreams[9]",
                "upstreams cannot contain duplicates by local bind address and port or unix path; \"127.0.0.1:10002\" is specified twice"
            ),
            path_and_message(
                "service.proxy.upstreams[11]",
                "upstreams cannot contain duplicates by local bind address and port or unix path; \"127.0.0.1:10004\" is specified twice"
            ),
        ]
    );
}

#[test]
fn duplicates_in_a_list_of_more_than_32_upstreams_are_each_reported_at_the_later_one() {
    // Past 32 upstreams the duplicates are found by sorting (up to it, pairwise): the later
    // of two is still the one reported, in the list's order, a smaller index after a larger.
    let got = upstream_list_problems(40, |i| match i {
        35 => Some(("s34", 10_035)),
        36 => Some(("s36", 10_002)),
        38 => Some(("s38", 10_037)),
        _ => None,
    });
    assert_eq!(
        got,
        [
            path_and_message(
                "service.proxy.upstreams[35]",
                "upstreams cannot contain duplicates of [type=\"service\", name=\"s34\", partition=\"\", namespace=\"\", peer=\"\", datacenter=\"\"]"
            ),
            path_and_message(
                "service.proxy.upstreams[36]",
                "upstreams cannot contain duplicates by local bind address and port or unix path; \"127.0.0.1:10002\" is specified twice"
            ),
            path_and_message(
                "service.proxy.upstreams[38]",
                "upstreams cannot contain duplicates by local bind address and port or unix path; \"127.0.0.1:10037\" is specified twice"
            ),
        ]
    );
}

#[test]
fn duplicate_upstream_identity() {
    let src = format!(
        "{PROXY_HEAD}    - destination_name: api\n      local_bind_port: 1\n    - destination_name: api\n      local_bind_port: 2\n"
    );
    one(
        &src,
        Format::Yaml,
        10,
        "service.proxy.upstreams[1]",
        "upstreams cannot contain duplicates of [type=\"service\", name=\"api\"",
    );
}

#[test]
fn upstream_without_listener() {
    let src = format!("{PROXY_HEAD}    - destination_name: api\n");
    one(
        &src,
        Format::Yaml,
        8,
        "service.proxy.upstreams[0]",
        "upstream local bind port or local socket path must be defined and nonzero",
    );
}

#[test]
fn unknown_destination_type() {
    let src = format!(
        "{PROXY_HEAD}    - destination_name: api\n      destination_type: query\n      local_bind_port: 1\n"
    );
    one(
        &src,
        Format::Yaml,
        9,
        "service.proxy.upstreams[0].destination_type",
        "unknown upstream destination type: \"query\"",
    );
}

#[test]
fn connect_proxy_without_destination() {
    let src =
        "service:\n  kind: connect-proxy\n  name: p\n  port: 1\n  proxy:\n    upstreams: []\n";
    one(
        src,
        Format::Yaml,
        6,
        "service",
        "Proxy.DestinationServiceName must be non-empty for Connect proxy services",
    );
}

#[test]
fn mesh_gateway_rules() {
    let port0 = "service:\n  kind: mesh-gateway\n  name: gw\n";
    one(
        port0,
        Format::Yaml,
        2,
        "service",
        "Port must be non-zero for a mesh-gateway",
    );
    let sidecar = "service:\n  kind: mesh-gateway\n  name: gw\n  port: 8443\n  connect:\n    sidecar_service: {}\n";
    one(
        sidecar,
        Format::Yaml,
        2,
        "service",
        "A mesh-gateway cannot have a sidecar service defined",
    );
    let ups = "service:\n  kind: mesh-gateway\n  name: gw\n  port: 8443\n  proxy:\n    upstreams:\n    - destination_name: api\n      local_bind_port: 1\n";
    one(
        ups,
        Format::Yaml,
        6,
        "service",
        "The Proxy.Upstreams configuration is invalid for a mesh-gateway",
    );
}

#[test]
fn proxy_defaults_must_be_global() {
    // At the `Name` key (line 2), not where the entry starts.
    let src = "Kind: proxy-defaults\nName: foo\n";
    one(
        src,
        Format::Yaml,
        2,
        "Name",
        "invalid name (\"foo\"), only \"global\" is supported",
    );
    // An empty name is normalised to global, as Consul does.
    assert!(problems("Kind: proxy-defaults\nName: ''\n", Format::Yaml).is_empty());
}

#[test]
fn service_defaults_name_rules() {
    one(
        "Kind: service-defaults\n",
        Format::Yaml,
        1,
        "",
        "Name is required",
    );
    one(
        "Kind: service-defaults\nName: '*'\n",
        Format::Yaml,
        2,
        "Name",
        "service-defaults name must be the name of a service, and not a wildcard",
    );
}

#[test]
fn upstream_override_and_defaults_rules() {
    let src = "Kind: service-defaults\nName: web\nUpstreamConfig:\n  Overrides:\n  - MeshGateway:\n      Mode: local\n  Defaults:\n    Name: api\n";
    let ps = problems(src, Format::Yaml);
    let msgs: Vec<_> = ps
        .iter()
        .map(|p| (p.line, p.path.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        msgs,
        [
            (
                5,
                "UpstreamConfig.Overrides[0]",
                "error in upstream override for : Name is required"
            ),
            (
                8,
                "UpstreamConfig.Defaults",
                "error in upstream defaults: Name must be empty"
            ),
        ]
    );
}

#[test]
fn invalid_mode_in_a_service_definition() {
    let src = format!(
        "{PROXY_HEAD}    - destination_name: api\n      local_bind_port: 1\n      mesh_gateway:\n        mode: Local\n"
    );
    let p = one(
        &src,
        Format::Yaml,
        11,
        "service.proxy.upstreams[0].mesh_gateway.mode",
        "Invalid Mesh Gateway Mode: \"Local\"",
    );
    assert_eq!(p.kind, DiagnosticKind::InvalidMode);
}

#[test]
fn invalid_mode_in_a_config_entry_says_consul_would_accept_it() {
    let p = one(
        "Kind: proxy-defaults\nMeshGateway:\n  Mode: remot\n",
        Format::Yaml,
        3,
        "MeshGateway.Mode",
        "Invalid Mesh Gateway Mode: \"remot\"",
    );
    assert!(
        p.message
            .contains("Consul accepts an unknown mode in a config entry silently"),
        "{}",
        p.message
    );
}

#[test]
fn non_string_where_a_string_belongs() {
    let p = one(
        "Kind: service-defaults\nName: 5\n",
        Format::Yaml,
        2,
        "Name",
        "expected a string, found the number 5",
    );
    assert_eq!(p.kind, DiagnosticKind::WrongType);
    one(
        "Kind: service-defaults\nName: web\nProtocol: true\n",
        Format::Yaml,
        3,
        "Protocol",
        "expected a string, found the boolean true",
    );
}

#[test]
fn interpolation_is_not_a_literal() {
    let p = one(
        "Kind: service-defaults\nName: '${local}'\n",
        Format::Yaml,
        2,
        "Name",
        "expected a literal string",
    );
    assert_eq!(p.kind, DiagnosticKind::Interpolation);
}

#[test]
fn port_out_of_range() {
    let src = format!("{PROXY_HEAD}    - destination_name: api\n      local_bind_port: 70000\n");
    let p = one(
        &src,
        Format::Yaml,
        9,
        "service.proxy.upstreams[0].local_bind_port",
        "70000 is out of range",
    );
    assert_eq!(p.kind, DiagnosticKind::OutOfRange);
    one(
        "service:\n  name: a\n  port: 1.5\n",
        Format::Yaml,
        3,
        "service.port",
        "expected an integer",
    );
}

#[test]
fn unknown_key_with_suggestion() {
    let src = format!(
        "{PROXY_HEAD}    - destination_name: api\n      local_bind_port: 1\n      mesh_gatway:\n        mode: local\n"
    );
    let p = one(
        &src,
        Format::Yaml,
        10,
        "service.proxy.upstreams[0].mesh_gatway",
        "invalid config key \"mesh_gatway\"",
    );
    assert_eq!(p.suggestion.as_deref(), Some("mesh_gateway"));
    assert_eq!(p.kind, DiagnosticKind::UnknownKey);
    let camel = one(
        "Kind: proxy-defaults\nMeshGatway: {}\n",
        Format::Yaml,
        2,
        "MeshGatway",
        "invalid config key \"MeshGatway\"",
    );
    assert_eq!(camel.suggestion.as_deref(), Some("MeshGateway"));
    let far = one(
        "Kind: proxy-defaults\nzzz: 1\n",
        Format::Yaml,
        2,
        "zzz",
        "invalid config key \"zzz\"",
    );
    assert_eq!(far.suggestion, None);
}

#[test]
fn longer_list_where_one_block_is_expected() {
    let p = one(
        "Kind: proxy-defaults\nMeshGateway:\n- Mode: local\n- Mode: remote\n",
        Format::Yaml,
        4,
        "MeshGateway",
        "expected one block or map, found 2",
    );
    assert_eq!(p.kind, DiagnosticKind::TooMany);
}

#[test]
fn every_problem_of_a_file_is_reported() {
    let src = "Kind: service-defaults\nName: 5\nProtocl: http\nMeshGateway:\n  Mode: nope\n";
    let ps = problems(src, Format::Yaml);
    let lines: Vec<_> = ps.iter().map(|p| p.line).collect();
    assert_eq!(
        lines,
        [2, 5, 3],
        "{:?}",
        ps.iter().map(|p| &p.message).collect::<Vec<_>>()
    );
}

#[test]
fn datacenter_name_rule() {
    one(
        "datacenter: dc_1.east\n",
        Format::Yaml,
        1,
        "datacenter",
        "datacenter cannot be \"dc_1.east\". Please use only [a-z0-9-_].",
    );
}

#[test]
fn nested_sidecar_and_sidecar_id() {
    let nested = "service:\n  name: web\n  connect:\n    sidecar_service:\n      connect:\n        sidecar_service: {}\n";
    one(
        nested,
        Format::Yaml,
        6,
        "service.connect.sidecar_service.connect.sidecar_service",
        "sidecar_service can't have a nested sidecar_service",
    );
    let id = "service:\n  name: web\n  connect:\n    sidecar_service:\n      id: x\n";
    one(
        id,
        Format::Yaml,
        5,
        "service.connect.sidecar_service",
        "sidecar_service can't specify an ID",
    );
}

#[test]
fn deep_nesting_and_size_are_capped() {
    for format in [Format::Json, Format::Yaml, Format::Hcl] {
        let src = if format == Format::Hcl {
            format!("a = {}", "[".repeat(100_000))
        } else {
            "[".repeat(100_000)
        };
        let ps = problems(&src, format);
        assert_eq!(ps.len(), 1, "{format:?}");
        assert_eq!(
            ps[0].kind,
            DiagnosticKind::Limit,
            "{format:?}: {}",
            ps[0].message
        );
    }
    let small = Loader::new().with_limits({
        let mut l = Limits::default();
        l.max_bytes = 10;
        l
    });
    let loaded = small.load_str("Kind: proxy-defaults\n", Format::Yaml, None);
    assert_eq!(loaded.diagnostics[0].kind(), DiagnosticKind::Limit);
    // A message that merely mentions a limit is still a syntax error.
    let loaded = Loader::new().load_str("limit = nesting", Format::Hcl, None);
    assert_eq!(loaded.diagnostics[0].kind(), DiagnosticKind::Syntax);
}

#[test]
fn documents_with_errors_are_not_returned() {
    let loaded = Loader::new().load_str("Kind: proxy-defaults\nName: foo\n", Format::Yaml, None);
    assert!(loaded.documents.is_empty());
    assert!(loaded.has_errors());
    let err = loaded.into_result().unwrap_err();
    assert_eq!(
        err.to_string(),
        "<input>:2:1: Name: invalid name (\"foo\"), only \"global\" is supported"
    );
}

#[test]
fn hcl_unquoted_mode_is_an_error_not_a_template() {
    // hcl-rs would decode `mode = local` into the string "${local}"; HCL1 rejects the bare word.
    let src = "Kind = \"proxy-defaults\"\nMeshGateway {\n  Mode = local\n}\n";
    let ps = problems(src, Format::Hcl);
    assert_eq!(ps.len(), 1);
    assert_eq!((ps[0].line, ps[0].kind), (3, DiagnosticKind::Syntax));
    assert!(
        ps[0].message.contains("bare word local"),
        "{}",
        ps[0].message
    );
}

#[test]
fn hcl_quoted_keys_in_block_bodies_load() {
    let src =
        "service {\n  name = \"web\"\n  port = 80\n  meta {\n    \"version\" = \"1\"\n  }\n}\n";
    let docs = meshroute::load::from_str(src, Format::Hcl).unwrap();
    assert_eq!(docs[0].as_service().unwrap().meta["version"], "1");
}

#[test]
fn hcl_repeated_block_where_one_is_expected() {
    let src = "Kind = \"proxy-defaults\"\nMeshGateway { Mode = \"local\" }\nMeshGateway { Mode = \"remote\" }\n";
    let p = one(
        src,
        Format::Hcl,
        3,
        "MeshGateway",
        "expected one block or map, found 2",
    );
    assert_eq!(p.kind, DiagnosticKind::TooMany);
}

#[test]
fn hcl_errors_carry_lines_through_blocks() {
    let src = "service {\n  name = \"web\"\n  port = 1\n  connect {\n    sidecar_service {\n      proxy {\n        upstreams = [\n          { destination_name = \"a\", local_bind_port = 1 },\n          {\n            destination_name = \"b\"\n            local_bind_port = 2\n            mesh_gateway { mode = \"Remote\" }\n          },\n        ]\n      }\n    }\n  }\n}\n";
    let p = one(
        src,
        Format::Hcl,
        12,
        "service.connect.sidecar_service.proxy.upstreams[1].mesh_gateway.mode",
        "Invalid Mesh Gateway Mode: \"Remote\"",
    );
    assert_eq!(p.kind, DiagnosticKind::InvalidMode);
}

#[test]
fn json_errors_carry_lines() {
    let src = "{\n  \"Kind\": \"proxy-defaults\",\n  \"MeshGateway\": {\"Mode\": 3}\n}\n";
    one(
        src,
        Format::Json,
        3,
        "MeshGateway.Mode",
        "expected a string, found the number 3",
    );
}
