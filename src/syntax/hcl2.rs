//! The HCL2 reader (feature `nomad`): Nomad job specifications, through hcl-rs's parser
//! (`hcl-edit`), into the generic tree with positions.
//!
//! hcl-rs's `Value` has no positions; its parser, `hcl-edit`, keeps the byte span of every
//! block, attribute and expression, and the line and column of every key and value are
//! computed from those spans here. The tree has the shape the HCL1 reader gives Consul's
//! files, so one set of shape readers serves both: a block is a list of one map (repeated
//! blocks append to the list), labels nest (`group "api" { … }` is
//! `{"group": [{"api": [{…}]}]}`), an attribute is its value.
//!
//! Nothing is evaluated: a literal (string, number, boolean, null, list or object of
//! literals) is its value; anything else (`var.dc`, `"${NOMAD_ALLOC_ID}"`, a function call, a
//! conditional) is a [`Value::Expression`] holding the template text a JSON job holds for it
//! (`${var.dc}`, `${NOMAD_ALLOC_ID}`), for the decoder to evaluate or report.
//!
//! Limits: a position is where the span starts (an attribute's key, a block's identifier, an
//! expression's first character); hcl-edit caps nesting at 64 levels.

use std::ops::Range;

use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::template::{Element, Template};
use hcl::edit::{Decorated, Ident, Span};

use crate::syntax::tree::{Entry, Limits, Node, Pos, SyntaxError, Value};

/// Reads HCL2 text (a Nomad job file) into the generic tree.
///
/// ```
/// use meshroute::tree::{Limits, Value};
///
/// let src = "job \"web\" {\n  datacenters = [var.dc]\n  group \"g\" {\n    count = 2\n  }\n}\n";
/// let tree = meshroute::hcl2::parse(src, &Limits::default())?;
/// let json = tree.to_json();
/// assert_eq!(json["job"][0]["web"][0]["datacenters"][0], "${var.dc}");
/// assert_eq!(json["job"][0]["web"][0]["group"][0]["g"][0]["count"], 2);
/// # Ok::<(), meshroute::tree::SyntaxError>(())
/// ```
///
/// # Errors
///
/// A [`SyntaxError`] for text that is not HCL2 (at the line and column hcl-edit reports), or
/// over the size limit.
pub fn parse(src: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    limits.check_len(src, "hcl2")?;
    let body = hcl::edit::parser::parse_body(src).map_err(|e| {
        let l = e.location();
        let pos = Pos::new(clamp(l.line()), clamp(l.column()));
        let message = e.message().trim();
        if message.contains("nesting depth") {
            SyntaxError::over_limit(pos, message)
        } else {
            SyntaxError::new(pos, message)
        }
    })?;
    let conv = Conv::new(src);
    Ok(conv.body(&body, Pos::new(1, 1)))
}

fn clamp(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The source text and where its lines start, to turn spans into positions.
struct Conv<'s> {
    src: &'s str,
    line_starts: Vec<usize>,
}

impl<'s> Conv<'s> {
    fn new(src: &'s str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Self { src, line_starts }
    }

    /// The line and column (in characters) where a span starts.
    fn pos(&self, span: Option<Range<usize>>) -> Pos {
        let Some(span) = span else {
            return Pos::default();
        };
        let line = self.line_starts.partition_point(|&s| s <= span.start);
        let start = self.line_starts[line - 1];
        let column = self
            .src
            .get(start..span.start)
            .map_or(1, |s| s.chars().count() + 1);
        Pos::new(clamp(line), clamp(column))
    }

