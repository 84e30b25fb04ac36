//! A diagnostic as a library user serializes it: its `Problem`, the object every `meshroute`
//! command prints in its JSON `errors` and `warnings`, key for key and in the same order;
//! severity and kind by their names.

use std::path::Path;

use meshroute::{Diagnostic, DiagnosticKind, Format, Loader, Severity};

fn diagnostics(src: &str, format: Format, file: Option<&Path>) -> Vec<Diagnostic> {
    Loader::new().load_str(src, format, file).diagnostics
}

#[test]
fn a_diagnostic_serializes_to_the_clis_object_in_its_key_order() {
    let src = "service {\n  name = \"web\"\n  port = 80\n  tgas = [\"a\"]\n}\n";
    let file = Path::new("dir/web.hcl");
    let ds = diagnostics(src, Format::Hcl, Some(file));
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(
        serde_json::to_string(&ds[0]).unwrap(),
        r#"{"code":"unknown-key","source":"load","severity":"error","message":"invalid config key \"tgas\"","file":"dir/web.hcl","line":4,"column":3,"path":"service.tgas","suggestion":"tags"}"#
    );
}

#[test]
fn no_file_and_no_suggestion_are_null() {
    let ds = diagnostics(
        r#"{"Kind": "proxy-defaults", "Name": 5}"#,
        Format::Json,
        None,
    );
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(
        serde_json::to_string(&ds[0]).unwrap(),
        r#"{"code":"wrong-type","source":"load","severity":"error","message":"expected a string, found the number 5","file":null,"line":1,"column":36,"path":"Name","suggestion":null}"#
    );
}

#[test]
fn the_whole_document_has_a_null_path() {
    let ds = diagnostics("[1, 2]", Format::Json, None);
    assert_eq!(ds[0].path(), "");
    let v = serde_json::to_value(&ds[0]).unwrap();
    assert_eq!(v["path"], serde_json::Value::Null);
    assert_eq!(v["line"], 1);
}

#[test]
fn severity_and_kind_serialize_as_their_kebab_case_names() {
    assert_eq!(Severity::Error.as_str(), "error");
    assert_eq!(Severity::Warning.as_str(), "warning");
    let kinds = [
        (DiagnosticKind::Io, "io"),
        (DiagnosticKind::Syntax, "syntax"),
        (DiagnosticKind::Limit, "limit"),
        (DiagnosticKind::UnknownKey, "unknown-key"),
        (DiagnosticKind::WrongType, "wrong-type"),
        (DiagnosticKind::OutOfRange, "out-of-range"),
        (DiagnosticKind::Interpolation, "interpolation"),
        (DiagnosticKind::TooMany, "too-many"),
        (DiagnosticKind::InvalidMode, "invalid-mode"),
        (DiagnosticKind::Invalid, "invalid"),
        (DiagnosticKind::UnknownDocument, "unknown-document"),
    ];
    for (kind, name) in kinds {
        assert_eq!(kind.as_str(), name);
        assert_eq!(serde_json::to_value(kind).unwrap(), name);
    }
    assert_eq!(serde_json::to_value(Severity::Warning).unwrap(), "warning");
}
