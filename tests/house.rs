//! The source tree's shape: no module cycles in the library (src/, src/bin left out), neither
//! between the top-level modules (`src/<name>.rs` or `src/<name>/`) nor between the sibling
//! files and folders inside any folder.
//!
//! A file depends on a module when it names it by a path: in a `use` (`use crate::a::b`,
//! `use crate::{a::x, b}`, `use super::b`) or inline (`crate::a::b::f()`, `super::b::f()`),
//! a name another module re-exports counting as the module it comes from (`crate::Topology`
//! is `topology`'s). Comments, doc comments, string and character literals and everything
//! after a file's first `#[cfg(test)]` are left out. A cycle is reported with its files and
//! the paths that tie them.
//!
//! Stricter than /work/shared/tools/house-check, which sees only top-level modules and only
//! literal `crate::name` paths (no `super::`, no re-exports).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::Path;

/// A module by its segments; the crate root is empty.
type Module = Vec<String>;

/// Dependencies between the units of a folder, by name.
type Graph = BTreeMap<String, BTreeSet<String>>;

// --- reading a file: the code without comments, literals and tests --------------------------

/// `src` with comments and the contents of string and character literals replaced by spaces
/// (lines kept), cut at the first `#[cfg(test)]`.
fn code_of(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < chars.len() {
        let end = literal_or_comment_end(&chars, i);
        if end == i {
            out.push(chars[i]);
            i += 1;
        } else {
            out.extend(
                chars[i..end]
                    .iter()
                    .map(|&c| if c == '\n' { '\n' } else { ' ' }),
            );
            i = end;
        }
    }
    cut_at_tests(&out)
}

/// Where the comment or literal starting at `i` ends, or `i` when none starts there.
fn literal_or_comment_end(c: &[char], i: usize) -> usize {
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let word = |k: usize| k < c.len() && (c[k].is_alphanumeric() || c[k] == '_');
    // `r"`, `br"`, `cr"` start raw strings; `for"` does not.
    let prefix_ok =
        i == 0 || !word(i - 1) || (matches!(at(i - 1), 'b' | 'c') && (i == 1 || !word(i - 2)));
    match (at(i), at(i + 1)) {
        ('/', '/') => (i..c.len()).find(|&k| c[k] == '\n').unwrap_or(c.len()),
        ('/', '*') => block_comment_end(c, i),
        ('"', _) => string_end(c, i + 1),
        ('r', '"' | '#') if prefix_ok => raw_string_end(c, i + 1).unwrap_or(i),
        ('\'', _) => char_end(c, i),
        _ => i,
    }
}

fn block_comment_end(c: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i < c.len() {
        if c[i..].starts_with(&['/', '*']) {
            depth += 1;
            i += 2;
        } else if c[i..].starts_with(&['*', '/']) {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    c.len()
}

/// The end of a `"…"` literal whose contents start at `i`.
fn string_end(c: &[char], mut i: usize) -> usize {
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    c.len()
}

/// The end of `r#"…"#` whose hashes start at `i`; `None` when no quote follows them.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
    if c.get(i + hashes) != Some(&'"') {
        return None;
    }
    let close: Vec<char> = std::iter::once('"')
        .chain(std::iter::repeat_n('#', hashes))
        .collect();
    let body = i + hashes + 1;
    let end = (body..c.len()).find(|&k| c[k..].starts_with(&close));
    Some(end.map_or(c.len(), |k| k + close.len()))
}

/// The end of a character literal at `i` (`'a'`, `'\n'`, `'\''`), or `i` for a lifetime.
fn char_end(c: &[char], i: usize) -> usize {
    match (c.get(i + 1), c.get(i + 2)) {
        (Some('\\'), _) => (i + 3..c.len())
            .find(|&k| c[k] == '\'')
            .map_or(c.len(), |k| k + 1),
        (Some(_), Some('\'')) => i + 3,
        _ => i,
    }
}

/// `code` up to its first `#[cfg(test)]` (spaces inside the attribute allowed).
fn cut_at_tests(code: &str) -> String {
    let squeezed: Vec<(usize, char)> = code
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .collect();
    let pattern: Vec<char> = "#[cfg(test)]".chars().collect();
    let start = squeezed
        .windows(pattern.len())
        .find(|w| w.iter().map(|&(_, c)| c).eq(pattern.iter().copied()))
        .map_or(code.len(), |w| w[0].0);
    code[..start].to_owned()
}

// --- paths written in a file ----------------------------------------------------------------

/// A token of code: an identifier or keyword, `::`, or one other character.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    text: String,
    line: usize,
}

