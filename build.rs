//! Embeds every `rules/*.toml` into the binary, so the tool needs no files at run time. They are
//! converted to JSON here: every run loads the built-in rules, and parsing JSON costs a fraction
//! of parsing TOML (which was a quarter of a pre-commit hook's run). A rule file that is not
//! valid TOML fails the build.
use std::{env, fs, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("rules/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut out = String::from("&[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 rule file name");
        let text = fs::read_to_string(f).expect("read rule file");
        let table: toml::Table = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not valid TOML: {e}", f.display()));
        let json_path = out_dir.join(format!("{name}.json"));
        fs::write(
            &json_path,
            serde_json::to_string(&table).expect("rule file as JSON"),
        )
        .expect("write rule JSON");
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            json_path.display().to_string()
        ));
    }
    out.push_str("]\n");
    let dest = out_dir.join("builtin_rules.rs");
    fs::write(dest, out).expect("write builtin_rules.rs");
}
