//! The `meshroute resolve`, `explain` and `route` commands, run as a user would.
#![cfg(feature = "cli")]

use std::process::{Command, Output};

const TD: &str = "a1b2c3d4-0000-4000-8000-000000000001.consul";
const EXAMPLES_TD: &str = "7f2ee3b4-5a44-4d5e-9b1c-4a2b9c1c7e0d.consul";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// Runs the command and requires exit code 0.
fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The `result` of the JSON envelope on stdout.
fn json(out: &Output) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(v["schema"], "meshroute/1");
    v["result"].clone()
}

fn route<'a>(v: &'a serde_json::Value, service: &str, upstream: &str) -> &'a serde_json::Value {
    v["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"] == service && r["upstream"]["name"] == upstream)
        .unwrap_or_else(|| panic!("no route {service} -> {upstream} in {v:#}"))
}

#[test]
fn resolve_examples_json_gives_the_product_documents_routes() {
    let out = run_ok(&["resolve", "--format", "json", "examples/"]);
    let v = json(&out);
    assert_eq!(v["trust_domain"], EXAMPLES_TD);
    let api = route(&v, "web", "api");
    assert_eq!(api["datacenter"], "primary");
    assert_eq!(api["proxy"], "web-sidecar-proxy");
    assert_eq!(api["upstream"]["datacenter"], "secondary");
    assert_eq!(api["upstream"]["local_bind_port"], 10000);
    assert_eq!(api["mode"], "remote");
    assert_eq!(api["decided_by"], "service-instance");
    // api's service-resolver (examples/secondary/api-resolver.hcl, shared with the primary)
    // has DefaultSubset v1: Consul dials the v1 subset, whose SNI names it.
    assert_eq!(
        api["sni"],
        format!("v1.api.default.secondary.internal.{EXAMPLES_TD}")
    );
    assert_eq!(
        api["chain"]["targets"][0]["id"],
        "v1.api.default.default.secondary"
    );
    assert_eq!(api["chain"]["targets"][0]["via"][0], "default subset v1");
    assert_eq!(api["next_hop"]["kind"], "remote-gateway");
    assert_eq!(api["next_hop"]["datacenter"], "secondary");
    assert_eq!(
        api["next_hop"]["addresses"],
        serde_json::json!(["198.18.2.10:443"])
    );

    let db = route(&v, "web", "db");
    assert_eq!(
        (db["mode"].as_str(), db["decided_by"].as_str()),
        (Some("local"), Some("upstream"))
    );
    assert_eq!(
        db["next_hop"]["addresses"],
        serde_json::json!(["10.1.0.10:8443", "10.1.0.11:8443"])
    );

    let logging = route(&v, "web", "logging");
    assert_eq!(logging["mode"], "none");
    assert_eq!(logging["next_hop"]["kind"], "direct");
    assert_eq!(
        logging["next_hop"]["addresses"],
        serde_json::json!(["203.0.113.40:21000"])
    );

    let cache = route(&v, "web", "cache");
    assert_eq!(cache["next_hop"]["kind"], "direct");
    assert_eq!(cache["upstream"]["datacenter"], "primary");

    let billing = route(&v, "billing", "api");
    assert_eq!(billing["decided_by"], "proxy-defaults");
    assert_eq!(billing["mode"], "local");

    let query = route(&v, "billing", "api-nearest");
    assert_eq!(query["upstream"]["destination_type"], "prepared_query");
    assert_eq!(query["next_hop"]["kind"], "direct");
    assert_eq!(
        query["sni"],
        format!("api-nearest.default.primary.query.{EXAMPLES_TD}")
    );

    // The primary's proxy-defaults (a bootstrap entry of its server) is replicated to the
    // secondary, which names it as its primary: local, through the secondary's gateway. (Before
    // config entries were shared per federation this was none, by Consul's default.)
    let dash = route(&v, "dashboard", "web");
    assert_eq!(
        (dash["mode"].as_str(), dash["decided_by"].as_str()),
        (Some("local"), Some("proxy-defaults"))
    );
    assert_eq!(
        dash["next_hop"]["addresses"],
        serde_json::json!(["10.2.0.10:8443"])
    );
}

