//! Nomad job specifications: HCL2 job files and JSON jobs (`nomad job run -output`), read
//! into the registrations Nomad makes; values known only when the job runs reported, never
//! guessed. The behaviour is Nomad's (its jobspec, `api` types and Consul service client),
//! described case by case; the jobs are our own.
#![cfg(feature = "nomad")]

use std::path::Path;

use meshroute::{
    Diagnostic, DiagnosticKind, Document, Format, Loaded, Loader, MeshGatewayMode, ServiceKind,
    Severity,
};

fn load(src: &str, format: Format) -> Loaded {
    let file = if format == Format::Hcl2 {
        "east/shop.nomad.hcl"
    } else {
        "east/shop.json"
    };
    Loader::new().load_str(src, format, Some(Path::new(file)))
}

fn errors(l: &Loaded) -> Vec<&Diagnostic> {
    l.diagnostics.iter().filter(|d| d.is_error()).collect()
}

fn warnings(l: &Loaded) -> Vec<&Diagnostic> {
    l.diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Warning)
        .collect()
}

const JOB: &str = r#"job "shop" {
  datacenters = ["east", "east-*"]
  region      = "us"

  group "web" {
    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name = "${JOB}-${TASKGROUP}"
      port = "http"
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "api"
              local_bind_port  = 9090
              datacenter       = "west"
              mesh_gateway {
                mode = "remote"
              }
            }
            upstreams {
              destination_name = "orders"
              destination_peer = "partner"
              local_bind_port  = 9091
            }
          }
        }
      }
    }
  }

  group "edge" {
    network {
      port "mesh" {
        static = 9100
      }
    }
    service {
      name = "mesh-gateway"
      port = "mesh"
      tagged_addresses {
        wan = "198.18.5.10:443"
      }
      connect {
        gateway {
          mesh {}
        }
      }
    }
  }
}
"#;

/// The same job as `nomad job run -output` prints it (the fields that matter, Nomad's
/// `null`s included).
const JOB_JSON: &str = r#"{
  "Job": {
    "ID": "shop",
    "Name": "shop",
    "Region": "us",
    "Datacenters": ["east", "east-*"],
    "TaskGroups": [
      {
        "Name": "web",
        "Networks": [{"Mode": "bridge", "DynamicPorts": [{"Label": "http", "Value": 0, "To": 8080}], "ReservedPorts": null}],
        "Services": [
          {
            "Name": "${JOB}-${TASKGROUP}",
            "PortLabel": "http",
            "Provider": "consul",
            "TaggedAddresses": null,
            "Connect": {
              "Native": false,
              "Gateway": null,
              "SidecarTask": null,
              "SidecarService": {
                "Tags": null,
                "Port": "",
                "Proxy": {
                  "LocalServiceAddress": "",
                  "LocalServicePort": 0,
                  "Upstreams": [
                    {"DestinationName": "api", "DestinationNamespace": "", "DestinationPeer": "", "LocalBindPort": 9090, "Datacenter": "west", "LocalBindAddress": "", "MeshGateway": {"Mode": "remote"}, "Config": null},
                    {"DestinationName": "orders", "DestinationNamespace": "", "DestinationPeer": "partner", "LocalBindPort": 9091, "Datacenter": "", "LocalBindAddress": "", "MeshGateway": {"Mode": ""}, "Config": null}
                  ],
                  "Config": null
                }
              }
            }
          }
        ],
        "Tasks": [{"Name": "app", "Services": null}]
      },
      {
        "Name": "edge",
        "Networks": [{"Mode": "host", "ReservedPorts": [{"Label": "mesh", "Value": 9100, "To": 0}], "DynamicPorts": null}],
        "Services": [
          {
            "Name": "mesh-gateway",
            "PortLabel": "mesh",
            "TaggedAddresses": {"wan": "198.18.5.10:443"},
            "Connect": {"Native": false, "SidecarService": null, "SidecarTask": null, "Gateway": {"Proxy": {"ConnectTimeout": 5000000000}, "Mesh": {}, "Ingress": null, "Terminating": null}}
          }
        ]
      }
    ]
  }
}"#;

