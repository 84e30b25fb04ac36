//! Why meshroute reads HCL1 itself: what hcl-rs (an HCL2 reader, `::hcl`) does with the HCL1
//! that Consul accepts and the product document uses. If hcl-rs changes, these tests say so
//! and docs/design.md ("HCL1: our own reader") needs another look.

use meshroute::tree::Limits;

const BLOCK_IN_OBJECT_IN_LIST: &str = r#"
upstreams = [
  {
    destination_name = "db"
    mesh_gateway {
      mode = "local"
    }
  },
]
"#;

const QUOTED_KEY_IN_BLOCK: &str = r#"
meta {
  "version" = "1"
}
"#;

#[test]
fn hcl_rs_rejects_a_block_inside_an_object_in_a_list() {
    assert!(::hcl::from_str::<::hcl::Value>(BLOCK_IN_OBJECT_IN_LIST).is_err());
    let ours = meshroute::hcl::parse(BLOCK_IN_OBJECT_IN_LIST, &Limits::default()).unwrap();
    assert_eq!(
        ours.to_json(),
        serde_json::json!({"upstreams": [{"destination_name": "db", "mesh_gateway": [{"mode": "local"}]}]})
    );
}

#[test]
fn hcl_rs_rejects_a_quoted_key_in_a_block_body() {
    assert!(::hcl::from_str::<::hcl::Value>(QUOTED_KEY_IN_BLOCK).is_err());
    let ours = meshroute::hcl::parse(QUOTED_KEY_IN_BLOCK, &Limits::default()).unwrap();
    assert_eq!(
        ours.to_json(),
        serde_json::json!({"meta": [{"version": "1"}]})
    );
}

#[test]
fn hcl_rs_turns_a_bare_word_into_an_interpolation() {
    let v = ::hcl::from_str::<::hcl::Value>("mode = local").unwrap();
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        serde_json::json!({"mode": "${local}"})
    );
    let e = meshroute::hcl::parse("mode = local", &Limits::default()).unwrap_err();
    assert!(e.message.contains("bare word local"), "{e}");
}

#[test]
fn hcl_rs_blocks_are_maps_not_lists_of_one_map() {
    let v = ::hcl::from_str::<::hcl::Value>("MeshGateway {\n  Mode = \"local\"\n}\n").unwrap();
    let ours = meshroute::hcl::parse("MeshGateway {\n  Mode = \"local\"\n}\n", &Limits::default())
        .unwrap();
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        serde_json::json!({"MeshGateway": {"Mode": "local"}})
    );
    assert_eq!(
        ours.to_json(),
        serde_json::json!({"MeshGateway": [{"Mode": "local"}]})
    );
}