fn tokens(code: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        let text = if c.is_alphanumeric() || c == '_' {
            let mut word = c.to_string();
            while let Some(&n) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_') {
                word.push(n);
                chars.next();
            }
            word
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            "::".to_owned()
        } else {
            c.to_string()
        };
        if c == '\n' {
            line += 1;
        } else if !c.is_whitespace() {
            out.push(Token { text, line });
        }
    }
    out
}

/// A path written in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Written {
    /// The segments as written, `crate`, `super` and `self` included; a glob's `*` and a
    /// group's trailing `self` left out.
    segments: Vec<String>,
    line: usize,
    /// The name a `pub use` makes it under (its alias or last segment).
    exported_as: Option<String>,
}

impl Written {
    fn text(&self) -> String {
        self.segments.join("::")
    }
}

/// Every path of `code` that may name a module of the crate: each path of each `use`, and
/// inline paths that start at `crate` or `super`.
fn written_paths(code: &str) -> Vec<Written> {
    let toks = tokens(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].text == "use" {
            let public = is_pub_before(&toks, i);
            let mut tree = UseTree {
                toks: &toks,
                i: i + 1,
                public,
                out: &mut out,
            };
            tree.parse(&[]);
            i = tree.i;
        } else if starts_inline_path(&toks, i) {
            let (segments, end) = inline_path(&toks, i);
            out.push(Written {
                segments,
                line: toks[i].line,
                exported_as: None,
            });
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether the `use` at `i` is public in any way (`pub`, `pub(crate)`, `pub(in …)`).
fn is_pub_before(toks: &[Token], i: usize) -> bool {
    let before = |k: usize| i.checked_sub(k).map(|k| toks[k].text.as_str());
    if before(1) == Some("pub") {
        return true;
    }
    let open = (1..=6).find(|&k| before(k) == Some("("));
    before(1) == Some(")") && open.is_some_and(|k| before(k + 1) == Some("pub"))
}

/// Whether an inline path starts at `i`: `crate::` or `super::`, but not `pub(in crate::…)`.
fn starts_inline_path(toks: &[Token], i: usize) -> bool {
    let text = |k: usize| toks.get(k).map_or("", |t| t.text.as_str());
    let visibility = i >= 3 && text(i - 1) == "in" && text(i - 2) == "(" && text(i - 3) == "pub";
    matches!(text(i), "crate" | "super") && text(i + 1) == "::" && !visibility
}

/// The segments of the path at `i` (`a::b::c`, up to the first non-identifier) and its end.
fn inline_path(toks: &[Token], mut i: usize) -> (Vec<String>, usize) {
    let mut segments = vec![toks[i].text.clone()];
    i += 1;
    while toks.get(i).is_some_and(|t| t.text == "::")
        && toks.get(i + 1).is_some_and(|t| is_ident(&t.text))
    {
        segments.push(toks[i + 1].text.clone());
        i += 2;
    }
    (segments, i)
}

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// A `use` tree being read: `a::b`, `a::{b, c::d as e}`, `a::*`.
struct UseTree<'a> {
    toks: &'a [Token],
    i: usize,
    public: bool,
    out: &'a mut Vec<Written>,
}

impl UseTree<'_> {
    fn peek(&self) -> &str {
        self.toks.get(self.i).map_or(";", |t| t.text.as_str())
    }

    /// Reads one tree after `prefix`, pushing its paths; stops before `,`, `}` or `;`.
    fn parse(&mut self, prefix: &[String]) {
        let mut path = prefix.to_vec();
        let line = self.toks.get(self.i).map_or(0, |t| t.line);
        if self.peek() == "::" {
            self.i += 1; // `use ::std::…`
        }
        loop {
            match self.peek() {
                "{" => return self.group(&path),
                "*" => {
                    self.i += 1;
                    return self.push(path, line, None);
                }
                s if is_ident(s) => {
                    path.push(s.to_owned());
                    self.i += 1;
                }
                _ => return self.push(path, line, None),
            }
            match self.peek() {
                "::" => self.i += 1,
                "as" => return self.alias(path, line),
                _ => {
                    let name = path.last().cloned();
                    return self.push(path, line, name);
                }
            }
        }
    }

    fn group(&mut self, path: &[String]) {
        self.i += 1;
        while !matches!(self.peek(), "}" | ";") {
            let at = self.i;
            self.parse(path);
            if self.peek() == "," || self.i == at {
                self.i += 1; // past the comma, or past what no tree starts with
            }
        }
        if self.peek() == "}" {
            self.i += 1;
        }
    }

    fn alias(&mut self, path: Vec<String>, line: usize) {
        let name = self.toks.get(self.i + 1).map(|t| t.text.clone());
        self.i += 2;
        self.push(path, line, name);
    }

    /// Pushes the path; `name` is what a `pub use` makes it (`self` in a group: the path).
    fn push(&mut self, mut segments: Vec<String>, line: usize, mut name: Option<String>) {
        if segments.last().is_some_and(|s| s == "self") {
            segments.pop();
            if name.as_deref() == Some("self") {
                name = segments.last().cloned();
            }
        }
        let exported_as = name.filter(|n| self.public && n != "_");
        if !segments.is_empty() {
            self.out.push(Written {
                segments,
                line,
                exported_as,
            });
        }
    }
}