#[test]
fn a_job_is_its_document_and_its_services_registrations() {
    let l = load(JOB, Format::Hcl2);
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let job = l.documents[0].as_nomad_job().unwrap();
    assert_eq!((job.name.as_str(), job.region.as_str()), ("shop", "us"));
    assert_eq!(job.datacenters, ["east", "east-*"]);
    assert!(job.runs_in("east-2"));
    let s: Vec<_> = l
        .documents
        .iter()
        .filter_map(Document::as_service)
        .collect();
    assert_eq!(s.len(), 3);
    let (web, sidecar, gw) = (s[0], s[1], s[2]);
    assert_eq!(
        web.name, "shop-web",
        "Nomad replaces JOB and TASKGROUP in a service name"
    );
    assert_eq!(
        web.service_id(),
        "_nomad-task-<alloc>-group-web-shop-web-http"
    );
    assert_eq!(
        web.port, None,
        "a dynamic port is known only once the job runs"
    );
    assert_eq!(web.meta["external-source"], "nomad");
    assert_eq!(sidecar.kind, ServiceKind::ConnectProxy);
    assert_eq!(sidecar.name, "shop-web-sidecar-proxy");
    let p = sidecar.proxy.as_ref().unwrap();
    assert_eq!(p.destination_service_name.as_deref(), Some("shop-web"));
    assert_eq!(p.upstreams.len(), 2);
    assert_eq!(p.upstreams[0].datacenter.as_deref(), Some("west"));
    assert_eq!(p.upstreams[0].mesh_gateway.mode, MeshGatewayMode::Remote);
    assert_eq!(p.upstreams[0].pos.line, 19);
    assert_eq!(p.upstreams[1].destination_peer.as_deref(), Some("partner"));
    assert_eq!(gw.kind, ServiceKind::MeshGateway);
    assert_eq!(gw.port, Some(9100), "a static port");
    let wan = &gw.tagged_addresses["wan"];
    assert_eq!((wan.address.as_str(), wan.port), ("198.18.5.10", 443));
}

#[test]
fn the_json_job_decodes_as_the_hcl2_job() {
    let hcl = load(JOB, Format::Hcl2);
    let json = load(JOB_JSON, Format::Json);
    assert!(!json.has_errors(), "{:#?}", json.diagnostics);
    let values = |l: &Loaded| -> Vec<serde_json::Value> {
        l.documents.iter().map(Document::to_json).collect()
    };
    assert_eq!(values(&hcl), values(&json));
}

#[test]
fn values_known_only_when_the_job_runs_are_reported_and_left_out() {
    let src = JOB
        .replace("\"west\"", "var.upstream_dc")
        .replace("\"orders\"", "\"${NOMAD_META_orders}\"")
        .replace("[\"east\", \"east-*\"]", "[\"east\", node.datacenter]");
    let with_var = format!("variable \"upstream_dc\" {{\n  default = \"west\"\n}}\n{src}");
    let l = load(&with_var, Format::Hcl2);
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let w: Vec<String> = warnings(&l)
        .iter()
        .map(|d| d.message().to_owned())
        .collect();
    assert_eq!(
        w,
        [
            "the expression ${node.datacenter} is evaluated when the job runs, not offline: this item is left out",
            "${var.upstream_dc} is variable \"upstream_dc\"'s default, \"west\" (nomad job run -var, -var-file or NOMAD_VAR_upstream_dc would change it)",
            "the expression ${NOMAD_META_orders} is evaluated when the job runs, not offline: the upstream is left out",
        ]
    );
    assert!(
        warnings(&l)
            .iter()
            .all(|d| d.kind() == DiagnosticKind::Unevaluated)
    );
    assert_eq!(l.documents[0].as_nomad_job().unwrap().datacenters, ["east"]);
    let sidecar = l
        .documents
        .iter()
        .filter_map(Document::as_service)
        .nth(1)
        .unwrap();
    let ups = &sidecar.proxy.as_ref().unwrap().upstreams;
    assert_eq!(
        ups.len(),
        1,
        "the upstream whose name is unknown is left out"
    );
    assert_eq!(ups[0].datacenter.as_deref(), Some("west"));
    // A variable without a default is given when the job runs.
    let no_default = format!("variable \"upstream_dc\" {{}}\n{src}");
    let l = load(&no_default, Format::Hcl2);
    let w = warnings(&l);
    assert!(
        w[1].message()
            .starts_with("${var.upstream_dc} is variable \"upstream_dc\" without a default"),
        "{}",
        w[1]
    );
    let d = w[1];
    assert_eq!(
        (d.line(), d.path()),
        (
            23,
            "job.shop.group.web.service[0].connect.sidecar_service.proxy.upstreams[0].datacenter"
        )
    );
}

