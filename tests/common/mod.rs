//! Strict readers for the vector files under `vectors/` (formats in
//! `vectors/FORMATS.md`), shared by every integration test.
//!
//! Strict means: a field that no test reads fails the test. A CAVP [`Record`]
//! checks on drop that each of its fields (and the bracket parameters in force)
//! was read or explicitly skipped; Wycheproof files are read into structs with
//! `deny_unknown_fields`, and every flag must be explained in `notes`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use ironseal::cpu::{self, Backend, Primitive};

/// The path of a file under `vectors/`.
pub fn vector_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors").join(rel)
}

/// The text of a file under `vectors/`, with CR removed.
pub fn read_vector(rel: &str) -> String {
    let p = vector_path(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display())).replace('\r', "")
}

/// Decodes hex (either case, no separators). Panics on bad input: vector files are trusted data.
pub fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    assert!(s.len() % 2 == 0, "odd-length hex: {s:?}");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("bad hex")).collect()
}

/// Encodes bytes as lowercase hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The backends a test should cover for `p` on this machine: every one the
/// CPU can run (only the portable one under `IRONSEAL_FORCE_SOFT=1`).
pub fn backends(p: Primitive) -> Vec<Backend> {
    cpu::available(p).to_vec()
}

/// Under the qemu aarch64 runs, checks that detection saw what the run
/// intended: the crypto run must pick `crypto_backend`, the other the
/// portable one. Does nothing elsewhere.
pub fn assert_aarch64_expectation(p: Primitive, crypto_backend: Backend) {
    let Ok(expect) = std::env::var("AARCH64_EXPECT_CRYPTO") else { return };
    if !cfg!(target_arch = "aarch64") {
        return;
    }
    let chosen = cpu::preferred(p);
    if cpu::force_soft() {
        assert_eq!(chosen, Backend::Portable);
    } else if expect == "1" {
        assert_eq!(chosen, crypto_backend, "{p:?}: the crypto run must use {crypto_backend}");
    } else {
        assert_eq!(chosen, Backend::Portable, "{p:?}: the no-crypto run must use the portable backend");
    }
}

/// One record of a NIST CAVP-style file: its `name = value` fields, bare
/// words (such as `FAIL`) and the bracket parameters in force. Every field and
/// parameter must be read ([`Record::get`] and friends) or skipped
/// ([`Record::skip`]) before the record is dropped.
#[derive(Debug)]
pub struct Record {
    /// Where the record starts, for messages.
    pub origin: String,
    fields: Vec<(String, String, bool)>,
    params: Vec<(String, String, bool)>,
    words: Vec<(String, bool)>,
}

impl Record {
    fn find(&mut self, key: &str) -> Option<&mut (String, String, bool)> {
        if let Some(i) = self.fields.iter().position(|f| f.0 == key) {
            return Some(&mut self.fields[i]);
        }
        self.params.iter_mut().find(|f| f.0 == key)
    }

    /// Whether the record (or the bracket parameters) has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|f| f.0 == key) || self.params.iter().any(|f| f.0 == key)
    }

    /// The value of `key`; panics when it is absent.
    pub fn get(&mut self, key: &str) -> String {
        let origin = self.origin.clone();
        let f = self.find(key).unwrap_or_else(|| panic!("{origin}: no field {key:?}"));
        f.2 = true;
        f.1.clone()
    }

    /// The value of `key` if present.
    pub fn opt(&mut self, key: &str) -> Option<String> {
        self.find(key).map(|f| {
            f.2 = true;
            f.1.clone()
        })
    }

    /// The value of `key` decoded from hex.
    pub fn hex(&mut self, key: &str) -> Vec<u8> {
        unhex(&self.get(key))
    }

    /// The value of `key` as a decimal number.
    pub fn num(&mut self, key: &str) -> usize {
        let v = self.get(key);
        v.trim().parse().unwrap_or_else(|_| panic!("{}: {key} = {v:?} is not a number", self.origin))
    }

    /// Whether the bare word `w` (e.g. `FAIL`) is present; reading it counts.
    pub fn word(&mut self, w: &str) -> bool {
        let mut found = false;
        for x in self.words.iter_mut().filter(|x| x.0 == w) {
            x.1 = true;
            found = true;
        }
        found
    }

    /// Marks `key` as deliberately unused (informational fields).
    pub fn skip(&mut self, key: &str) {
        if let Some(f) = self.find(key) {
            f.2 = true;
        }
    }

    /// The names of the record's own fields (not the bracket parameters).
    pub fn field_names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.0.clone()).collect()
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let unread: Vec<&str> = self
            .fields
            .iter()
            .chain(&self.params)
            .filter(|f| !f.2)
            .map(|f| f.0.as_str())
            .chain(self.words.iter().filter(|w| !w.1).map(|w| w.0.as_str()))
            .collect();
        assert!(unread.is_empty(), "{}: fields nobody read: {unread:?}", self.origin);
    }
}