// --- the crate: its modules, re-exports and dependencies -------------------------------------

/// A file of the library.
#[derive(Debug)]
struct SourceFile {
    /// `src/…`, with `/`.
    path: String,
    module: Module,
    written: Vec<Written>,
}

/// The module of `src/a/b.rs` (`a::b`), `src/a/mod.rs` (`a`) and `src/lib.rs` (the root).
fn module_of(path: &str) -> Module {
    let rel = path.strip_prefix("src/").unwrap_or(path);
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut segments: Module = rel.split('/').map(str::to_owned).collect();
    if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
        segments.pop();
    }
    segments
}

/// A path of one file that names a module.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Tie {
    file: String,
    line: usize,
    written: String,
    target: Module,
}

#[derive(Debug)]
struct Crate {
    files: Vec<SourceFile>,
    modules: BTreeSet<Module>,
    /// `(module, name)` to the path that module's `pub use` gives the name.
    reexports: BTreeMap<(Module, String), Vec<String>>,
}

impl Crate {
    /// The crate of `files`, each `(path under src/, source)`.
    fn new(files: &[(String, String)]) -> Self {
        let files: Vec<SourceFile> = files
            .iter()
            .map(|(path, src)| SourceFile {
                path: path.clone(),
                module: module_of(path),
                written: written_paths(&code_of(src)),
            })
            .collect();
        let modules = files.iter().map(|f| f.module.clone()).collect();
        let mut reexports = BTreeMap::new();
        for f in &files {
            for w in &f.written {
                if let Some(name) = &w.exported_as {
                    reexports.insert((f.module.clone(), name.clone()), w.segments.clone());
                }
            }
        }
        Self {
            files,
            modules,
            reexports,
        }
    }

    /// Every library file under `root`/src, src/bin left out.
    fn read(root: &Path) -> Self {
        let mut files = Vec::new();
        collect_rs(&root.join("src"), root, &mut files);
        files.sort();
        Self::new(&files)
    }

