//! Differential test: `meshroute::json::parse` against `serde_json::from_str::<Value>`.

use crate::json_value;
use json_value::same;

use meshroute::tree::Limits;
use proptest::prelude::*;
use serde_json::Value as J;

fn agree(src: &str) -> Result<(), TestCaseError> {
    let ours = meshroute::json::parse(src, &Limits::default());
    let theirs = serde_json::from_str::<J>(src);
    match (&ours, &theirs) {
        (Ok(o), Ok(t)) => prop_assert!(
            same(&o.to_json(), t),
            "{:?}: meshroute {} serde_json {}",
            src,
            o.to_json(),
            t
        ),
        (Err(e), Err(_)) => prop_assert!(e.pos.is_known(), "{:?}: {}", src, e),
        _ => prop_assert!(
            false,
            "{:?}: meshroute {:?}, serde_json {:?}",
            src,
            ours.map(|n| n.to_json()),
            theirs
        ),
    }
    Ok(())
}

fn json_value() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<u64>().prop_map(J::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(J::from),
        (-1000.0f64..1000.0).prop_map(J::from),
        any::<String>().prop_map(J::String),
        "[a-z\"\\\\/\u{0}-\u{1f}é😀]{0,8}".prop_map(J::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            prop::collection::vec(("[a-c\"é]{0,3}", inner), 0..6)
                .prop_map(|kv| J::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any value serde_json writes, compact or pretty, reads back the same.
    #[test]
    fn written_values_agree(v in json_value()) {
        let compact = serde_json::to_string(&v).unwrap();
        agree(&compact)?;
        agree(&serde_json::to_string_pretty(&v).unwrap())?;
        let ours = meshroute::json::parse(&compact, &Limits::default()).unwrap();
        prop_assert!(same(&ours.to_json(), &v));
    }

    /// Random text from JSON's alphabet: both accept with the same value, or both reject.
    #[test]
    fn random_text_agrees(src in r#"[\[\]{}",: \n0-9eE.+\-tfnrulsa\\/bu]{0,24}"#) {
        agree(&src)?;
    }

    /// Mutations of valid documents: mostly errors, which must agree.
    #[test]
    fn mutated_documents_agree(v in json_value(), at in any::<prop::sample::Index>(),
                               with in r#"[\[\]{}",: 0-9eE.+\-\\a]{0,2}"#) {
        let text = serde_json::to_string(&v).unwrap();
        let cut = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect::<Vec<_>>();
        let i = cut[at.index(cut.len())];
        let mut src = text[..i].to_owned();
        src.push_str(&with);
        let rest = &text[i..];
        let skip = rest.chars().next().map_or(0, char::len_utf8);
        src.push_str(&rest[skip.min(rest.len())..]);
        agree(&src)?;
    }
}

#[test]
fn hand_written_bad_inputs_are_rejected_by_both() {
    let bad = [
        "",
        " ",
        "[1,]",
        "{\"a\":1,}",
        "[01]",
        "[1.]",
        "[.5]",
        "[+1]",
        "[-]",
        "[1e]",
        "[1e+]",
        "{'a':1}",
        "{a:1}",
        "// c\n1",
        "/* c */ 1",
        "[1] [2]",
        "\"\\ud800\"",
        "\"\\udc00x\"",
        "\"\\ud800\\ud800\"",
        "\"\u{1}\"",
        "\"\\u12\"",
        "\"\\x41\"",
        "[NaN]",
        "[Infinity]",
        "tru",
        "nulll",
        "[1e400]",
        "{\"a\" 1}",
        "{\"a\":}",
        "[",
        "{",
        "\u{feff}{}",
        "[1,,2]",
        "{\"a\":1 \"b\":2}",
        "\"abc",
    ];
    for src in bad {
        assert!(
            serde_json::from_str::<J>(src).is_err(),
            "serde_json accepts {src:?}"
        );
        let e = meshroute::json::parse(src, &Limits::default()).unwrap_err();
        assert!(e.message.starts_with("expected "), "{src:?}: {e}");
        assert!(e.pos.is_known());
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash_even_with_a_huge_limit() {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut l = Limits::default();
            l.max_depth = usize::MAX;
            for src in ["[".repeat(100_000), "{\"a\":".repeat(100_000)] {
                let e = meshroute::json::parse(&src, &l).unwrap_err();
                assert!(e.message.contains("levels of nesting"), "{e}");
            }
            // The deepest accepted document: parse, tree and drop in the same small stack.
            let n = meshroute::json::MAX_SUPPORTED_DEPTH;
            let src = format!("{}1{}", "[{\"a\":".repeat(n / 2), "}]".repeat(n / 2));
            assert!(meshroute::json::parse(&src, &l).is_ok());
        })
        .unwrap()
        .join()
        .unwrap();
}