/// Reads a CAVP-style file into records. `#` lines are comments, `[..]` lines
/// set parameters (`[ENCRYPT]` is a parameter with an empty value), blank
/// lines end a record.
pub fn cavp(rel: &str) -> Vec<Record> {
    let text = read_vector(rel);
    let mut out = Vec::new();
    let mut params: Vec<(String, String)> = Vec::new();
    let mut fields: Vec<(String, String, bool)> = Vec::new();
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut start = 0;
    let mut in_brackets = false;
    let flush = |fields: &mut Vec<(String, String, bool)>,
                 words: &mut Vec<(String, bool)>,
                 params: &Vec<(String, String)>,
                 start: usize,
                 out: &mut Vec<Record>| {
        if fields.is_empty() && words.is_empty() {
            return;
        }
        out.push(Record {
            origin: format!("{rel}:{start}"),
            fields: std::mem::take(fields),
            params: params.iter().map(|(k, v)| (k.clone(), v.clone(), false)).collect(),
            words: std::mem::take(words),
        });
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            flush(&mut fields, &mut words, &params, start, &mut out);
            continue;
        }
        if let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            flush(&mut fields, &mut words, &params, start, &mut out);
            if !in_brackets {
                params.clear();
            }
            in_brackets = true;
            let (k, v) =
                inner.split_once('=').map(|(k, v)| (k.trim(), v.trim())).unwrap_or((inner.trim(), ""));
            params.retain(|p| p.0 != k);
            params.push((k.to_string(), v.to_string()));
            continue;
        }
        in_brackets = false;
        if fields.is_empty() && words.is_empty() {
            start = n + 1;
        }
        match line.split_once('=') {
            Some((k, v)) => fields.push((k.trim().to_string(), v.trim().to_string(), false)),
            None => words.push((line.to_string(), false)),
        }
    }
    flush(&mut fields, &mut words, &params, start, &mut out);
    out
}

/// The outcome a Wycheproof case expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Must succeed and match.
    Valid,
    /// Must be rejected.
    Invalid,
    /// Either outcome is allowed (decide per flag).
    Acceptable,
}

/// A note explaining a Wycheproof flag.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The kind of bug the flag is about.
    #[serde(rename = "bugType")]
    pub bug_type: String,
    /// What the flag means.
    pub description: String,
    /// Background links.
    #[serde(default)]
    pub links: Vec<String>,
    /// Related CVEs.
    #[serde(default)]
    pub cves: Vec<String>,
    /// Effect of the bug.
    #[serde(default)]
    pub effect: Option<String>,
}

/// A Wycheproof file with groups of type `G`. Unknown top-level fields fail.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wycheproof<G> {
    /// The algorithm name.
    pub algorithm: String,
    /// The JSON schema file name.
    pub schema: String,
    /// The total number of tests the file claims.
    #[serde(rename = "numberOfTests")]
    pub number_of_tests: usize,
    /// Free text.
    pub header: Vec<String>,
    /// Flag explanations.
    pub notes: BTreeMap<String, Note>,
    /// The groups.
    #[serde(rename = "testGroups")]
    pub test_groups: Vec<G>,
    /// Version of the generator, where given.
    #[serde(rename = "generatorVersion", default)]
    pub generator_version: Option<String>,
}

/// Where a Wycheproof group's cases came from.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Generator name.
    pub name: String,
    /// Generator version.
    pub version: String,
}

/// Reads a Wycheproof file under `vectors/wycheproof/`, checking that each
/// case's flags are explained and that the case count matches the header.
/// `cases` counts the tests of a group and yields the flags of each.
pub fn wycheproof<G: serde::de::DeserializeOwned>(
    name: &str,
    flags_of: impl Fn(&G) -> Vec<Vec<String>>,
) -> Wycheproof<G> {
    let text = read_vector(&format!("wycheproof/{name}"));
    let file: Wycheproof<G> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not the expected shape: {e}"));
    let mut count = 0;
    for g in &file.test_groups {
        for flags in flags_of(g) {
            count += 1;
            for f in flags {
                assert!(file.notes.contains_key(&f), "{name}: flag {f} has no note");
            }
        }
    }
    assert_eq!(count, file.number_of_tests, "{name}: numberOfTests disagrees with the cases read");
    file
}

/// Hex-encoded bytes in Wycheproof JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

impl<'de> serde::Deserialize<'de> for HexBytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(serde::de::Error::custom(format!("bad hex {s:?}")));
        }
        Ok(HexBytes(unhex(&s)))
    }
}

/// Counts passed cases per (file, backend) and prints a summary line each,
/// so a test log shows exactly what ran.
#[derive(Default)]
pub struct Tally(BTreeMap<(String, String), usize>);

impl Tally {
    /// Counts one passed case.
    pub fn pass(&mut self, file: &str, backend: &str) {
        *self.0.entry((file.to_string(), backend.to_string())).or_default() += 1;
    }

    /// Prints `file [backend]: N cases passed` for each entry and returns the total.
    pub fn report(&self) -> usize {
        for ((f, b), n) in &self.0 {
            println!("{f} [{b}]: {n} cases passed");
        }
        self.0.values().sum()
    }
}
