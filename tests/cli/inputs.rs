//! Inputs that cannot be read, and inputs that must not be read whole: exit codes by the
//! table in the README (2 for a path named on the command line that cannot be read, 1 for a
//! problem found inside a directory), the real cause at the real path, the envelope on stdout
//! when JSON was asked for, and every read bounded by `--max-input-size`.
#![cfg(all(feature = "cli", unix))]

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::run::{Run, Scratch, meshroute};

/// Waits for `child` at most 30 seconds (killing it and failing past that: a run that never
/// ends, an open that blocks).
fn finish(mut child: Child) -> Run {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("meshroute did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn spawn(program: &str, args: &[&str], stdin: Stdio) -> Child {
    Command::new(program)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `meshroute ARGS` with `/dev/zero`, an endless stream, on standard input.
fn from_dev_zero(args: &[&str]) -> Run {
    let zero = Stdio::from(std::fs::File::open("/dev/zero").unwrap());
    finish(spawn(env!("CARGO_BIN_EXE_meshroute"), args, zero))
}

/// `meshroute ARGS`, failing when it does not finish within 30 seconds.
fn within(args: &[&str]) -> Run {
    finish(spawn(env!("CARGO_BIN_EXE_meshroute"), args, Stdio::null()))
}

fn first_line(run: &Run) -> &str {
    run.stderr.lines().next().unwrap_or("")
}

/// The first error of the envelope: (code, message, file).
fn first_error(run: &Run) -> (String, String, String) {
    let v = run.json();
    let e = &v["errors"][0];
    let s = |k: &str| e[k].as_str().unwrap_or("").to_owned();
    (s("code"), s("message"), s("file"))
}

const WEB: &str = "service {\n  name = \"web\"\n  port = 80\n}\n";

#[test]
fn max_input_size_bounds_a_named_file_with_units() {
    let dir = Scratch::new("inputs-size");
    let f = dir.file("web.hcl", WEB.as_bytes());
    let run = meshroute(&["check", "--max-input-size", "16", &f], None);
    assert_eq!(run.code, 2, "{run:?}");
    let line = format!("{f}: file is 39 bytes, over the limit of 16 bytes");
    assert_eq!(first_line(&run), line);
    assert_eq!(
        meshroute(&["check", "--max-input-size", "1KiB", &f], None).code,
        0
    );
    let run = meshroute(&["check", "--max-input-size", "1TB", &f], None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("unknown unit \"tb\""), "{run:?}");
}

#[test]
fn a_file_that_is_not_utf8_is_located_by_line_and_column() {
    let dir = Scratch::new("inputs-utf8");
    let f = dir.file("web.hcl", b"service {\n  name = \"w\xffb\"\n}\n");
    let run = meshroute(&["check", &f], None);
    assert_eq!(run.code, 2, "{run:?}");
    let message = "file is not UTF-8: expected a character, found the byte 0xff";
    assert_eq!(first_line(&run), format!("{f}:2:12: {message}"));
    let args = ["check", "--input-format", "hcl", "-"];
    let run = meshroute(&args, Some(b"a = \"\xff\""));
    assert_eq!(run.code, 2, "{run:?}");
    let message = "input is not UTF-8: expected a character, found the byte 0xff";
    assert_eq!(first_line(&run), format!("<stdin>:1:6: {message}"));
}

#[test]
fn standard_input_is_read_up_to_the_limit() {
    let args = [
        "check",
        "--input-format",
        "json",
        "--max-input-size",
        "1MiB",
        "-",
    ];
    let run = from_dev_zero(&args);
    assert_eq!(run.code, 2, "{run:?}");
    let line = "<stdin>: input is over the limit of 1048576 bytes";
    assert_eq!(first_line(&run), line);
    let json = ["--format", "json"];
    let run = from_dev_zero(&[&["check"][..], &json, &args[1..]].concat());
    assert_eq!(run.code, 2, "{run:?}");
    let want = "input is over the limit of 1048576 bytes";
    assert_eq!(
        first_error(&run),
        ("unreadable-path".into(), want.into(), "<stdin>".into())
    );
    // The default limit holds too: 16 MiB of an endless stream, then stop.
    let run = from_dev_zero(&["check", "--input-format", "json", "-"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(first_line(&run).ends_with("over the limit of 16777216 bytes"));
}

#[cfg(feature = "sniff")]
#[test]
fn sni_and_route_read_hellos_bounded() {
    let run = from_dev_zero(&["sni", "--max-input-size", "64KiB", "-"]);
    assert_eq!(run.code, 2, "{run:?}");
    let line = "meshroute sni: <stdin>: over the limit of 65536 bytes";
    assert_eq!(first_line(&run), line);
    let run = within(&["sni", "--format", "json", "/dev/zero"]);
    assert_eq!(run.code, 2, "{run:?}");
    let want = "/dev/zero: over the limit of 16777216 bytes";
    assert_eq!(first_error(&run).0, "unreadable-path");
    assert_eq!(first_error(&run).1, want);
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let route = [
        "route",
        "--datacenter",
        "primary",
        "--client-hello",
        "/dev/zero",
    ];
    let run = within(&[&route[..], &["--format", "json", examples]].concat());
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(first_error(&run).1, want);
}

#[test]
fn a_cycle_a_fifo_and_a_device_in_a_directory_are_warnings() {
    let dir = Scratch::new("inputs-special");
    dir.file("web.hcl", WEB.as_bytes());
    symlink(".", dir.0.join("self")).unwrap();
    symlink("/dev/zero", dir.0.join("zero.json")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(dir.0.join("pipe.hcl"))
        .status()
        .unwrap();
    assert!(fifo.success());
    let run = within(&["check", "--format", "json", &dir.path()]);
    assert_eq!(run.code, 0, "{run:?}");
    let v = run.json();
    assert_eq!(v["result"]["documents"].as_array().unwrap().len(), 1);
    let warned: Vec<_> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w["file"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(warned, ["pipe.hcl", "self", "zero.json"]);
}

/// `meshroute` run as an unprivileged user (through `setpriv` when the tests run as root,
/// who may read any directory), so that a file or directory of mode 000 cannot be read.
fn unprivileged(args: &[&str]) -> Run {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0");
    if !root {
        return within(args);
    }
    let drop = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"];
    let bin = [env!("CARGO_BIN_EXE_meshroute")];
    let all = [&drop[..], &bin, args].concat();
    finish(spawn("setpriv", &all, Stdio::null()))
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn permission_denied_is_said_where_it_happens() {
    // In the system's temporary directory: the unprivileged user must reach it.
    let dir = std::env::temp_dir().join(format!("meshroute-denied-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    chmod(&dir, 0o755);
    std::fs::write(dir.join("a/api.hcl"), WEB.replace("web", "api")).unwrap();
    std::fs::write(dir.join("b.hcl"), WEB).unwrap();
    std::fs::write(dir.join("c.hcl"), WEB.replace("web", "c")).unwrap();
    chmod(&dir.join("b.hcl"), 0o644);
    chmod(&dir.join("a"), 0o000);
    chmod(&dir.join("c.hcl"), 0o000);
    let (a, c) = (dir.join("a"), dir.join("c.hcl"));

    // Inside a directory: each error at its own path (exit 1), the walk goes on.
    let run = unprivileged(&["check", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    let v = run.json();
    let errors: Vec<_> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "load")
        .map(|e| (e["file"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    let denied = "Permission denied (os error 13)";
    assert_eq!(
        errors,
        [
            (
                a.to_str().unwrap(),
                format!("cannot read the directory: {denied}").as_str()
            ),
            (
                c.to_str().unwrap(),
                format!("cannot read: {denied}").as_str()
            ),
        ]
    );

    // Named on the command line: exit 2 with the cause (it once said "no such file").
    let run = unprivileged(&["check", c.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        first_line(&run),
        format!("{}: cannot read: {denied}", c.display())
    );
    let run = unprivileged(&["check", a.join("api.hcl").to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(first_line(&run).ends_with(denied), "{run:?}");
    chmod(&a, 0o755);
    let _ = std::fs::remove_dir_all(&dir);
}
