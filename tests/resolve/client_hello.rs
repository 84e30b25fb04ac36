//! Raw ClientHello bytes in, the gateway's decision out: `Topology::route_client_hello` and
//! `meshroute route --client-hello`.
#![cfg(feature = "sniff")]

use std::path::Path;

use meshroute::route::HelloRoute;
use meshroute::{Loader, RejectReason, Topology, sniff};

/// The trust domain of the bundled example's saved CA roots.
const TD: &str = "7f2ee3b4-5a44-4d5e-9b1c-4a2b9c1c7e0d.consul";

/// A minimal TLS 1.3 ClientHello carrying `name` (or no server_name extension).
fn hello(name: Option<&str>) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[7; 32]);
    body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
    let mut ext = Vec::new();
    if let Some(name) = name {
        let n = u16::try_from(name.len()).unwrap();
        ext.extend_from_slice(&[0, 0]);
        ext.extend_from_slice(&(n + 5).to_be_bytes());
        ext.extend_from_slice(&(n + 3).to_be_bytes());
        ext.push(0);
        ext.extend_from_slice(&n.to_be_bytes());
        ext.extend_from_slice(name.as_bytes());
    }
    // supported_versions: TLS 1.3.
    ext.extend_from_slice(&[0, 43, 0, 3, 2, 3, 4]);
    body.extend_from_slice(&u16::try_from(ext.len()).unwrap().to_be_bytes());
    body.extend_from_slice(&ext);
    let len = u32::try_from(body.len()).unwrap().to_be_bytes();
    let mut msg = vec![1, len[1], len[2], len[3]];
    msg.extend_from_slice(&body);
    let mut rec = vec![22, 3, 1];
    rec.extend_from_slice(&u16::try_from(msg.len()).unwrap().to_be_bytes());
    rec.extend_from_slice(&msg);
    rec
}

fn example() -> Topology {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let loaded = Loader::new().load_paths(&[root]);
    assert!(!loaded.has_errors());
    Topology::from_documents(&loaded.documents, None)
}

fn decided<'t>(topo: &'t Topology, dc: &str, bytes: &[u8]) -> meshroute::GatewayDecision<'t> {
    match topo
        .route_client_hello(dc, bytes, &sniff::Config::default())
        .unwrap()
    {
        HelloRoute::Decided(d) => d,
        other => panic!("not decided: {other:?}"),
    }
}

#[test]
fn the_hello_routes_exactly_as_its_name_does() {
    let topo = example();
    let names = [
        format!("api.default.secondary.internal.{TD}"),
        format!("v2.api.default.secondary.internal.{TD}"),
        format!("web.default.primary.internal.{TD}"),
        format!("API.Default.Secondary.Internal.{}", TD.to_uppercase()),
        format!("api.default.secondary.query.{TD}"),
        "api.default.secondary.internal.other.consul".to_owned(),
        "example.com".to_owned(),
    ];
    for dc in ["primary", "secondary"] {
        for name in &names {
            let by_hello = decided(&topo, dc, &hello(Some(name)));
            assert_eq!(by_hello, topo.route_sni(dc, name), "{dc} {name}");
        }
    }
    let d = decided(&topo, "primary", &hello(Some(&names[0])));
    assert_eq!(d.action_str(), "forward");
    let d = decided(&topo, "secondary", &hello(Some(&names[1])));
    assert_eq!(d.action_str(), "local");
}

#[test]
fn a_trailing_dot_is_removed_before_routing() {
    let topo = example();
    let name = format!("api.default.secondary.internal.{TD}");
    let d = decided(&topo, "primary", &hello(Some(&format!("{name}."))));
    assert_eq!(d.action_str(), "forward");
}

#[test]
fn no_server_name_is_rejected_with_its_reason() {
    let topo = example();
    let d = decided(&topo, "primary", &hello(None));
    assert_eq!(
        d.action,
        meshroute::GatewayAction::Reject(RejectReason::NoServerName)
    );
}

#[test]
fn partial_and_broken_hellos() {
    let topo = example();
    let h = hello(Some(&format!("api.default.secondary.internal.{TD}")));
    for cut in [0, 1, 5, 9, h.len() - 1] {
        let r = topo.route_client_hello("primary", &h[..cut], &sniff::Config::default());
        assert!(
            matches!(r, Ok(HelloRoute::NeedMore(n)) if n >= 1),
            "{cut}: {r:?}"
        );
    }
    let r = topo.route_client_hello(
        "primary",
        b"GET / HTTP/1.1\r\n\r\n",
        &sniff::Config::default(),
    );
    assert_eq!(r, Err(sniff::Error::NotTls));
}

#[cfg(feature = "cli")]
mod cli {
    use std::process::Command;

    use super::{TD, hello};

    fn route(dc: &str, bytes: &[u8], json: bool) -> (i32, String, String) {
        let dir = std::env::temp_dir().join(format!(
            "meshroute-hello-{}-{}",
            std::process::id(),
            bytes.len()
        ));
        std::fs::write(&dir, bytes).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_meshroute"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["route", "--datacenter", dc, "--client-hello"])
            .arg(&dir);
        if json {
            cmd.args(["--format", "json"]);
        }
        let out = cmd.arg("examples").output().unwrap();
        let _ = std::fs::remove_file(&dir);
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    #[test]
    fn route_client_hello_forwards_serves_and_rejects() {
        let name = format!("v2.api.default.secondary.internal.{TD}");
        let (code, out, err) = route("primary", &hello(Some(&name)), true);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let v = &v["result"];
        assert_eq!(v["action"], "forward");
        assert_eq!(v["sni"], name.as_str());
        assert_eq!(v["addresses"], serde_json::json!(["198.18.2.10:443"]));

        let (code, out, _) = route("secondary", &hello(Some(&name)), false);
        assert_eq!(code, 0);
        assert!(
            out.starts_with("serve locally: service api, subset v2"),
            "{out}"
        );

        // A complete hello with no server name: exit 3, as `sni` (the exit-code table).
        let (code, out, _) = route("primary", &hello(None), false);
        assert_eq!(code, 3);
        assert!(out.contains("no server name"), "{out}");
        let (code, out, _) = route("primary", &hello(None), true);
        assert_eq!(code, 3);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["result"]["reason"]["code"], "no-server-name");
        assert_eq!(v["errors"][0]["code"], "no-server-name");

        let h = hello(Some(&name));
        let (code, _, err) = route("primary", &h[..h.len() / 2], false);
        assert_eq!(code, 4);
        assert!(err.contains("more bytes are needed"), "{err}");

        let (code, _, err) = route("primary", b"SSH-2.0-OpenSSH_9.6\r\n", false);
        assert_eq!(code, 1);
        assert!(err.contains("rejected"), "{err}");
    }
}
