//! Walking directories: each file once whatever links lead to it, cycles and special files
//! reported, every error at its own path with its real cause, and the walk going on past it;
//! reads bounded by the size limit whatever the file is.
#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use meshroute::tree::Limits;
use meshroute::{Diagnostic, DiagnosticKind, Loaded, Loader};

use crate::files::scratch;

/// `load_paths` on another thread: `None` when it has not returned within 20 seconds (a
/// walk that never ends, an open that blocks).
fn load_within(loader: Loader, paths: Vec<PathBuf>) -> Option<Loaded> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(loader.load_paths(&paths));
    });
    rx.recv_timeout(Duration::from_secs(20)).ok()
}

fn service(dir: &Path, file: &str, name: &str) {
    std::fs::write(dir.join(file), format!("service {{ name = \"{name}\" }}")).unwrap();
}

fn names(loaded: &Loaded) -> Vec<&str> {
    let mut n: Vec<_> = loaded
        .documents
        .iter()
        .map(|d| d.as_service().unwrap().name.as_str())
        .collect();
    n.sort_unstable();
    n
}

fn warnings(loaded: &Loaded) -> Vec<&Diagnostic> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .collect()
}

#[test]
fn a_link_to_its_own_directory_is_a_cycle_read_once_and_reported() {
    let dir = scratch("walk-self");
    service(&dir, "web.hcl", "web");
    symlink(".", dir.join("self")).unwrap();
    let loaded = load_within(Loader::new(), vec![dir.clone()]).expect("the walk ends");
    assert_eq!(names(&loaded), ["web"]);
    let w = warnings(&loaded);
    assert_eq!(w.len(), 1, "{:?}", loaded.diagnostics);
    assert_eq!(w[0].file(), Some(dir.join("self").as_path()));
    assert_eq!(
        w[0].message(),
        format!(
            "a link to {}, which contains it: a cycle, not followed",
            dir.display()
        )
    );
    assert!(!loaded.has_errors());
}

#[test]
fn two_links_to_the_top_end_the_walk() {
    let dir = scratch("walk-two");
    service(&dir, "web.hcl", "web");
    std::fs::create_dir(dir.join("sub")).unwrap();
    service(&dir.join("sub"), "api.hcl", "api");
    symlink("..", dir.join("sub/up")).unwrap();
    symlink(".", dir.join("a")).unwrap();
    symlink(".", dir.join("b")).unwrap();
    let loaded = load_within(Loader::new(), vec![dir.clone()]).expect("the walk ends");
    assert_eq!(names(&loaded), ["api", "web"]);
    let linked: Vec<_> = warnings(&loaded)
        .iter()
        .map(|d| d.file().unwrap())
        .collect();
    assert_eq!(linked, [dir.join("a"), dir.join("b"), dir.join("sub/up")]);
}

#[test]
fn a_directory_reached_twice_is_read_once_with_a_warning() {
    let dir = scratch("walk-twice");
    std::fs::create_dir(dir.join("real")).unwrap();
    service(&dir.join("real"), "api.hcl", "api");
    symlink("real", dir.join("link")).unwrap();
    symlink("real/api.hcl", dir.join("same.hcl")).unwrap();
    let loaded = load_within(Loader::new(), vec![dir.clone()]).expect("the walk ends");
    assert_eq!(names(&loaded), ["api"]);
    // Name order: `link` is read first, `real` is the same directory, `same.hcl` the same file.
    assert_eq!(
        loaded.documents[0].file.as_deref(),
        Some(dir.join("link/api.hcl").as_path())
    );
    let w: Vec<_> = warnings(&loaded)
        .iter()
        .map(|d| (d.file().unwrap().to_path_buf(), d.message().to_owned()))
        .collect();
    let link = dir.join("link");
    assert_eq!(
        w,
        [
            (
                dir.join("real"),
                format!("the same directory as {}: read once", link.display())
            ),
            (
                dir.join("same.hcl"),
                format!(
                    "the same file as {}: read once",
                    link.join("api.hcl").display()
                )
            ),
        ]
    );
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(ok.success());
}

#[test]
fn a_fifo_in_a_directory_is_skipped_with_a_warning_not_opened() {
    let dir = scratch("walk-fifo");
    mkfifo(&dir.join("pipe.hcl"));
    service(&dir, "web.hcl", "web");
    let loaded = load_within(Loader::new(), vec![dir.clone()]).expect("the walk never opens it");
    assert_eq!(names(&loaded), ["web"]);
    let w = warnings(&loaded);
    assert_eq!(w.len(), 1, "{:?}", loaded.diagnostics);
    assert_eq!(w[0].file(), Some(dir.join("pipe.hcl").as_path()));
    assert!(
        w[0].message().starts_with("a FIFO: skipped"),
        "{}",
        w[0].message()
    );
}

#[test]
fn a_link_to_a_device_in_a_directory_is_skipped_and_named_is_read_bounded() {
    let dir = scratch("walk-zero");
    symlink("/dev/zero", dir.join("zero.json")).unwrap();
    let loaded = load_within(Loader::new(), vec![dir.clone()]).expect("the walk ends");
    let w = warnings(&loaded);
    assert_eq!(w.len(), 1, "{:?}", loaded.diagnostics);
    assert!(w[0].message().starts_with("a device: skipped"));

    let limits = Limits::default().with_max_bytes(1 << 20);
    let named = vec![dir.join("zero.json")];
    let loaded = load_within(Loader::new().with_limits(limits), named).expect("bounded");
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
    let d = &loaded.diagnostics[0];
    assert_eq!(d.message(), "file is over the limit of 1048576 bytes");
    assert_eq!(d.kind(), DiagnosticKind::Limit);
    assert!(d.is_unreadable());
}

