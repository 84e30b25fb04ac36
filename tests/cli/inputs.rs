//! Inputs that cannot be read, and inputs that must not be read whole: exit codes by the
//! table in the README (2 for a path named on the command line that cannot be read, 1 for a
//! problem found inside a directory), the real cause at the real path, JSON on stdout when
//! JSON was asked for, and every read bounded.
#![cfg(all(feature = "cli", unix))]

use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a run of the binary gave: exit code, stdout, stderr.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn first_line(&self) -> &str {
        self.stderr.lines().next().unwrap_or("")
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// Waits for `child` at most 30 seconds (killing it and failing past that).
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

fn meshroute() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_meshroute"));
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

fn run(args: &[&str]) -> Run {
    finish(meshroute().args(args).stdin(Stdio::null()).spawn().unwrap())
}

/// `args` with `stdin` as standard input.
fn run_with_stdin(args: &[&str], stdin: Stdio) -> Run {
    finish(meshroute().args(args).stdin(stdin).spawn().unwrap())
}

fn run_with_input(args: &[&str], input: &[u8]) -> Run {
    let mut child = meshroute()
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    finish(child)
}

/// A fresh directory for `test`, readable by every user.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("meshroute-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    chmod(&dir, 0o755);
    dir
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const WEB: &str = "service {\n  name = \"web\"\n  port = 80\n}\n";

#[test]
fn a_missing_path_exits_2_with_its_cause_in_text_and_json() {
    let dir = scratch("missing");
    let missing = dir.join("absent.hcl");
    let r = run(&["check", s(&missing)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let cause = "cannot read: No such file or directory (os error 2)";
    assert_eq!(
        r.first_line(),
        format!("{}:0:0: {cause}", missing.display())
    );
    for cmd in [
        &["check", "--format", "json"][..],
        &["resolve", "--format", "json", "--trust-domain", "x.consul"],
        &[
            "explain",
            "--format",
            "json",
            "--service",
            "a",
            "--upstream",
            "b",
        ],
        &[
            "route",
            "--format",
            "json",
            "--datacenter",
            "dc1",
            "--sni",
            "x",
        ],
    ] {
        let mut args = cmd.to_vec();
        args.push(s(&missing));
        let r = run(&args);
        assert_eq!(r.code, 2, "{cmd:?}: {}", r.stderr);
        let v = r.json();
        assert_eq!(v["errors"][0]["message"], cause, "{cmd:?}");
        assert_eq!(v["errors"][0]["file"], s(&missing), "{cmd:?}");
    }
}

#[test]
fn a_file_over_the_size_limit_exits_2() {
    let dir = scratch("size");
    let f = dir.join("web.hcl");
    std::fs::write(&f, WEB).unwrap();
    let r = run(&["check", "--max-input-size", "16", s(&f)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let line = format!(
        "{}:0:0: file is 39 bytes, over the limit of 16 bytes",
        f.display()
    );
    assert_eq!(r.first_line(), line);
    let r = run(&["check", "--max-input-size", "1KiB", s(&f)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["check", "--max-input-size", "1TB", s(&f)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("unknown unit \"tb\""), "{}", r.stderr);
}

#[test]
fn a_file_that_is_not_utf8_exits_2_located_by_line_and_column() {
    let dir = scratch("utf8");
    let f = dir.join("web.hcl");
    std::fs::write(&f, b"service {\n  name = \"w\xffb\"\n}\n").unwrap();
    let r = run(&["check", s(&f)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let message = "file is not UTF-8: expected a character, found the byte 0xff";
    assert_eq!(r.first_line(), format!("{}:2:12: {message}", f.display()));
    let r = run_with_input(&["check", "--input-format", "hcl", "-"], b"a = \"\xff\"");
    assert_eq!(r.code, 2, "{}", r.stderr);
    let message = "input is not UTF-8: expected a character, found the byte 0xff";
    assert_eq!(r.first_line(), format!("<stdin>:1:6: {message}"));
}

#[test]
fn inside_a_directory_a_bad_file_is_exit_1_and_the_rest_loads() {
    let dir = scratch("inside");
    std::fs::write(dir.join("a.hcl"), b"name = \"\xff\"").unwrap();
    std::fs::write(dir.join("web.hcl"), WEB).unwrap();
    let r = run(&["check", "--format", "json", s(&dir)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
    assert_eq!(v["errors"][0]["file"], s(&dir.join("a.hcl")));
}

#[test]
fn standard_input_is_read_up_to_the_limit() {
    let zero = || Stdio::from(std::fs::File::open("/dev/zero").unwrap());
    let args = [
        "check",
        "--input-format",
        "json",
        "--max-input-size",
        "1MiB",
        "-",
    ];
    let r = run_with_stdin(&args, zero());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.first_line(),
        "<stdin>:0:0: input is over the limit of 1048576 bytes"
    );
    // The default limit holds too (16 MiB of an endless stream, then stop).
    let r = run_with_stdin(&["check", "--input-format", "json", "-"], zero());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.first_line().ends_with("over the limit of 16777216 bytes"));
}

#[test]
fn sni_and_route_read_hellos_bounded_and_exit_2_when_they_cannot() {
    let dir = scratch("hello");
    let missing = dir.join("absent.bin");
    let r = run(&["sni", s(&missing)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let line = format!(
        "meshroute sni: {}: cannot read: No such file or directory (os error 2)",
        missing.display()
    );
    assert_eq!(r.first_line(), line);
    let r = run(&["sni", "--format", "json", s(&missing)]);
    assert_eq!((r.code, &r.json()["error"]), (2, &"unreadable".into()));

    let zero = || Stdio::from(std::fs::File::open("/dev/zero").unwrap());
    let r = run_with_stdin(&["sni", "--max-input-size", "64KiB", "-"], zero());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.first_line(),
        "meshroute sni: <stdin>: over the limit of 65536 bytes"
    );
    let r = run(&["sni", "/dev/zero"]);
    assert_eq!(r.code, 2, "{}", r.stderr);

    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let route = ["route", "--datacenter", "primary", "--client-hello"];
    for (hello, want) in [
        (s(&missing), "cannot read"),
        ("/dev/zero", "over the limit"),
    ] {
        let mut args = route.to_vec();
        args.extend([hello, examples]);
        let r = run(&args);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.first_line().contains(want), "{}", r.stderr);
    }
}

#[test]
fn a_cycle_a_fifo_and_a_device_in_a_directory_are_warnings() {
    let dir = scratch("special");
    std::fs::write(dir.join("web.hcl"), WEB).unwrap();
    symlink(".", dir.join("self")).unwrap();
    symlink("/dev/zero", dir.join("zero.json")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(dir.join("pipe.hcl"))
        .status()
        .unwrap();
    assert!(fifo.success());
    let r = run(&["check", "--format", "json", s(&dir)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
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
/// who may read any directory), so that a directory of mode 000 cannot be read.
fn unprivileged(args: &[&str]) -> Run {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0");
    let mut c = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        c.arg(env!("CARGO_BIN_EXE_meshroute"));
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        c
    } else {
        meshroute()
    };
    let child = c.args(args).stdin(Stdio::null()).spawn();
    finish(child.expect("setpriv runs (root cannot be denied a directory without it)"))
}

#[test]
fn permission_denied_is_said_where_it_happens() {
    let dir = scratch("denied");
    std::fs::create_dir(dir.join("a")).unwrap();
    std::fs::write(dir.join("a/api.hcl"), WEB.replace("web", "api")).unwrap();
    chmod(&dir.join("a"), 0o000);
    std::fs::write(dir.join("b.hcl"), WEB).unwrap();
    chmod(&dir.join("b.hcl"), 0o644);
    std::fs::write(dir.join("c.hcl"), WEB.replace("web", "c")).unwrap();
    chmod(&dir.join("c.hcl"), 0o000);

    // Inside a directory: errors at their own paths (exit 1), the rest loaded.
    let r = unprivileged(&["check", "--format", "json", s(&dir)]);
    let v = r.json();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let errors: Vec<_> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["file"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    let a = dir.join("a");
    let c = dir.join("c.hcl");
    assert_eq!(
        errors,
        [
            (
                s(&a),
                "cannot read the directory: Permission denied (os error 13)"
            ),
            (s(&c), "cannot read: Permission denied (os error 13)"),
        ]
    );
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);

    // Named on the command line: exit 2, the cause said (not "no such file").
    let r = unprivileged(&["check", s(&c)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let line = format!(
        "{}:0:0: cannot read: Permission denied (os error 13)",
        c.display()
    );
    assert_eq!(r.first_line(), line);
    let r = unprivileged(&["check", s(&a.join("api.hcl"))]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.first_line().ends_with("Permission denied (os error 13)"));
    chmod(&a, 0o755);
}
