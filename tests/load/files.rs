//! Reading files: what a file that cannot be loaded reports (extension, size, encoding,
//! absence), each located in its file, and directories searched in name order.

use std::path::{Path, PathBuf};

use meshroute::tree::Limits;
use meshroute::{Diagnostic, DiagnosticKind, Loader};

/// A fresh directory of its own for `test`, removed first if a previous run left it.
pub(crate) fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("meshroute-load-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn only(diags: &[Diagnostic]) -> &Diagnostic {
    assert_eq!(diags.len(), 1, "{diags:?}");
    &diags[0]
}

fn assert_file_level(d: &Diagnostic, file: &Path, kind: DiagnosticKind, message: &str) {
    assert_eq!(d.file(), Some(file));
    assert_eq!(d.kind(), kind);
    assert_eq!((d.line(), d.column(), d.path()), (0, 0, ""));
    assert_eq!(d.message(), message);
    assert!(d.is_error());
}

#[test]
fn an_unknown_extension_is_an_io_error() {
    let dir = scratch("ext");
    let f = dir.join("service.toml");
    std::fs::write(&f, "name = \"web\"").unwrap();
    let loaded = Loader::new().load_file(&f);
    assert!(loaded.documents.is_empty());
    let d = only(&loaded.diagnostics);
    let msg = "unknown file extension (expected .hcl, .json, .yaml or .yml)";
    assert_file_level(d, &f, DiagnosticKind::Io, msg);
}

#[test]
fn a_file_over_the_size_limit_is_not_read() {
    let dir = scratch("size");
    let f = dir.join("big.json");
    std::fs::write(&f, "{\"Name\": \"web\"}").unwrap();
    let mut limits = Limits::default();
    limits.max_bytes = 10;
    let loaded = Loader::new().with_limits(limits).load_file(&f);
    assert!(loaded.documents.is_empty());
    let d = only(&loaded.diagnostics);
    let msg = "file is 15 bytes, over the limit of 10 bytes";
    assert_file_level(d, &f, DiagnosticKind::Limit, msg);
}

#[test]
fn a_file_that_is_not_utf8_says_where() {
    let dir = scratch("utf8");
    let f = dir.join("bad.hcl");
    std::fs::write(&f, b"name = \"w\xffb\"").unwrap();
    let loaded = Loader::new().load_file(&f);
    assert!(loaded.documents.is_empty());
    let d = only(&loaded.diagnostics);
    assert_eq!(d.file(), Some(f.as_path()));
    assert_eq!(d.kind(), DiagnosticKind::Syntax);
    // Located by line and column (it was "at byte 9" at 0:0 before issue 14).
    assert_eq!((d.line(), d.column(), d.path()), (1, 10, ""));
    let msg = "file is not UTF-8: expected a character, found the byte 0xff";
    assert_eq!(d.message(), msg);
    assert!(d.is_error() && d.is_unreadable());
}

#[test]
fn a_missing_file_cannot_be_read() {
    let dir = scratch("missing");
    let f = dir.join("absent.hcl");
    let loaded = Loader::new().load_file(&f);
    let d = only(&loaded.diagnostics);
    assert_eq!(d.file(), Some(f.as_path()));
    assert_eq!(d.kind(), DiagnosticKind::Io);
    assert!(d.message().starts_with("cannot read: "), "{}", d.message());
}

#[test]
fn a_directory_is_read_recursively_in_name_order_skipping_other_files() {
    let dir = scratch("dir");
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("c.json"), r#"{"Name": "c", "Port": 1}"#).unwrap();
    std::fs::write(dir.join("b/a.hcl"), "service { name = \"b-a\" }").unwrap();
    std::fs::write(dir.join("a.yaml.bak"), "not: loaded").unwrap();
    std::fs::write(dir.join("a.hcl"), "service { name = \"a\" }").unwrap();
    let loaded = Loader::new().load_paths(&[&dir]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let names: Vec<_> = loaded
        .documents
        .iter()
        .map(|d| d.as_service().unwrap().name.as_str())
        .collect();
    assert_eq!(names, ["a", "b-a", "c"]);
    assert_eq!(
        loaded.documents[1].file.as_deref(),
        Some(dir.join("b/a.hcl").as_path())
    );
}