    /// Every path of every file that names a module of the crate.
    fn ties(&self) -> Vec<Tie> {
        let mut out = Vec::new();
        for f in &self.files {
            for w in &f.written {
                if let Some(target) = self.resolve(&f.module, &w.segments, 0) {
                    let (file, line, written) = (f.path.clone(), w.line, w.text());
                    out.push(Tie {
                        file,
                        line,
                        written,
                        target,
                    });
                }
            }
        }
        out
    }

    /// The module `segments`, written in module `from`, names (following re-exports), or
    /// `None` for other crates and items in scope.
    fn resolve(&self, from: &Module, segments: &[String], depth: usize) -> Option<Module> {
        let mut base = from.clone();
        let mut rest = segments;
        while let Some((first, tail)) = rest.split_first() {
            match first.as_str() {
                "crate" => base.clear(),
                "super" => {
                    base.pop()?;
                }
                "self" => {}
                _ => break,
            }
            rest = tail;
        }
        let plain = segments
            .first()
            .is_some_and(|s| !matches!(s.as_str(), "crate" | "super" | "self"));
        if plain && !self.knows_child(&base, &segments[0]) {
            return None;
        }
        self.longest_module(&base, rest, depth)
    }

    /// Whether `name` is a child module of `base` or a name `base` re-exports.
    fn knows_child(&self, base: &Module, name: &str) -> bool {
        let mut child = base.clone();
        child.push(name.to_owned());
        self.modules.contains(&child)
            || self
                .reexports
                .contains_key(&(base.clone(), name.to_owned()))
    }

    /// The deepest module `base::rest…` enters, through re-exports where the path goes on.
    fn longest_module(&self, base: &Module, rest: &[String], depth: usize) -> Option<Module> {
        let mut module = base.clone();
        let mut used = 0;
        for (k, s) in rest.iter().enumerate() {
            module.push(s.clone());
            if self.modules.contains(&module) {
                used = k + 1;
            }
        }
        module.truncate(base.len() + used);
        let Some(next) = rest.get(used) else {
            return Some(module);
        };
        match self.reexports.get(&(module.clone(), next.clone())) {
            Some(source) if depth < 8 => {
                let mut path = source.clone();
                path.extend(rest[used + 1..].iter().cloned());
                self.resolve(&module, &path, depth + 1).or(Some(module))
            }
            _ => Some(module),
        }
    }

    /// The folders: the root and every module with a child module.
    fn folders(&self) -> BTreeSet<Module> {
        let mut out: BTreeSet<Module> = self
            .modules
            .iter()
            .filter_map(|m| m.split_last().map(|(_, parent)| parent.to_vec()))
            .collect();
        out.insert(Module::new());
        out
    }

    /// How `folder` is shown: `src/` or `src/load/`.
    fn folder_name(folder: &Module) -> String {
        folder
            .iter()
            .fold("src/".to_owned(), |s, m| format!("{s}{m}/"))
    }

    /// How the unit `name` of `folder` is shown: `src/load/` for a folder, else its file.
    fn unit_name(&self, folder: &Module, name: &str) -> String {
        let base = format!("{}{name}", Self::folder_name(folder));
        let dir = format!("{base}/");
        if self.files.iter().any(|f| f.path.starts_with(&dir)) {
            dir
        } else {
            format!("{base}.rs")
        }
    }
}

fn collect_rs(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "src/bin" {
            continue;
        }
        if path.is_dir() {
            collect_rs(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The child of `folder` that `module` is or is inside, if any.
fn unit_of<'m>(folder: &Module, module: &'m Module) -> Option<&'m String> {
    module
        .strip_prefix(folder.as_slice())
        .and_then(<[String]>::first)
}

// --- cycles ----------------------------------------------------------------------------------

/// The strongly connected components of `graph` with more than one node, each sorted
/// (Tarjan's algorithm).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

struct Tarjan<'g> {
    graph: &'g Graph,
    index: BTreeMap<&'g str, usize>,
    low: BTreeMap<&'g str, usize>,
    stack: Vec<&'g str>,
    out: Vec<Vec<String>>,
}

