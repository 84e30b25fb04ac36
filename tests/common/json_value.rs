//! JSON comparison shared by the differential tests.
#![allow(dead_code, unreachable_pub)]

use serde_json::Value as J;

/// JSON equality where numbers compare by value (`-0` and `0`, `1e2` and `100`, and Go's
/// float 2.0 printed as `2`).
pub fn same(left: &J, right: &J) -> bool {
    match (left, right) {
        (J::Number(l), J::Number(r)) => match (l.as_i64(), r.as_i64()) {
            (Some(li), Some(ri)) => li == ri,
            _ => l.as_f64() == r.as_f64(),
        },
        (J::Array(l), J::Array(r)) => {
            l.len() == r.len() && l.iter().zip(r).all(|(lv, rv)| same(lv, rv))
        }
        (J::Object(l), J::Object(r)) => {
            l.len() == r.len()
                && l.iter()
                    .all(|(k, lv)| r.get(k).is_some_and(|rv| same(lv, rv)))
        }
        _ => left == right,
    }
}