#[test]
fn nomads_own_rules_with_its_texts() {
    let cases = [
        (
            JOB.replace("name = \"${JOB}-${TASKGROUP}\"", "name = \"web_api\""),
            "Service name must be valid per RFC 1123 and can contain only alphanumeric characters or dashes and must be no longer than 63 characters: \"web_api\"",
        ),
        (
            JOB.replace(
                "      port = \"http\"\n",
                "      port = \"http\"\n      provider = \"nomad\"\n",
            ),
            "Service with provider nomad cannot include Connect blocks",
        ),
        (
            JOB.replace(
                "        gateway {\n",
                "        native = true\n        gateway {\n",
            ),
            "Consul Connect must be exclusively native, make use of a sidecar, or represent a Gateway",
        ),
        (
            JOB.replace("destination_name = \"api\"", "destination_nmae = \"api\""),
            "Unsupported argument; An argument named \"destination_nmae\" is not expected here.",
        ),
        (
            JOB.replace("mode = \"remote\"", "mode = \"Remote\""),
            "Invalid Mesh Gateway Mode: \"Remote\"; expected one of",
        ),
        (
            JOB.replace(
                "local_bind_port  = 9091",
                "local_bind_port  = 9090\n              datacenter = \"west\"",
            ),
            "upstream cannot specify both destination peer and datacenter",
        ),
    ];
    for (src, text) in cases {
        let l = load(&src, Format::Hcl2);
        let e = errors(&l);
        assert!(
            e.iter().any(|d| d.message().starts_with(text)),
            "{text}\n{:#?}",
            l.diagnostics
        );
        assert!(e.iter().all(|d| d.line() > 0), "{e:#?}");
    }
}

#[test]
fn a_job_placed_outside_its_datacenters_is_warned_about() {
    let l = load(JOB, Format::Hcl2);
    let t = meshroute::Topology::from_documents(&l.documents, None);
    // No agent configuration: the directory names the datacenter, `east`, which the job
    // runs in.
    assert!(
        !t.warnings()
            .iter()
            .any(|w| w.kind() == meshroute::WarningKind::NomadDatacenter)
    );
    let other = Loader::new().load_str(JOB, Format::Hcl2, Some(Path::new("north/shop.nomad")));
    let t = meshroute::Topology::from_documents(&other.documents, None);
    let w = t
        .warnings()
        .iter()
        .find(|w| w.kind() == meshroute::WarningKind::NomadDatacenter)
        .unwrap();
    assert!(
        w.message()
            .starts_with("Nomad job \"shop\" runs in datacenters [\"east\", \"east-*\"], but its file is in datacenter \"north\""),
        "{w}"
    );
}

#[test]
fn syntax_errors_are_located() {
    let l = load(
        "job \"x\" {\n  group \"g\" {\n    count = \n  }\n}\n",
        Format::Hcl2,
    );
    let e = errors(&l);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].kind(), DiagnosticKind::Syntax);
    assert!(e[0].line() >= 3, "{}", e[0]);
    let l = load("variable \"x\" {}\n", Format::Hcl2);
    assert!(errors(&l)[0].message().starts_with("no job block"));
}
