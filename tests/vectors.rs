//! The vector files are what `vectors/SHA256SUMS` says they are (checked with
//! our own SHA-256), and every data file there is listed in it.

mod common;

use ironseal::sha2::Sha256;

#[test]
fn vector_files_match_their_checksums() {
    let sums = common::read_vector("SHA256SUMS");
    let mut listed = std::collections::BTreeSet::new();
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (sum, name) = line.split_once("  ").expect("`<hex>  <path>` lines");
        let name = name.trim_start_matches("./");
        let bytes = std::fs::read(common::vector_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(common::hex(&Sha256::digest(&bytes)), sum, "{name} differs from SHA256SUMS");
        listed.insert(name.to_string());
    }
    // Every data file under vectors/ is covered by the list.
    fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let base = common::vector_path("");
    let mut files = Vec::new();
    walk(&base, &base, &mut files);
    for f in files {
        // The list and the two notes about the data are documentation, not vectors.
        if !["SHA256SUMS", "SOURCES.md", "FORMATS.md"].contains(&f.as_str()) {
            assert!(listed.contains(&f), "{f} is not in SHA256SUMS");
        }
    }
    println!("{} vector files match SHA256SUMS", listed.len());
}
