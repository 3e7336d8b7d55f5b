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
    assert!(s.len().is_multiple_of(2), "odd-length hex: {s:?}");
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

    /// Moves the fields of `other` (a continuation split off by a stray blank
    /// line) into this record.
    pub fn absorb(&mut self, mut other: Record) {
        self.fields.append(&mut other.fields);
        self.words.append(&mut other.words);
        for p in other.params.iter_mut() {
            p.2 = true;
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
        if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
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

/// The proptest configuration every test uses: `PROPTEST_CASES` (default
/// `default_cases`) and no failure-persistence files.
pub fn proptest_config(default_cases: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    proptest::test_runner::Config { cases, failure_persistence: None, ..Default::default() }
}
// ---- bigint / rsa: a slow, obviously correct reference for big integers ----

/// A non-negative integer as normalised little-endian u64 limbs (no high
/// zero limbs). Variable time and slow; for checking the library only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefNum(pub Vec<u64>);

impl RefNum {
    fn norm(mut v: Vec<u64>) -> Self {
        while v.last() == Some(&0) {
            v.pop();
        }
        RefNum(v)
    }
    /// From little-endian limbs.
    pub fn from_limbs(l: &[u64]) -> Self {
        Self::norm(l.to_vec())
    }
    /// From a small value.
    pub fn from_u64(x: u64) -> Self {
        Self::norm(vec![x])
    }
    /// From big-endian bytes.
    pub fn from_be(b: &[u8]) -> Self {
        let mut v = vec![0u64; b.len().div_ceil(8)];
        for (i, &x) in b.iter().rev().enumerate() {
            v[i / 8] |= u64::from(x) << (8 * (i % 8));
        }
        Self::norm(v)
    }
    /// Big-endian bytes, left-padded to `len`.
    pub fn to_be(&self, len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        for (i, o) in out.iter_mut().rev().enumerate() {
            *o = self.0.get(i / 8).map_or(0, |l| (l >> (8 * (i % 8))) as u8);
        }
        assert!(self.bits() <= 8 * len, "value does not fit {len} bytes");
        out
    }
    /// Limbs padded to `len`.
    pub fn limbs(&self, len: usize) -> Vec<u64> {
        let mut v = self.0.clone();
        assert!(v.len() <= len);
        v.resize(len, 0);
        v
    }
    /// Bit length.
    pub fn bits(&self) -> usize {
        self.0.last().map_or(0, |&t| 64 * self.0.len() - t.leading_zeros() as usize)
    }
    /// Bit `i`.
    pub fn bit(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|l| (l >> (i % 64)) & 1 == 1)
    }
    /// Whether zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
    fn cmp_mag(&self, o: &Self) -> std::cmp::Ordering {
        self.0.len().cmp(&o.0.len()).then_with(|| self.0.iter().rev().cmp(o.0.iter().rev()))
    }
    /// Numeric comparison.
    pub fn less(&self, o: &Self) -> bool {
        self.cmp_mag(o) == std::cmp::Ordering::Less
    }
    /// Sum.
    pub fn add(&self, o: &Self) -> Self {
        let n = self.0.len().max(o.0.len()) + 1;
        let mut v = vec![0u64; n];
        let mut c = 0u128;
        for (i, vi) in v.iter_mut().enumerate() {
            let s = u128::from(*self.0.get(i).unwrap_or(&0)) + u128::from(*o.0.get(i).unwrap_or(&0)) + c;
            *vi = s as u64;
            c = s >> 64;
        }
        Self::norm(v)
    }
    /// Difference; panics when `o > self`.
    pub fn sub(&self, o: &Self) -> Self {
        assert!(!self.less(o), "RefNum::sub underflow");
        let mut v = self.0.clone();
        let mut borrow = 0i128;
        for (i, vi) in v.iter_mut().enumerate() {
            let d = i128::from(*vi) - i128::from(*o.0.get(i).unwrap_or(&0)) - borrow;
            borrow = i128::from(d < 0);
            *vi = d.rem_euclid(1 << 64) as u64;
        }
        Self::norm(v)
    }
    /// Product.
    pub fn mul(&self, o: &Self) -> Self {
        let mut v = vec![0u64; self.0.len() + o.0.len() + 1];
        for (i, &a) in self.0.iter().enumerate() {
            let mut c = 0u128;
            for (j, &b) in o.0.iter().enumerate() {
                let t = u128::from(a) * u128::from(b) + u128::from(v[i + j]) + c;
                v[i + j] = t as u64;
                c = t >> 64;
            }
            v[i + o.0.len()] = c as u64;
        }
        Self::norm(v)
    }
    /// `self << k`.
    pub fn shl(&self, k: usize) -> Self {
        let (w, b) = (k / 64, k % 64);
        let mut v = vec![0u64; self.0.len() + w + 1];
        for (i, &x) in self.0.iter().enumerate() {
            v[i + w] |= x << b;
            if b > 0 {
                v[i + w + 1] |= x >> (64 - b);
            }
        }
        Self::norm(v)
    }
    /// `self >> k`.
    pub fn shr(&self, k: usize) -> Self {
        let (w, b) = (k / 64, k % 64);
        if w >= self.0.len() {
            return RefNum(vec![]);
        }
        let mut v = vec![0u64; self.0.len() - w];
        for (i, vi) in v.iter_mut().enumerate() {
            *vi = self.0[i + w] >> b;
            if b > 0 && i + w + 1 < self.0.len() {
                *vi |= self.0[i + w + 1] << (64 - b);
            }
        }
        Self::norm(v)
    }
    /// (quotient, remainder), by binary long division.
    pub fn divrem(&self, d: &Self) -> (Self, Self) {
        assert!(!d.is_zero(), "division by zero");
        let mut q = vec![0u64; self.0.len().max(1)];
        let mut r = RefNum(vec![]);
        for i in (0..self.bits()).rev() {
            r = r.shl(1);
            if self.bit(i) {
                r = r.add(&RefNum::from_u64(1));
            }
            if !r.less(d) {
                r = r.sub(d);
                q[i / 64] |= 1 << (i % 64);
            }
        }
        (Self::norm(q), r)
    }
    /// `self mod m`.
    pub fn rem(&self, m: &Self) -> Self {
        self.divrem(m).1
    }
    /// `self^e mod m` by square-and-multiply.
    pub fn modpow(&self, e: &Self, m: &Self) -> Self {
        let mut acc = RefNum::from_u64(1).rem(m);
        let base = self.rem(m);
        for i in (0..e.bits()).rev() {
            acc = acc.mul(&acc).rem(m);
            if e.bit(i) {
                acc = acc.mul(&base).rem(m);
            }
        }
        acc
    }
    /// Greatest common divisor (binary, Stein).
    pub fn gcd(&self, o: &Self) -> Self {
        let (mut a, mut b) = (self.clone(), o.clone());
        if a.is_zero() {
            return b;
        }
        if b.is_zero() {
            return a;
        }
        let twos = |x: &RefNum| (0..).find(|&i| x.bit(i)).unwrap();
        let k = twos(&a).min(twos(&b));
        a = a.shr(twos(&a));
        loop {
            b = b.shr(twos(&b));
            if b.less(&a) {
                std::mem::swap(&mut a, &mut b);
            }
            b = b.sub(&a);
            if b.is_zero() {
                return a.shl(k);
            }
        }
    }
}
// ---- end of bigint / rsa block ----
// ---- rsa implicit rejection: CAVP-style records with PEM blocks ----

/// Reads a CAVP-style file whose records may also hold PEM blocks (as in
/// `rfc/rsa-guidance-implicit-rejection.txt`): each block, from its
/// `-----BEGIN <label>-----` line to the matching `-----END <label>-----`,
/// becomes a field named `<label>` whose value is the whole block (lines
/// trimmed, each ending in `\n`). Otherwise as [`cavp`], except that a `[..]`
/// line replaces the parameter of that name only, and a line that is neither
/// `name = value`, a comment nor a bracket line fails (no bare words).
pub fn cavp_with_pem(rel: &str) -> Vec<Record> {
    let text = read_vector(rel);
    let mut out = Vec::new();
    let mut params: Vec<(String, String)> = Vec::new();
    let mut fields: Vec<(String, String, bool)> = Vec::new();
    let mut start = 0;
    let flush = |fields: &mut Vec<(String, String, bool)>,
                 params: &Vec<(String, String)>,
                 start: usize,
                 out: &mut Vec<Record>| {
        if fields.is_empty() {
            return;
        }
        out.push(Record {
            origin: format!("{rel}:{start}"),
            fields: std::mem::take(fields),
            params: params.iter().map(|(k, v)| (k.clone(), v.clone(), false)).collect(),
            words: Vec::new(),
        });
    };
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            flush(&mut fields, &params, start, &mut out);
            continue;
        }
        if let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            flush(&mut fields, &params, start, &mut out);
            let (k, v) =
                inner.split_once('=').map(|(k, v)| (k.trim(), v.trim())).unwrap_or((inner.trim(), ""));
            params.retain(|p| p.0 != k);
            params.push((k.to_string(), v.to_string()));
            continue;
        }
        if fields.is_empty() {
            start = n + 1;
        }
        if let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) {
            let end = format!("-----END {label}-----");
            let mut block = format!("{line}\n");
            loop {
                let (_, l) =
                    lines.next().unwrap_or_else(|| panic!("{rel}:{}: {label} block not ended", n + 1));
                let l = l.trim();
                block.push_str(l);
                block.push('\n');
                if l == end {
                    break;
                }
            }
            fields.push((label.to_string(), block, false));
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{rel}:{}: not a `name = value` line: {line:?}", n + 1));
        fields.push((k.trim().to_string(), v.trim().to_string(), false));
    }
    flush(&mut fields, &params, start, &mut out);
    out
}
// ---- end of rsa implicit rejection block ----

/// Marks the moduli of [`raw_public`].
struct RawPublic;

/// `em^e mod n` computed with the bigint module directly, not by the RSA
/// code under test: the tests use it to build ciphertexts and signature
/// representatives that no padding function produced.
pub fn raw_public(pk: &ironseal::rsa::RsaPublicKey, em: &[u8]) -> Vec<u8> {
    use ironseal::bigint::Modulus;
    let n = Modulus::<RawPublic>::with_backend(&pk.modulus(), Backend::Portable).unwrap();
    let x = n.elem_from_be_bytes(em).unwrap();
    let y = n.from_mont(&n.pow_vartime(&n.to_mont(&x), pk.exponent()));
    let mut out = vec![0u8; pk.size()];
    n.elem_to_be_bytes(&y, &mut out).unwrap();
    out
}
