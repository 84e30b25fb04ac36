//! Messages in one voice for every format: what was expected, what was found, where; big
//! integers echoed exactly as written.
#![cfg(feature = "yaml")]

use meshroute::{Diagnostic, Format, Loader};

fn only(src: &str, format: Format) -> Diagnostic {
    let loaded = Loader::new().load_str(src, format, None);
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
    loaded.diagnostics[0].clone()
}

#[test]
fn integers_of_2_63_and_above_are_echoed_as_written() {
    let big = [
        ("9223372036854775808", "9223372036854775808"),
        ("18446744073709551617", "18446744073709551617"),
        ("-9223372036854775809", "-9223372036854775809"),
        (
            "123456789012345678901234567890",
            "123456789012345678901234567890",
        ),
    ];
    for (n, shown) in big {
        let port = format!("{shown} is out of range for a port (0 to 65535)");
        let name = format!("expected a string, found the number {shown}");
        for (src, format) in [
            (
                format!("{{\"Name\": \"web\", \"Port\": {n}}}"),
                Format::Json,
            ),
            (format!("Name: web\nPort: {n}\n"), Format::Yaml),
        ] {
            assert_eq!(only(&src, format).message(), port, "{src}");
        }
        for (src, format) in [
            (
                format!("{{\"Name\": \"web\", \"Address\": {n}}}"),
                Format::Json,
            ),
            (format!("Name: web\nAddress: {n}\n"), Format::Yaml),
        ] {
            let loaded = Loader::new().load_str(&src, format, None);
            let messages: Vec<_> = loaded.diagnostics.iter().map(Diagnostic::message).collect();
            assert!(messages.contains(&name.as_str()), "{src}: {messages:?}");
        }
    }
    // HCL, as Consul's decoder, rejects them in the reader, with the literal as written.
    let d = only(
        "service {\n  name = \"web\"\n  port = 9223372036854775808\n}\n",
        Format::Hcl,
    );
    assert!(
        d.message().ends_with("found 9223372036854775808"),
        "{}",
        d.message()
    );
}

#[test]
fn yaml_errors_read_like_json_and_hcl_errors() {
    let cases = [
        (
            "Kind: proxy-defaults\nKind: x\n",
            Format::Yaml,
            (2, 1),
            "expected each key once in a map, found \"Kind\" again",
        ),
        (
            "{\"Name\": \"a\",}",
            Format::Json,
            (1, 14),
            "expected a string key, found '}'",
        ),
        (
            "Name: [a, b\n",
            Format::Yaml,
            (1, 7),
            "expected ']' to end the list opened at 1:7, found end of input",
        ),
        (
            "Name: a\nMeta:\n\tx: 1\n",
            Format::Yaml,
            (3, 2),
            "expected spaces for indentation, found a tab",
        ),
        (
            "Name: a\n\tPort: 1\n",
            Format::Yaml,
            (1, 7),
            "expected an unquoted value without tabs, found a tab",
        ),
    ];
    for (src, format, (line, column), message) in cases {
        let d = only(src, format);
        assert_eq!(
            (d.line(), d.column(), d.message()),
            (line, column, message),
            "{src:?}"
        );
    }
}

#[test]
fn a_file_lists_at_most_a_thousand_problems_then_counts_the_rest() {
    let keys: Vec<String> = (0..1500).map(|i| format!("\"k{i}\": 0")).collect();
    let src = format!("{{\"Name\": \"web\", {}}}", keys.join(", "));
    let loaded = Loader::new().load_str(&src, Format::Json, None);
    assert_eq!(
        loaded.diagnostics.len(),
        meshroute::load::MAX_DIAGNOSTICS_PER_FILE + 1
    );
    assert_eq!(loaded.diagnostics[999].path(), "k999");
    let last = loaded.diagnostics.last().unwrap();
    assert_eq!(
        last.message(),
        "500 more problems (500 errors, 0 warnings) not listed: at most 1000 are listed for one file"
    );
    assert!(last.is_error());
}
