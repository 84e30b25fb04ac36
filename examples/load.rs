//! Loads files and prints every document as canonical JSON, and every problem.
use meshroute::Loader;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let loaded = Loader::new().load_paths(&paths);
    for d in &loaded.documents {
        println!("{} {}", d.kind(), d.to_json());
    }
    for d in &loaded.diagnostics {
        eprintln!("{d}");
    }
}
