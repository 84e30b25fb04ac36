//! ClientHellos built from an arbitrary description (valid by construction, any record size,
//! any extension order): the sniffer must find exactly what was put in.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use meshroute::sniff::{Config, Status, parse};

#[derive(Debug, Arbitrary)]
struct Desc {
    session_id: Vec<u8>,
    suites: Vec<u16>,
    labels: Vec<Vec<u8>>,
    upper: bool,
    trailing_dot: bool,
    alpn: Vec<Vec<u8>>,
    versions: Vec<u16>,
    ech: bool,
    others: Vec<(u16, Vec<u8>)>,
    rotate: u8,
    record: u16,
}

fn ext(ty: u16, body: &[u8]) -> Vec<u8> {
    let mut e = ty.to_be_bytes().to_vec();
    e.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    e.extend_from_slice(body);
    e
}

fuzz_target!(|d: Desc| {
    // A valid name: 1 to 4 labels of letters and digits, each ending in 'z' (never numeric).
    let mut name = String::new();
    for (i, l) in d.labels.iter().take(4).enumerate() {
        if i > 0 {
            name.push('.');
        }
        let alnum = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for &b in l.iter().take(20) {
            name.push(char::from(alnum[usize::from(b) % alnum.len()]));
        }
        name.push('z');
    }
    if d.upper {
        name = name.to_ascii_uppercase();
    }
    let has_name = !name.is_empty();
    let sent = if d.trailing_dot && has_name {
        format!("{name}.")
    } else {
        name.clone()
    };
    let alpn: Vec<Vec<u8>> = d
        .alpn
        .iter()
        .filter(|p| !p.is_empty() && p.len() < 256)
        .take(50)
        .cloned()
        .collect();
    let versions: Vec<u16> = d.versions.iter().take(20).copied().collect();

    let mut exts = Vec::new();
    if has_name {
        let mut list = vec![0u8];
        list.extend_from_slice(&u16::try_from(sent.len()).unwrap().to_be_bytes());
        list.extend_from_slice(sent.as_bytes());
        let mut b = u16::try_from(list.len()).unwrap().to_be_bytes().to_vec();
        b.extend_from_slice(&list);
        exts.push(ext(0, &b));
    }
    if !alpn.is_empty() {
        let mut list = Vec::new();
        for p in &alpn {
            list.push(u8::try_from(p.len()).unwrap());
            list.extend_from_slice(p);
        }
        let mut b = u16::try_from(list.len()).unwrap().to_be_bytes().to_vec();
        b.extend_from_slice(&list);
        exts.push(ext(16, &b));
    }
    if !versions.is_empty() {
        let mut b = vec![u8::try_from(versions.len() * 2).unwrap()];
        for v in &versions {
            b.extend_from_slice(&v.to_be_bytes());
        }
        exts.push(ext(43, &b));
    }
    if d.ech {
        exts.push(ext(0xfe0d, &[0; 9]));
    }
    for (ty, body) in d.others.iter().take(20) {
        if !matches!(*ty, 0 | 16 | 41 | 43 | 0xfe0d) {
            exts.push(ext(*ty, &body[..body.len().min(2000)]));
        }
    }
    if !exts.is_empty() {
        let k = usize::from(d.rotate) % exts.len();
        exts.rotate_left(k);
    }
    let sid = &d.session_id[..d.session_id.len().min(32)];
    let suites = if d.suites.is_empty() {
        vec![0x1301]
    } else {
        d.suites.iter().take(100).copied().collect()
    };
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0; 32]);
    body.push(u8::try_from(sid.len()).unwrap());
    body.extend_from_slice(sid);
    body.extend_from_slice(&u16::try_from(suites.len() * 2).unwrap().to_be_bytes());
    for s in &suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]);
    let all = exts.concat();
    body.extend_from_slice(&u16::try_from(all.len()).unwrap().to_be_bytes());
    body.extend_from_slice(&all);
    let mut msg = vec![1];
    msg.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    let size = usize::from(d.record % 16384).max(1);
    let mut bytes = Vec::new();
    for part in msg.chunks(size) {
        bytes.extend_from_slice(&[22, 3, 1]);
        bytes.extend_from_slice(&u16::try_from(part.len()).unwrap().to_be_bytes());
        bytes.extend_from_slice(part);
    }

    let config = Config::default().with_max_hello_len(64 * 1024);
    let Ok(Status::Complete(h)) = parse(&bytes, &config) else {
        panic!("{:?}", parse(&bytes, &config));
    };
    assert_eq!(h.server_name(), has_name.then_some(sent.as_bytes()));
    assert_eq!(
        h.host_name().map(|n| n.as_str()),
        has_name.then_some(name.as_str())
    );
    assert!(
        h.alpn()
            .map(|p| p.as_bytes().to_vec())
            .eq(alpn.iter().cloned())
    );
    assert!(h.supported_versions().eq(versions.iter().copied()));
    assert_eq!(
        (h.ech(), h.len(), h.message_len()),
        (d.ech, bytes.len(), msg.len())
    );
    for cut in [0, bytes.len() / 3, bytes.len() - 1] {
        assert!(matches!(
            parse(&bytes[..cut], &config),
            Ok(Status::Partial(_))
        ));
    }
});
