//! Helpers shared by the tests in tests/sniff/ and tests/sniff_alloc.rs.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use meshroute::sniff::{self, ClientHello, Config, Error, NameError, Status};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `*.bin` files of a folder, sorted by name.
pub fn bins(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The real-client corpus (plus the synthetic 20 KiB hello), in `tests/clienthello/`.
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let v = bins(&root().join("tests/clienthello"));
    assert!(v.len() >= 15, "corpus missing");
    v
}

/// The shared synthetic edge cases: the copy in `tests/clienthello/synthetic/`.
pub fn synthetic() -> Vec<(String, Vec<u8>)> {
    bins(&root().join("tests/clienthello/synthetic"))
}

/// A config large enough for every corpus file (64 KiB).
pub fn big() -> Config {
    Config::default().with_max_hello_len(64 * 1024)
}

/// A comparable summary of one answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Complete {
        name: Option<Vec<u8>>,
        host: Option<String>,
        issue: Option<NameError>,
        alpn: Vec<Vec<u8>>,
        ech: bool,
        versions: Vec<u16>,
        legacy_version: u16,
        message_len: usize,
    },
    Partial,
    Err(Error),
}

pub fn summarize(h: &ClientHello<'_>) -> Answer {
    Answer::Complete {
        name: h.server_name().map(<[u8]>::to_vec),
        host: h.host_name().map(|n| n.as_str().to_owned()),
        issue: h.name_issue(),
        alpn: h.alpn().map(|p| p.as_bytes().to_vec()).collect(),
        ech: h.ech(),
        versions: h.supported_versions().collect(),
        legacy_version: h.legacy_version(),
        message_len: h.message_len(),
    }
}

pub fn answer(buf: &[u8], config: &Config) -> Answer {
    match sniff::parse(buf, config) {
        Ok(Status::Complete(h)) => summarize(&h),
        Ok(Status::Partial(n)) => {
            assert!(n >= 1, "Partial(0)");
            Answer::Partial
        }
        Err(e) => Answer::Err(e),
    }
}

/// Splits a (possibly multi-record) capture into its first record header and the
/// concatenated handshake bytes of all its records.
pub fn defragment(data: &[u8]) -> ([u8; 5], Vec<u8>) {
    let mut header = [0u8; 5];
    header.copy_from_slice(&data[..5]);
    let mut pos = 0;
    let mut msg = Vec::new();
    while pos + 5 <= data.len() {
        let len = usize::from(u16::from_be_bytes([data[pos + 3], data[pos + 4]]));
        let end = (pos + 5 + len).min(data.len());
        msg.extend_from_slice(&data[pos + 5..end]);
        pos = end;
    }
    (header, msg)
}

/// Frames handshake bytes into records of `size` bytes (the last one shorter).
pub fn frame(header: [u8; 5], msg: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + 5 * msg.len().div_ceil(size));
    for part in msg.chunks(size) {
        out.extend_from_slice(&header[..3]);
        out.extend_from_slice(&u16::try_from(part.len()).unwrap().to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// Re-frames a capture into records of `size` bytes.
pub fn reframe(data: &[u8], size: usize) -> Vec<u8> {
    let (header, msg) = defragment(data);
    frame(header, &msg, size)
}

/// Replaces the name of a one-record capture whose name is `old` (same length or not).
pub fn rename(data: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    let (header, msg) = defragment(data);
    let at = msg.windows(old.len()).position(|w| w == old).unwrap();
    let delta = isize::try_from(new.len()).unwrap() - isize::try_from(old.len()).unwrap();
    let mut m = msg[..at].to_vec();
    m.extend_from_slice(new);
    m.extend_from_slice(&msg[at + old.len()..]);
    // Fix the lengths that enclose the name: host_name, list, extension, extensions, message.
    let fix16 = |m: &mut Vec<u8>, at: usize| {
        let v = i64::from(u16::from_be_bytes([m[at], m[at + 1]])) + delta as i64;
        m[at..at + 2].copy_from_slice(&u16::try_from(v).unwrap().to_be_bytes());
    };
    fix16(&mut m, at - 2);
    fix16(&mut m, at - 5);
    fix16(&mut m, at - 7);
    let mut p = 4 + 2 + 32;
    p += 1 + usize::from(m[p]);
    p += 2 + usize::from(u16::from_be_bytes([m[p], m[p + 1]]));
    p += 1 + usize::from(m[p]);
    fix16(&mut m, p);
    let body = u32::try_from(m.len() - 4).unwrap().to_be_bytes();
    m[1..4].copy_from_slice(&body[1..]);
    frame(header, &m, 16384)
}

/// Pads the handshake message `msg` (header included, with an extensions block) to `total`
/// bytes with a zero-filled padding extension (type 21) in front of its other extensions.
pub fn pad_to(msg: &[u8], total: usize) -> Vec<u8> {
    let body = &msg[4..];
    let mut p = 2 + 32;
    p += 1 + usize::from(body[p]);
    p += 2 + usize::from(u16::from_be_bytes([body[p], body[p + 1]]));
    p += 1 + usize::from(body[p]);
    let pad = total - msg.len() - 4;
    let mut exts = vec![0, 21];
    exts.extend_from_slice(&u16::try_from(pad).unwrap().to_be_bytes());
    exts.resize(exts.len() + pad, 0);
    exts.extend_from_slice(&body[p + 2..]);
    let mut out = vec![1, 0, 0, 0];
    out.extend_from_slice(&body[..p]);
    out.extend_from_slice(&u16::try_from(exts.len()).unwrap().to_be_bytes());
    out.extend_from_slice(&exts);
    let len = u32::try_from(out.len() - 4).unwrap().to_be_bytes();
    out[1..4].copy_from_slice(&len[1..]);
    assert_eq!(out.len(), total);
    out
}