#[test]
fn resolve_examples_table_has_one_aligned_row_per_upstream_and_chain_target() {
    let out = run_ok(&["resolve", "examples"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("DATACENTER"));
    // The VM datacenters' eight upstreams, one row more for inventory's failover target
    // (examples/failover), the Kubernetes datacenter's three, the Nomad one's one.
    assert_eq!(lines.len(), 1 + 8 + 1 + 3 + 1, "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("inventory (failover 1)  west")),
        "{text}"
    );
    let col = lines[0].find("MODE").unwrap();
    for l in &lines[1..] {
        assert_eq!(&l[col - 2..col], "  ", "{l}");
    }
    assert!(text.contains("service-instance"));
}

#[test]
fn route_in_the_examples_forwards_and_serves_subsets() {
    let sni = format!("v2.api.default.secondary.internal.{EXAMPLES_TD}");
    let out = run(&[
        "route",
        "--datacenter",
        "primary",
        "--sni",
        &sni,
        "--format",
        "json",
        "examples",
    ]);
    let v = json(&out);
    assert_eq!(v["action"], "forward");
    assert_eq!(v["addresses"], serde_json::json!(["198.18.2.10:443"]));
    let out = run(&[
        "route",
        "--datacenter",
        "secondary",
        "--sni",
        &sni,
        "--format",
        "json",
        "examples",
    ]);
    let v = json(&out);
    assert_eq!(v["action"], "local");
    assert_eq!(v["subset"], "v2");
}

#[test]
fn resolve_fixtures_json_and_datacenter_filter() {
    let out = run_ok(&[
        "resolve",
        "--format",
        "json",
        "--datacenter",
        "east",
        "tests/fixtures/resolve",
    ]);
    let v = json(&out);
    assert_eq!(v["trust_domain"], TD);
    assert_eq!(v["routes"].as_array().unwrap().len(), 9);
    let o = route(&v, "frontend", "orders");
    assert_eq!(o["decided_by"], "upstream-override");
    let out = run(&[
        "resolve",
        "--datacenter",
        "west",
        "tests/fixtures/resolve",
        "--format",
        "json",
    ]);
    assert_eq!(json(&out)["routes"], serde_json::json!([]));
}

#[test]
fn an_explicit_trust_domain_wins_over_the_saved_roots() {
    let out = run(&[
        "resolve",
        "--format",
        "json",
        "--trust-domain",
        "other.consul",
        "tests/fixtures/resolve",
    ]);
    let v = json(&out);
    assert_eq!(v["trust_domain"], "other.consul");
}

#[test]
fn without_a_trust_domain_resolve_says_how_to_give_one_and_exits_1() {
    let out = run(&[
        "resolve",
        "tests/fixtures/resolve/west/agent.json",
        "tests/fixtures/resolve/east/services",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--trust-domain") && err.contains("/v1/connect/ca/roots"),
        "{err}"
    );
}

#[test]
fn load_errors_are_printed_located_and_exit_1() {
    let dir = std::env::temp_dir().join(format!("meshroute-cli-resolve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.json");
    std::fs::write(
        &f,
        r#"{"Kind": "proxy-defaults", "MeshGateway": {"Mode": "Local"}}"#,
    )
    .unwrap();
    let out = run(&["resolve", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.json:") && err.contains(": MeshGateway.Mode: "),
        "{err}"
    );
    assert!(err.contains("Invalid Mesh Gateway Mode"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["resolve"]).status.code(), Some(2));
    assert_eq!(
        run(&["resolve", "--format", "xml", "examples"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["route", "--sni", "x", "examples"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["resolve", "no/such/dir"]).status.code(), Some(2));
}

#[test]
fn unknown_datacenter_exits_2() {
    let out = run(&[
        "resolve",
        "--datacenter",
        "nowhere",
        "tests/fixtures/resolve",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("east, west"));
}

#[test]
fn explain_lists_every_layer() {
    let out = run_ok(&[
        "explain",
        "--service",
        "frontend",
        "--upstream",
        "orders",
        "tests/fixtures/resolve",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    for layer in [
        "upstream ",
        "upstream-override",
        "service-instance",
        "upstream-defaults",
        "service-defaults",
        "proxy-defaults",
        "destination-defaults",
        "default",
    ] {
        assert!(text.contains(layer), "{layer}: {text}");
    }
    assert!(text.contains("=> upstream-override"), "{text}");
    assert!(
        text.contains("mode: local (decided by upstream-override)"),
        "{text}"
    );
    let out = run(&[
        "explain",
        "--service",
        "frontend",
        "--upstream",
        "nope",
        "tests/fixtures/resolve",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn route_text_and_json_and_exit_codes() {
    let sni = format!("orders.default.west.internal.{TD}");
    let out = run(&[
        "route",
        "--datacenter",
        "east",
        "--sni",
        &sni,
        "tests/fixtures/resolve",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("forward to the mesh gateways of datacenter west")
    );
    let out = run(&[
        "route",
        "--datacenter",
        "west",
        "--sni",
        &sni,
        "--format",
        "json",
        "tests/fixtures/resolve",
    ]);
    let v = json(&out);
    assert_eq!(v["action"], "local");
    assert_eq!(v["service"], "orders");
    let out = run(&[
        "route",
        "--datacenter",
        "west",
        "--sni",
        "example.com",
        "--format",
        "json",
        "tests/fixtures/resolve",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["action"], "reject");
}

#[test]
fn explain_json_has_the_route_the_layers_and_the_notes() {
    let out = run_ok(&[
        "explain",
        "--service",
        "reports",
        "--upstream",
        "frontend",
        "--format",
        "json",
        "tests/fixtures/resolve",
    ]);
    let v = json(&out);
    let e = &v[0];
    assert_eq!(e["route"]["decided_by"], "service-instance");
    assert_eq!(e["layers"].as_array().unwrap().len(), 8);
    assert_eq!(e["layers"][2]["layer"], "service-instance");
    assert_eq!(e["layers"][2]["mode"], "local");
    assert!(
        e["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("same datacenter")
    );
}

/// A table written to a standard output whose reader is gone (`| head` having exited) ends
/// there: the command still finishes with its own exit code, and does not panic.
#[test]
fn the_table_on_a_closed_standard_output_ends_without_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(["resolve", "examples/primary", "examples/secondary"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