    /// The text of a span, trimmed.
    fn text(&self, span: Option<Range<usize>>) -> &'s str {
        span.and_then(|s| self.src.get(s)).unwrap_or("").trim()
    }

    fn body(&self, body: &Body, pos: Pos) -> Node {
        let mut entries: Vec<Entry> = Vec::new();
        for structure in body {
            match structure {
                Structure::Attribute(a) => entries.push(Entry {
                    key: a.key.value().as_str().to_owned(),
                    key_pos: self.pos(a.key.span()),
                    value: self.expr(&a.value),
                }),
                Structure::Block(b) => self.block(b, &mut entries),
            }
        }
        Node::new(pos, Value::Map(entries))
    }

    /// A block appended to the list of its identifier, its labels nested.
    fn block(&self, b: &Block, entries: &mut Vec<Entry>) {
        let mut node = self.body(&b.body, self.pos(b.span()));
        for label in b.labels.iter().rev() {
            let label_pos = self.pos(label.span());
            node = Node::new(
                label_pos,
                Value::Map(vec![Entry {
                    key: label.as_str().to_owned(),
                    key_pos: label_pos,
                    value: Node::new(label_pos, Value::List(vec![node])),
                }]),
            );
        }
        let ident = b.ident.value().as_str();
        let existing = entries
            .iter_mut()
            .find(|e| e.key == ident && matches!(e.value.value, Value::List(_)));
        if let Some(Entry {
            value:
                Node {
                    value: Value::List(items),
                    ..
                },
            ..
        }) = existing
        {
            items.push(node);
            return;
        }
        let key_pos = self.pos(b.ident.span());
        entries.push(Entry {
            key: ident.to_owned(),
            key_pos,
            value: Node::new(key_pos, Value::List(vec![node])),
        });
    }

    fn expr(&self, e: &Expression) -> Node {
        let pos = self.pos(e.span());
        let value = match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                let n = n.value();
                n.as_i64()
                    .map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int)
            }
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(a) => Value::List(a.iter().map(|e| self.expr(e)).collect()),
            Expression::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| Entry {
                        key: self.key(k),
                        key_pos: self.pos(k.span()),
                        value: self.expr(v.expr()),
                    })
                    .collect(),
            ),
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => return Node::new(pos, self.expr(p.inner()).value),
            _ => Value::Expression(format!("${{{}}}", self.text(e.span()))),
        };
        Node::new(pos, value)
    }

    fn key(&self, k: &ObjectKey) -> String {
        match k {
            ObjectKey::Ident(i) => ident(i).to_owned(),
            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
            ObjectKey::Expression(e) => self.text(e.span()).to_owned(),
        }
    }

    /// A template: its text when it is only literal, else the template text with each
    /// interpolation and directive as written.
    fn template(&self, t: &Template) -> Value {
        let mut text = String::new();
        let mut literal = true;
        for el in t {
            match el {
                Element::Literal(s) => text.push_str(s.value()),
                Element::Interpolation(i) => {
                    literal = false;
                    text.push_str("${");
                    text.push_str(self.text(i.expr.span()));
                    text.push('}');
                }
                Element::Directive(d) => {
                    literal = false;
                    text.push_str(self.text(d.span()));
                }
            }
        }
        if literal {
            Value::String(text)
        } else {
            Value::Expression(text)
        }
    }
}

fn ident(i: &Decorated<Ident>) -> &str {
    i.value().as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Node {
        parse(src, &Limits::default()).unwrap()
    }

    #[test]
    fn blocks_are_lists_of_one_map_and_labels_nest_as_in_hcl1() {
        let n = p("a \"x\" \"y\" {\n  b = 1\n}\na \"z\" {}\nc {}\nc {}\n");
        assert_eq!(
            n.to_json(),
            serde_json::json!({
                "a": [{"x": [{"y": [{"b": 1}]}]}, {"z": [{}]}],
                "c": [{}, {}],
            })
        );
    }

    #[test]
    fn positions_come_from_the_spans() {
        let n = p("job \"web\" {\n  region = \"eu\"\n  d = [1, 2.5]\n}\n");
        let Value::Map(top) = &n.value else { panic!() };
        assert_eq!(top[0].key_pos, Pos::new(1, 1));
        let Value::List(jobs) = &top[0].value.value else {
            panic!()
        };
        let Value::Map(labelled) = &jobs[0].value else {
            panic!()
        };
        assert_eq!(labelled[0].key_pos, Pos::new(1, 5));
        let Value::List(bodies) = &labelled[0].value.value else {
            panic!()
        };
        let Value::Map(body) = &bodies[0].value else {
            panic!()
        };
        assert_eq!(
            (body[0].key.as_str(), body[0].key_pos),
            ("region", Pos::new(2, 3))
        );
        assert_eq!(body[0].value.pos, Pos::new(2, 12));
        assert_eq!(body[1].value.to_json(), serde_json::json!([1, 2.5]));
    }

    #[test]
    fn expressions_stay_unevaluated_as_their_template_text() {
        let n = p(
            "a = var.dc\nb = \"${NOMAD_ALLOC_ID}-x\"\nc = \"$${JOB}\"\nd = upper(\"x\")\ne = (3)\nf = <<EOT\nhi ${x}\nEOT\n",
        );
        let j = n.to_json();
        assert_eq!(j["a"], "${var.dc}");
        assert_eq!(j["b"], "${NOMAD_ALLOC_ID}-x");
        assert_eq!(j["c"], "${JOB}", "an escaped interpolation is literal text");
        assert_eq!(j["d"], "${upper(\"x\")}");
        assert_eq!(j["e"], 3);
        assert_eq!(j["f"], "hi ${x}\n");
        let Value::Map(entries) = &n.value else {
            panic!()
        };
        assert!(matches!(entries[0].value.value, Value::Expression(_)));
        assert!(matches!(entries[2].value.value, Value::String(_)));
    }

    #[test]
    fn errors_have_positions_and_deep_nesting_is_over_the_limit() {
        let e = parse("a = {\n  b = \n}\n", &Limits::default()).unwrap_err();
        assert!(e.pos.line >= 2, "{e}");
        let deep = format!("a = {}1{}", "[".repeat(200), "]".repeat(200));
        let e = parse(&deep, &Limits::default()).unwrap_err();
        assert!(e.over_limit, "{e}");
    }
}