impl<'g> Tarjan<'g> {
    fn visit(&mut self, v: &'g str) {
        let graph: &'g Graph = self.graph;
        let n = self.index.len();
        self.index.insert(v, n);
        self.low.insert(v, n);
        self.stack.push(v);
        for w in graph.get(v).into_iter().flatten() {
            if !self.index.contains_key(w.as_str()) {
                self.visit(w);
                self.lower(v, self.low[w.as_str()]);
            } else if self.stack.contains(&w.as_str()) {
                self.lower(v, self.index[w.as_str()]);
            }
        }
        if self.low[v] == self.index[v] {
            let at = self.stack.iter().rposition(|&s| s == v).unwrap();
            let mut component: Vec<String> = self.stack.drain(at..).map(str::to_owned).collect();
            component.sort();
            if component.len() > 1 {
                self.out.push(component);
            }
        }
    }

    fn lower(&mut self, v: &str, to: usize) {
        let low = self.low.get_mut(v).unwrap();
        *low = (*low).min(to);
    }
}

/// One cycle through the first node of `component`: the nodes in order, first not repeated.
fn cycle_through(graph: &Graph, component: &[String]) -> Vec<String> {
    let start = &component[0];
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue: VecDeque<&String> = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in graph.get(v).into_iter().flatten() {
            if w == start {
                let mut path = vec![v.clone()];
                let mut at = v;
                while at != start {
                    at = came_from[at];
                    path.push(at.clone());
                }
                path.reverse();
                return path;
            }
            if component.contains(w) && !came_from.contains_key(w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    component.to_vec()
}

/// A cycle between the units of a folder.
#[derive(Debug)]
struct Cycle {
    /// `src/` or `src/load/`.
    folder: String,
    /// The units in the cycle's order, as files or folders (`src/resolve/`, `src/sni.rs`).
    units: Vec<String>,
    /// For each step of the cycle, the paths that make it.
    ties: Vec<Vec<Tie>>,
}

impl fmt::Display for Cycle {
    /// The cycle, then for each step the lines that make it, the paths of one line grouped
    /// (`src/a.rs:3 crate::b::{X, Y}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut order = self.units.clone();
        order.push(self.units[0].clone());
        writeln!(f, "module cycle in {}: {}", self.folder, order.join(" -> "))?;
        for (k, ties) in self.ties.iter().enumerate() {
            writeln!(f, "  {} -> {}:", order[k], order[k + 1])?;
            let mut lines: BTreeMap<(&str, usize), Vec<&str>> = BTreeMap::new();
            for t in ties {
                lines.entry((&t.file, t.line)).or_default().push(&t.written);
            }
            for ((file, line), paths) in lines {
                writeln!(f, "    {file}:{line} {}", grouped(&paths))?;
            }
        }
        Ok(())
    }
}

/// `a::b::X` for one path; `a::b::{X, Y}` for paths that share `a::b`.
fn grouped(paths: &[&str]) -> String {
    let [first, rest @ ..] = paths else {
        return String::new();
    };
    if rest.is_empty() {
        return (*first).to_owned();
    }
    let split: Vec<Vec<&str>> = paths.iter().map(|p| p.split("::").collect()).collect();
    let shared = (0..split[0].len())
        .take_while(|&k| split.iter().all(|s| s.len() > k + 1 && s[k] == split[0][k]))
        .count();
    let tails: Vec<String> = split.iter().map(|s| s[shared..].join("::")).collect();
    format!(
        "{}::{{{}}}",
        split[0][..shared].join("::"),
        tails.join(", ")
    )
}

/// Every cycle between the units of every folder of `krate`.
fn module_cycles(krate: &Crate) -> Vec<Cycle> {
    let ties = krate.ties();
    let mut out = Vec::new();
    for folder in krate.folders() {
        let mut graph = Graph::new();
        let mut by_step: BTreeMap<(String, String), Vec<Tie>> = BTreeMap::new();
        for t in &ties {
            let from = module_of(&t.file);
            let (Some(a), Some(b)) = (unit_of(&folder, &from), unit_of(&folder, &t.target)) else {
                continue;
            };
            if a != b {
                graph.entry(a.clone()).or_default().insert(b.clone());
                by_step
                    .entry((a.clone(), b.clone()))
                    .or_default()
                    .push(t.clone());
            }
        }
        for component in cycles(&graph) {
            out.push(folder_cycle(krate, &folder, &graph, &component, &by_step));
        }
    }
    out
}

fn folder_cycle(
    krate: &Crate,
    folder: &Module,
    graph: &Graph,
    component: &[String],
    by_step: &BTreeMap<(String, String), Vec<Tie>>,
) -> Cycle {
    let order = cycle_through(graph, component);
    let ties = (0..order.len())
        .map(|k| by_step[&(order[k].clone(), order[(k + 1) % order.len()].clone())].clone())
        .collect();
    let units = order.iter().map(|u| krate.unit_name(folder, u)).collect();
    Cycle {
        folder: Crate::folder_name(folder),
        units,
        ties,
    }
}

fn report(cycles: &[Cycle]) -> String {
    cycles.iter().map(ToString::to_string).collect()
}

// --- the real tree ---------------------------------------------------------------------------

fn real_crate() -> Crate {
    Crate::read(Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// The real tree's cycles in the folder `src/` (`top_level`) or in the folders below it.
fn real_cycles(top_level: bool) -> String {
    let cycles = module_cycles(&real_crate());
    let cycles: Vec<Cycle> = cycles
        .into_iter()
        .filter(|c| (c.folder == "src/") == top_level)
        .collect();
    report(&cycles)
}

#[test]
fn no_cycle_between_top_level_modules() {
    let report = real_cycles(true);
    assert!(report.is_empty(), "\n{report}");
}

#[test]
fn no_cycle_between_sibling_files() {
    let report = real_cycles(false);
    assert!(report.is_empty(), "\n{report}");
}

/// The check reads the real tree: its modules, and dependencies we know are there (a reader
/// that found nothing would pass the test above vacuously).
#[test]
fn the_real_tree_is_read() {
    let krate = real_crate();
    let has = |m: &[&str]| {
        krate
            .modules
            .contains(&m.iter().map(|s| (*s).to_owned()).collect::<Module>())
    };
    assert!(has(&[]) && has(&["load", "decode"]) && has(&["syntax", "hcl"]) && has(&["sni"]));
    assert!(!krate.files.iter().any(|f| f.path.starts_with("src/bin")));
    let ties = krate.ties();
    let tied = |file: &str, target: &[&str]| {
        ties.iter().any(|t| {
            t.file == file
                && t.target
                    .iter()
                    .map(String::as_str)
                    .eq(target.iter().copied())
        })
    };
    assert!(
        tied("src/load/mod.rs", &["syntax", "hcl"]),
        "load reads HCL through syntax::hcl"
    );
    assert!(
        tied("src/load/decode/service.rs", &["load", "validate"]),
        "decode calls validate"
    );
    assert!(
        tied("src/sniff/hello.rs", &["sniff", "name"]),
        "`use super::name` is read"
    );
}

// --- the check itself, on synthetic sources --------------------------------------------------

fn graph(edges: &[(&str, &str)]) -> Graph {
    let mut g = Graph::new();
    for (a, b) in edges {
        g.entry((*a).to_owned())
            .or_default()
            .insert((*b).to_owned());
    }
    g
}

fn synthetic(files: &[(&str, &str)]) -> Crate {
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(p, s)| ((*p).to_owned(), (*s).to_owned()))
        .collect();
    Crate::new(&files)
}

#[test]
fn the_cycle_finder_finds_cycles_and_only_cycles() {
    let g = graph(&[
        ("a", "b"),
        ("b", "c"),
        ("c", "a"),
        ("c", "d"),
        ("d", "e"),
        ("x", "y"),
        ("y", "x"),
    ]);
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c"], vec!["x", "y"]]);
    assert_eq!(
        cycle_through(&g, &["a".into(), "b".into(), "c".into()]),
        ["a", "b", "c"]
    );
    let acyclic = graph(&[("a", "b"), ("b", "c"), ("a", "c"), ("d", "a")]);
    assert!(cycles(&acyclic).is_empty());
    assert!(cycles(&Graph::new()).is_empty());
}

#[test]
fn a_cycle_between_top_level_modules_fails_with_its_files_and_paths() {
    let krate = synthetic(&[
        ("src/lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        ("src/a.rs", "use crate::b::Thing;\n"),
        ("src/b/mod.rs", "mod inner;\n"),
        (
            "src/b/inner.rs",
            "fn f() {\n    let _ = crate::a::g();\n}\n",
        ),
        ("src/c.rs", "use crate::a::Other;\n"),
    ]);
    let cycles = module_cycles(&krate);
    assert_eq!(cycles.len(), 1, "{}", report(&cycles));
    let text = report(&cycles);
    assert!(
        text.starts_with("module cycle in src/: src/a.rs -> src/b/ -> src/a.rs\n"),
        "{text}"
    );
    assert!(text.contains("    src/a.rs:1 crate::b::Thing\n"), "{text}");
    assert!(text.contains("src/b/inner.rs:2 crate::a::g"), "{text}");
    assert!(!text.contains("src/c.rs"), "{text}");
}

#[test]
fn a_cycle_between_sibling_files_fails() {
    let krate = synthetic(&[
        ("src/lib.rs", "mod s;\n"),
        ("src/s/mod.rs", "mod p;\nmod q;\nmod r;\npub use p::P;\n"),
        ("src/s/p.rs", "use super::q::Q;\n"),
        ("src/s/q.rs", "use crate::{s::r::R, other};\n"),
        ("src/s/r.rs", "pub fn f() -> crate::s::P { todo!() }\n"),
    ]);
    let cycles = module_cycles(&krate);
    let text = report(&cycles);
    assert_eq!(cycles.len(), 1, "{text}");
    assert_eq!(cycles[0].folder, "src/s/");
    assert_eq!(
        cycles[0].units,
        ["src/s/p.rs", "src/s/q.rs", "src/s/r.rs"],
        "{text}"
    );
    assert!(
        text.contains("src/s/r.rs:1 crate::s::P"),
        "a re-export counts as its source: {text}"
    );
}

#[test]
fn comments_literals_and_tests_tie_nothing() {
    let krate = synthetic(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        ("src/a.rs", "use crate::b::B;\n"),
        (
            "src/b.rs",
            concat!(
                "//! see [`crate::a`]\n/// crate::a::f\n// use crate::a;\n/* crate::a /* nested */ crate::a */\n",
                "const S: &str = \"crate::a::x\";\nconst R: &str = r#\"crate::a \"# ;\nconst C: char = '\"';\n",
                "fn f<'a>(x: &'a str) -> &'a str { x }\n",
                "pub(in crate::a) fn g() {}\n",
                "#[cfg(test)]\nmod tests { use crate::a::A; }\n",
            ),
        ),
    ]);
    assert!(
        module_cycles(&krate).is_empty(),
        "{}",
        report(&module_cycles(&krate))
    );
    let targets: Vec<Module> = krate.ties().into_iter().map(|t| t.target).collect();
    assert_eq!(targets, [vec!["b".to_owned()]]);
}

#[test]
fn use_groups_globs_and_aliases_are_read() {
    let written =
        written_paths("pub use crate::{a::x, b, c::{self, d as e}, f::*};\nuse super::g;");
    let paths: Vec<(String, Option<String>)> = written
        .iter()
        .map(|w| (w.text(), w.exported_as.clone()))
        .collect();
    let want = [
        ("crate::a::x", Some("x")),
        ("crate::b", Some("b")),
        ("crate::c", Some("c")),
        ("crate::c::d", Some("e")),
        ("crate::f", None),
        ("super::g", None),
    ];
    let want: Vec<(String, Option<String>)> = want
        .iter()
        .map(|(p, n)| ((*p).to_owned(), n.map(str::to_owned)))
        .collect();
    assert_eq!(paths, want);
    assert_eq!(written[5].line, 2);
}