/// A directory `depth` levels of 200-character names deep under `dir` (built with relative
/// `cd`s, so no path handed to the system is long), holding `deep.hcl`.
fn deep_tree(dir: &Path, depth: usize) -> PathBuf {
    let name = "d".repeat(200);
    let script = format!(
        "for i in $(seq {depth}); do mkdir {name} && cd -P {name} || exit 1; done; \
         echo 'service {{ name = \"deep\" }}' > deep.hcl"
    );
    let ok = std::process::Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(ok.success());
    let mut p = dir.to_path_buf();
    for _ in 0..depth {
        p.push(&name);
    }
    p
}

#[test]
#[cfg(target_os = "linux")]
fn a_path_too_long_is_reported_where_it_is_and_the_walk_goes_on() {
    let dir = scratch("walk-long");
    let deep = deep_tree(&dir, 25);
    service(&dir, "z.hcl", "after");
    let loaded = load_within(Loader::new(), vec![dir.clone()]).expect("the walk ends");
    assert_eq!(names(&loaded), ["after"]);
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{:?}", loaded.diagnostics);
    let e = errors[0];
    let at = e.file().unwrap();
    assert!(
        deep.starts_with(at) && at.as_os_str().len() > 4096,
        "{}",
        at.display()
    );
    assert_eq!(
        e.message(),
        "cannot read the directory: File name too long (os error 36)"
    );
    assert!(e.is_unreadable());
    let _ = std::process::Command::new("rm")
        .arg("-rf")
        .arg(&dir)
        .status();
}

#[test]
fn a_link_loop_named_like_a_config_file_is_reported_with_its_cause() {
    let dir = scratch("walk-eloop");
    symlink("b.hcl", dir.join("a.hcl")).unwrap();
    symlink("a.hcl", dir.join("b.hcl")).unwrap();
    service(&dir, "c.hcl", "c");
    let loaded = load_within(Loader::new(), vec![dir.clone()]).expect("the walk ends");
    assert_eq!(names(&loaded), ["c"]);
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.file().unwrap().to_path_buf(), d.message().to_owned()))
        .collect();
    let cause = "cannot read: Too many levels of symbolic links (os error 40)";
    assert_eq!(
        errors,
        [
            (dir.join("a.hcl"), cause.to_owned()),
            (dir.join("b.hcl"), cause.to_owned())
        ]
    );
}

#[test]
fn a_link_loop_named_like_no_config_file_is_a_warning() {
    let dir = scratch("walk-eloop-other");
    symlink("loop", dir.join("loop")).unwrap();
    symlink("nowhere", dir.join("dangling")).unwrap();
    service(&dir, "c.hcl", "c");
    let loaded = load_within(Loader::new(), vec![dir.clone()]).expect("the walk ends");
    assert_eq!(names(&loaded), ["c"]);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let w = warnings(&loaded);
    assert_eq!(
        w.len(),
        1,
        "the dangling link is like any other file: {w:?}"
    );
    assert_eq!(w[0].file(), Some(dir.join("loop").as_path()));
    assert_eq!(
        w[0].message(),
        "cannot follow the link: Too many levels of symbolic links (os error 40); skipped"
    );
}

#[test]
fn a_missing_named_path_says_so_and_the_others_load() {
    let dir = scratch("walk-missing");
    service(&dir, "web.hcl", "web");
    let missing = dir.join("absent");
    let loaded = Loader::new().load_paths(&[missing.clone(), dir.clone()]);
    assert_eq!(names(&loaded), ["web"]);
    let d = &loaded.diagnostics[0];
    assert_eq!(d.file(), Some(missing.as_path()));
    assert_eq!(
        d.message(),
        "cannot read: No such file or directory (os error 2)"
    );
    assert!(d.is_unreadable());
}

#[test]
fn an_endless_reader_is_read_up_to_the_limit() {
    let limits = Limits::default().with_max_bytes(4096);
    let loaded = Loader::new().with_limits(limits).load_reader(
        std::io::repeat(b'{'),
        meshroute::Format::Json,
        Some(Path::new("<stdin>")),
    );
    let d = &loaded.diagnostics[0];
    assert_eq!(
        d.to_string(),
        "<stdin>:0:0: input is over the limit of 4096 bytes"
    );
    assert!(d.is_unreadable());
}

mod random_trees {
    //! The `walk` fuzz target's property on stable: its corpus replayed, and trees from
    //! random bytes.
    use super::*;
    use crate::walk_tree;
    use proptest::prelude::*;

    fn walk_bytes(name: &str, data: &[u8]) {
        let root = scratch(name);
        walk_tree::build(&root, data);
        let loaded = load_within(Loader::new(), vec![root.clone()]).expect("the walk ends");
        walk_tree::check(&loaded);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    #[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
    fn the_walk_fuzz_corpus_replays() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/walk");
        let mut seen = 0;
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            walk_bytes("walk-corpus", &std::fs::read(e.path()).unwrap());
            seen += 1;
        }
        assert!(seen > 0, "no corpus files under {}", dir.display());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_tree_is_walked_to_the_end_each_file_once(
            data in proptest::collection::vec(any::<u8>(), 0..120)
        ) {
            walk_bytes("walk-prop", &data);
        }
    }
}
