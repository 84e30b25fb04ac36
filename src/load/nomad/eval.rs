//! What of a Nomad job's values can be known offline, and what cannot.
//!
//! A job's strings may hold interpolations. HCL2 evaluates `var.<name>` and `local.<name>`
//! when the job is submitted: a variable's value comes from `-var`, `-var-file` or
//! `NOMAD_VAR_<name>`, else its `default`; the default is used here, with a warning that
//! says so. Nomad replaces `${JOB}`, `${TASKGROUP}`, `${TASK}` and `${BASE}` in a service's
//! name when it registers it, which is known here too. Everything else (`${NOMAD_…}`,
//! `${attr.…}`, `${node.…}`, `${meta.…}`, functions, conditionals) is evaluated when the
//! job runs: a warning names the expression, and the value is left out, never guessed.

use crate::load::context::Cx;
use crate::load::error::DiagnosticKind;
use crate::model::mode::go_quote;
use crate::syntax::tree::{Entry, Node, Value};

/// The variables and locals of a job file, with their literal values.
#[derive(Default)]
pub(super) struct Vars<'t> {
    /// `variable "<name>" { default = … }`: the default, when literal.
    vars: Vec<(&'t str, Option<&'t Node<'t>>)>,
    /// `locals { <name> = … }`, when literal.
    locals: Vec<(&'t str, &'t Node<'t>)>,
}

fn map_of<'t>(node: &'t Node<'t>) -> Option<&'t [Entry<'t>]> {
    match &node.value {
        Value::Map(e) => Some(e),
        _ => None,
    }
}

fn list_of<'t>(node: &'t Node<'t>) -> &'t [Node<'t>] {
    match &node.value {
        Value::List(items) => items,
        _ => &[],
    }
}

/// Whether a node holds no expression anywhere.
fn literal(node: &Node<'_>) -> bool {
    match &node.value {
        Value::Expression(_) => false,
        Value::List(items) => items.iter().all(literal),
        Value::Map(entries) => entries.iter().all(|e| literal(&e.value)),
        _ => true,
    }
}

impl<'t> Vars<'t> {
    /// The `variable` and `locals` blocks at the top of an HCL2 job file.
    pub(super) fn of(top: &'t [Entry<'t>]) -> Self {
        let mut out = Self::default();
        for e in top {
            let blocks = list_of(&e.value);
            match e.key.as_ref() {
                "variable" => out.variables(blocks),
                "locals" => {
                    for b in blocks.iter().filter_map(map_of) {
                        out.locals.extend(
                            b.iter()
                                .filter(|l| literal(&l.value))
                                .map(|l| (l.key.as_ref(), &l.value)),
                        );
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn variables(&mut self, blocks: &'t [Node<'t>]) {
        for labelled in blocks.iter().filter_map(map_of) {
            for v in labelled {
                let body = list_of(&v.value)
                    .first()
                    .and_then(map_of)
                    .unwrap_or_default();
                let default = body
                    .iter()
                    .find(|d| d.key == "default")
                    .map(|d| &d.value)
                    .filter(|d| literal(d));
                self.vars.push((v.key.as_ref(), default));
            }
        }
    }
}

/// The names Nomad puts into a service's name: the job's, the group's and the task's.
pub(super) struct Names<'a> {
    pub(super) job: &'a str,
    pub(super) group: &'a str,
    pub(super) task: Option<&'a str>,
}

impl Names<'_> {
    fn get(&self, name: &str) -> Option<String> {
        let task = self.task.unwrap_or("");
        match name {
            "JOB" => Some(self.job.to_owned()),
            "TASKGROUP" => Some(self.group.to_owned()),
            "TASK" => Some(task.to_owned()),
            "BASE" => Some(format!("{}-{}-{task}", self.job, self.group)),
            _ => None,
        }
    }
}

/// What evaluates a job's values.
pub(super) struct Eval<'t, 'a> {
    pub(super) vars: &'a Vars<'t>,
    /// Set while a service's name is read.
    pub(super) names: Option<&'a Names<'a>>,
}

/// One piece of a template.
enum Piece<'s> {
    Text(&'s str),
    Interpolation(&'s str),
    Directive(&'s str),
}

/// The pieces of a template: text, `${…}` and `%{…}` (braces nest, quoted text skipped).
fn pieces(t: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest
        .find(['$', '%'])
        .filter(|&i| rest[i + 1..].starts_with('{'))
    {
        out.push(Piece::Text(&rest[..i]));
        let body = &rest[i + 2..];
        let (inner, end) = match closing_brace(body) {
            Some(j) => (&body[..j], i + 2 + j + 1),
            None => (body, rest.len()),
        };
        let inner = inner.trim();
        out.push(if rest.as_bytes()[i] == b'$' {
            Piece::Interpolation(inner)
        } else {
            Piece::Directive(inner)
        });
        rest = &rest[end..];
    }
    out.push(Piece::Text(rest));
    out
}

/// The index of the `}` closing an opened `{`, in `s` (after the `{`).
fn closing_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match (quoted, c) {
            (true, '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (true, '"') if !escaped => quoted = false,
            (false, '"') => quoted = true,
            (false, '{') => depth += 1,
            (false, '}') if depth == 0 => return Some(i),
            (false, '}') => depth -= 1,
            _ => {}
        }
        escaped = false;
    }
    None
}

/// `var.<name>` or `local.<name>`: which and the name.
fn reference(expr: &str) -> Option<(&str, &str)> {
    let (kind, name) = expr.split_once('.')?;
    let ident = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (matches!(kind, "var" | "local") && ident).then_some((kind, name))
}

impl<'t> Eval<'t, '_> {
    /// `node` itself, or the value a lone `${var.x}` or `${local.x}` names; `None` (warned)
    /// when the value is known only when the job runs. `what` says what is then left out.
    pub(super) fn node(
        &self,
        cx: &mut Cx<'t, '_>,
        node: &'t Node<'t>,
        what: &str,
    ) -> Option<&'t Node<'t>> {
        let Value::Expression(t) = &node.value else {
            return Some(node);
        };
        let pieces = pieces(t);
        if let [Piece::Text(""), Piece::Interpolation(expr), Piece::Text("")] = pieces.as_slice()
            && let Some((kind, name)) = reference(expr)
        {
            return self.reference(cx, node, kind, name, what);
        }
        Some(node)
    }

    fn reference(
        &self,
        cx: &mut Cx<'t, '_>,
        node: &'t Node<'t>,
        kind: &str,
        name: &str,
        what: &str,
    ) -> Option<&'t Node<'t>> {
        if kind == "local" {
            let found = self.vars.locals.iter().find(|(n, _)| *n == name);
            return found.map(|(_, v)| *v).or_else(|| {
                unknown(cx, node, &format!("${{local.{name}}}"), what);
                None
            });
        }
        let Some((_, default)) = self.vars.vars.iter().find(|(n, _)| *n == name) else {
            let msg = format!("${{var.{name}}} names no variable of this file: {what} is left out");
            cx.error(DiagnosticKind::Unevaluated, node.pos, msg);
            return None;
        };
        if let Some(d) = default {
            let msg = format!(
                "${{var.{name}}} is variable {}'s default, {} (nomad job run -var, -var-file or NOMAD_VAR_{name} would change it)",
                go_quote(name),
                d.to_json()
            );
            cx.warning(DiagnosticKind::Unevaluated, node.pos, msg);
            return Some(d);
        }
        let msg = format!(
            "${{var.{name}}} is variable {} without a default: its value is given when the job is run (-var, -var-file, NOMAD_VAR_{name}), so {what} is left out",
            go_quote(name)
        );
        cx.warning(DiagnosticKind::Unevaluated, node.pos, msg);
        None
    }

    /// A string value: literal, or a template whose every interpolation is known here;
    /// `None` (reported) otherwise.
    pub(super) fn string(
        &self,
        cx: &mut Cx<'t, '_>,
        node: &'t Node<'t>,
        what: &str,
    ) -> Option<String> {
        let node = self.node(cx, node, what)?;
        let t = match &node.value {
            Value::String(s) if !s.contains("${") && !s.contains("%{") => {
                return Some(s.to_string());
            }
            Value::String(s) => &**s,
            Value::Expression(s) => &**s,
            Value::Int(i) => return Some(i.to_string()),
            Value::Bool(b) => return Some(b.to_string()),
            _ => {
                crate::load::context::wrong_type(cx, node, "a string");
                return None;
            }
        };
        let mut out = String::new();
        for piece in pieces(t) {
            match piece {
                Piece::Text(s) => out.push_str(s),
                Piece::Interpolation(expr) => {
                    out.push_str(&self.interpolate(cx, node, expr, what)?);
                }
                Piece::Directive(d) => {
                    unknown(cx, node, &format!("%{{{d}}}"), what);
                    return None;
                }
            }
        }
        Some(out)
    }

    fn interpolate(
        &self,
        cx: &mut Cx<'t, '_>,
        node: &'t Node<'t>,
        expr: &str,
        what: &str,
    ) -> Option<String> {
        if let Some(v) = self.names.and_then(|n| n.get(expr)) {
            return Some(v);
        }
        if let Some((kind, name)) = reference(expr) {
            let value = self.reference(cx, node, kind, name, what)?;
            return match &value.value {
                Value::String(s) => Some(s.to_string()),
                Value::Int(i) => Some(i.to_string()),
                Value::Float(f) => Some(f.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => {
                    unknown(cx, node, &format!("${{{expr}}}"), what);
                    None
                }
            };
        }
        unknown(cx, node, &format!("${{{expr}}}"), what);
        None
    }
}

/// Reports an expression known only when the job runs.
fn unknown(cx: &mut Cx<'_, '_>, node: &Node<'_>, expr: &str, what: &str) {
    let msg = format!(
        "the expression {expr} is evaluated when the job runs, not offline: {what} is left out"
    );
    cx.warning(DiagnosticKind::Unevaluated, node.pos, msg);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<String> {
        pieces(t)
            .into_iter()
            .map(|p| match p {
                Piece::Text(s) => format!("T{s}"),
                Piece::Interpolation(s) => format!("I{s}"),
                Piece::Directive(s) => format!("D{s}"),
            })
            .collect()
    }

    #[test]
    fn templates_split_into_text_interpolations_and_directives() {
        assert_eq!(texts("a${b}c"), ["Ta", "Ib", "Tc"]);
        assert_eq!(texts("${ x }"), ["T", "Ix", "T"]);
        assert_eq!(
            texts("${f({a=1})}-${g(\"}\")}"),
            ["T", "If({a=1})", "T-", "Ig(\"}\")", "T"]
        );
        assert_eq!(
            texts("%{ if x }y%{ endif }"),
            ["T", "Dif x", "Ty", "Dendif", "T"]
        );
        assert_eq!(texts("$5 and 100%"), ["T$5 and 100%"]);
        assert_eq!(texts("${unclosed"), ["T", "Iunclosed", "T"]);
    }

    #[test]
    fn references_are_var_or_local_and_a_name() {
        assert_eq!(reference("var.dc"), Some(("var", "dc")));
        assert_eq!(reference("local.x_1"), Some(("local", "x_1")));
        assert_eq!(reference("var.dc[0]"), None);
        assert_eq!(reference("attr.x"), None);
    }
}
