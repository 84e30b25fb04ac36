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

use std::borrow::Cow;
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
pub fn parse<'a>(src: &'a str, limits: &Limits) -> Result<Node<'a>, SyntaxError> {
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

    fn body(&self, body: &Body, pos: Pos) -> Node<'s> {
        let mut entries: Vec<Building<'s>> = Vec::new();
        for structure in body {
            match structure {
                Structure::Attribute(a) => entries.push(Building {
                    key: Cow::Owned(a.key.value().as_str().to_owned()),
                    key_pos: self.pos(a.key.span()),
                    value: Pending::Done(self.expr(&a.value)),
                }),
                Structure::Block(b) => self.block(b, &mut entries),
            }
        }
        let entries = entries.into_iter().map(Building::finish).collect();
        Node::new(pos, Value::Map(entries))
    }

    /// A block appended to the list of its identifier, its labels nested.
    fn block(&self, b: &Block, entries: &mut Vec<Building<'s>>) {
        let mut node = self.body(&b.body, self.pos(b.span()));
        for label in b.labels.iter().rev() {
            let label_pos = self.pos(label.span());
            node = Node::new(
                label_pos,
                Value::Map(Box::new([Entry {
                    key: Cow::Owned(label.as_str().to_owned()),
                    key_pos: label_pos,
                    value: Node::new(label_pos, Value::List(Box::new([node]))),
                }])),
            );
        }
        let ident = b.ident.value().as_str();
        if let Some(items) = entries.iter_mut().find_map(|e| e.list_named(ident)) {
            items.push(node);
            return;
        }
        let key_pos = self.pos(b.ident.span());
        entries.push(Building {
            key: Cow::Owned(ident.to_owned()),
            key_pos,
            value: Pending::List(key_pos, vec![node]),
        });
    }

    fn expr(&self, e: &Expression) -> Node<'s> {
        let pos = self.pos(e.span());
        let value = match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                let n = n.value();
                n.as_i64()
                    .map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int)
            }
            Expression::String(s) => Value::String(Cow::Owned(s.value().clone())),
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
            _ => Value::Expression(format!("${{{}}}", self.text(e.span())).into()),
        };
        Node::new(pos, value)
    }

    fn key(&self, k: &ObjectKey) -> Cow<'s, str> {
        match k {
            ObjectKey::Ident(i) => Cow::Owned(ident(i).to_owned()),
            ObjectKey::Expression(Expression::String(s)) => Cow::Owned(s.value().clone()),
            ObjectKey::Expression(e) => Cow::Borrowed(self.text(e.span())),
        }
    }

    /// A template: its text when it is only literal, else the template text with each
    /// interpolation and directive as written.
    fn template(&self, t: &Template) -> Value<'s> {
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
            Value::String(Cow::Owned(text))
        } else {
            Value::Expression(text.into_boxed_str())
        }
    }
}

/// One entry of a map while its body is read: the list of a block's identifier stays a
/// vector until the body ends, as each later block of that identifier appends to it.
struct Building<'s> {
    key: Cow<'s, str>,
    key_pos: Pos,
    value: Pending<'s>,
}

/// The value of a [`Building`] entry.
enum Pending<'s> {
    /// An attribute's value, as it is.
    Done(Node<'s>),
    /// A list (of blocks, or an attribute's list a block appends to) and where it starts.
    List(Pos, Vec<Node<'s>>),
}

impl<'s> Building<'s> {
    /// The list a block named `ident` appends to: this entry's, when it has that key and a
    /// list for its value.
    fn list_named(&mut self, ident: &str) -> Option<&mut Vec<Node<'s>>> {
        if self.key != ident {
            return None;
        }
        if let Pending::Done(node) = &mut self.value {
            let Value::List(items) = &mut node.value else {
                return None;
            };
            let items = std::mem::take(items).into_vec();
            self.value = Pending::List(node.pos, items);
        }
        match &mut self.value {
            Pending::List(_, items) => Some(items),
            Pending::Done(_) => None,
        }
    }

    fn finish(self) -> Entry<'s> {
        let value = match self.value {
            Pending::Done(node) => node,
            Pending::List(pos, items) => Node::new(pos, Value::List(items.into_boxed_slice())),
        };
        Entry {
            key: self.key,
            key_pos: self.key_pos,
            value,
        }
    }
}

fn ident(i: &Decorated<Ident>) -> &str {
    i.value().as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Node<'_> {
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
        assert_eq!((&*body[0].key, body[0].key_pos), ("region", Pos::new(2, 3)));
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
