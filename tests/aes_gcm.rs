//! AES-GCM: NIST CAVP gcmEncryptExtIV / gcmDecrypt and Wycheproof
//! aes_gcm_test.json on every backend; random inputs against the portable
//! backend and against ring; tampering always fails and zeroes the buffer.

// tests/common trips clippy::manual_is_multiple_of on Rust 1.95 (shared file,
// not ours to edit).
mod common;

use common::{Expect, HexBytes, Source, Tally, hex};
use ironseal::Error;
use ironseal::aes_gcm::{self, Aes128Gcm, Aes192Gcm, Aes256Gcm};
use ironseal::cpu::{self, Backend, Primitive};
use proptest::prelude::*;

/// An AES-GCM key of any size, on one backend.
enum AnyGcm {
    A128(Aes128Gcm),
    A192(Aes192Gcm),
    A256(Aes256Gcm),
}

impl AnyGcm {
    fn new(key: &[u8], b: Backend) -> Result<Self, Error> {
        Ok(match key.len() {
            16 => AnyGcm::A128(Aes128Gcm::with_backend(key.try_into().unwrap(), b)?),
            24 => AnyGcm::A192(Aes192Gcm::with_backend(key.try_into().unwrap(), b)?),
            32 => AnyGcm::A256(Aes256Gcm::with_backend(key.try_into().unwrap(), b)?),
            _ => return Err(Error::BadLength { what: "key" }),
        })
    }

    fn seal(&self, iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Result<[u8; 16], Error> {
        match self {
            AnyGcm::A128(k) => k.seal_in_place_iv(iv, aad, buf),
            AnyGcm::A192(k) => k.seal_in_place_iv(iv, aad, buf),
            AnyGcm::A256(k) => k.seal_in_place_iv(iv, aad, buf),
        }
    }

    fn open(&self, iv: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8; 16]) -> Result<(), Error> {
        match self {
            AnyGcm::A128(k) => k.open_in_place_iv(iv, aad, buf, tag),
            AnyGcm::A192(k) => k.open_in_place_iv(iv, aad, buf, tag),
            AnyGcm::A256(k) => k.open_in_place_iv(iv, aad, buf, tag),
        }
    }

    /// The 12-byte-nonce API, which must agree with the general one.
    fn seal12(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        match self {
            AnyGcm::A128(k) => k.seal_in_place(nonce, aad, buf),
            AnyGcm::A192(k) => k.seal_in_place(nonce, aad, buf),
            AnyGcm::A256(k) => k.seal_in_place(nonce, aad, buf),
        }
    }

    fn open12(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8], tag: &[u8; 16]) -> Result<(), Error> {
        match self {
            AnyGcm::A128(k) => k.open_in_place(nonce, aad, buf, tag),
            AnyGcm::A192(k) => k.open_in_place(nonce, aad, buf, tag),
            AnyGcm::A256(k) => k.open_in_place(nonce, aad, buf, tag),
        }
    }
}

fn backends() -> Vec<Backend> {
    let all = common::backends(Primitive::AesGcm);
    let ours: Vec<Backend> = aes_gcm::backends().collect();
    assert!(ours.iter().all(|b| all.contains(b)));
    assert_eq!(ours.last(), Some(&Backend::Portable));
    ours
}

/// Seals and checks against the expected output; opens and checks the
/// plaintext comes back; with a 12-byte IV, also through the nonce API.
fn check_valid(k: &AnyGcm, iv: &[u8], aad: &[u8], pt: &[u8], ct: &[u8], tag: &[u8], what: &str) {
    let mut buf = pt.to_vec();
    let t = k.seal(iv, aad, &mut buf).unwrap_or_else(|e| panic!("{what}: seal failed: {e}"));
    assert_eq!(hex(&buf), hex(ct), "{what}: ciphertext");
    assert_eq!(hex(&t), hex(tag), "{what}: tag");
    let tag: [u8; 16] = tag.try_into().unwrap();
    k.open(iv, aad, &mut buf, &tag).unwrap_or_else(|e| panic!("{what}: open failed: {e}"));
    assert_eq!(hex(&buf), hex(pt), "{what}: plaintext");
    if let Ok(nonce) = <[u8; 12]>::try_from(iv) {
        let mut buf = pt.to_vec();
        assert_eq!(k.seal12(&nonce, aad, &mut buf), tag, "{what}: seal_in_place tag");
        assert_eq!(hex(&buf), hex(ct), "{what}: seal_in_place ciphertext");
        k.open12(&nonce, aad, &mut buf, &tag).unwrap();
        assert_eq!(hex(&buf), hex(pt), "{what}: open_in_place");
    }
}

/// Opening must fail and leave the buffer all zeros.
fn check_rejected(k: &AnyGcm, iv: &[u8], aad: &[u8], ct: &[u8], tag: &[u8], what: &str) {
    let mut buf = ct.to_vec();
    let tag: [u8; 16] = tag.try_into().unwrap();
    assert!(k.open(iv, aad, &mut buf, &tag).is_err(), "{what}: forgery accepted");
    assert!(buf.iter().all(|&b| b == 0), "{what}: buffer not zeroed");
}

const NIST_FILES: [&str; 4] = [
    "gcmEncryptExtIV128_tag128.rsp",
    "gcmEncryptExtIV256_tag128.rsp",
    "gcmDecrypt128_tag128.rsp",
    "gcmDecrypt256_tag128.rsp",
];

#[test]
fn nist_cavp_every_backend() {
    let mut tally = Tally::default();
    let mut fails = 0;
    for file in NIST_FILES {
        let decrypt = file.starts_with("gcmDecrypt");
        for b in backends() {
            let records = common::cavp(&format!("nist/aes_gcm/{file}"));
            assert!(!records.is_empty());
            for mut r in records {
                let what = format!("{} [{b}]", r.origin);
                r.skip("Count");
                let key = r.hex("Key");
                let iv = r.hex("IV");
                let aad = r.hex("AAD");
                let ct = r.hex("CT");
                let tag = r.hex("Tag");
                assert_eq!(r.num("Keylen"), key.len() * 8, "{what}");
                assert_eq!(r.num("IVlen"), iv.len() * 8, "{what}");
                assert_eq!(r.num("AADlen"), aad.len() * 8, "{what}");
                assert_eq!(r.num("PTlen"), ct.len() * 8, "{what}");
                assert_eq!(r.num("Taglen"), 128, "{what}");
                assert_eq!(tag.len(), 16);
                let k = AnyGcm::new(&key, b).unwrap();
                if decrypt && r.word("FAIL") {
                    assert!(!r.has("PT"), "{what}: FAIL with a PT");
                    check_rejected(&k, &iv, &aad, &ct, &tag, &what);
                    fails += 1;
                } else {
                    let pt = r.hex("PT");
                    check_valid(&k, &iv, &aad, &pt, &ct, &tag, &what);
                }
                tally.pass(file, b.name());
            }
        }
    }
    assert!(fails > 0);
    assert!(tally.report() > 0);
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    #[serde(rename = "ivSize")]
    iv_size: usize,
    #[serde(rename = "keySize")]
    key_size: usize,
    #[serde(rename = "tagSize")]
    tag_size: usize,
    #[serde(rename = "type")]
    kind: String,
    #[allow(dead_code)]
    source: Source,
    tests: Vec<Case>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[serde(rename = "tcId")]
    tc_id: usize,
    comment: String,
    flags: Vec<String>,
    key: HexBytes,
    iv: HexBytes,
    aad: HexBytes,
    msg: HexBytes,
    ct: HexBytes,
    tag: HexBytes,
    result: Expect,
}

/// Every case of aes_gcm_test.json, AES-192 included (this crate implements
/// it), valid and invalid, on every backend.
#[test]
fn wycheproof_every_backend() {
    let file = common::wycheproof::<Group>("aes_gcm_test.json", |g| {
        g.tests.iter().map(|t| t.flags.clone()).collect()
    });
    assert_eq!(file.algorithm, "AES-GCM");
    let mut tally = Tally::default();
    let mut counts = [0usize; 3];
    for b in backends() {
        for g in &file.test_groups {
            assert_eq!(g.kind, "AeadTest");
            assert_eq!(g.tag_size, 128, "only 128-bit tags occur");
            for t in &g.tests {
                let what = format!("tcId {} ({}) [{b}]", t.tc_id, t.comment);
                assert_eq!(t.key.0.len() * 8, g.key_size, "{what}");
                assert_eq!(t.iv.0.len() * 8, g.iv_size, "{what}");
                assert_eq!(t.tag.0.len() * 8, g.tag_size, "{what}");
                let k = AnyGcm::new(&t.key.0, b).unwrap();
                match t.result {
                    Expect::Valid => {
                        check_valid(&k, &t.iv.0, &t.aad.0, &t.msg.0, &t.ct.0, &t.tag.0, &what);
                        counts[0] += 1;
                    }
                    Expect::Invalid => {
                        check_rejected(&k, &t.iv.0, &t.aad.0, &t.ct.0, &t.tag.0, &what);
                        if t.iv.0.is_empty() {
                            let mut buf = t.msg.0.clone();
                            assert!(matches!(
                                k.seal(&t.iv.0, &t.aad.0, &mut buf),
                                Err(Error::BadLength { .. })
                            ));
                        }
                        counts[1] += 1;
                    }
                    Expect::Acceptable => panic!("{what}: no acceptable cases expected"),
                }
                tally.pass(&format!("aes_gcm_test.json AES-{}", g.key_size), b.name());
            }
        }
    }
    println!("aes_gcm_test.json: {} valid and {} invalid case runs", counts[0], counts[1]);
    assert_eq!(tally.report(), file.number_of_tests * backends().len());
}

#[test]
fn backend_choice() {
    let key = [9u8; 32];
    for b in cpu::available(Primitive::AesGcm).iter().copied() {
        let r = Aes256Gcm::with_backend(&key, b);
        if aes_gcm::backends().any(|x| x == b) {
            assert_eq!(r.unwrap().backend(), b);
        } else {
            assert_eq!(r.err(), Some(Error::BackendUnavailable(b)));
        }
    }
    let other = if cfg!(target_arch = "aarch64") { Backend::X86AesNiClmul } else { Backend::Aarch64AesPmull };
    assert_eq!(Aes128Gcm::with_backend(&[0; 16], other).err(), Some(Error::BackendUnavailable(other)));
    assert_eq!(Aes128Gcm::new(&[0; 16]).backend(), aes_gcm::backends().next().unwrap());
    if cpu::force_soft() {
        assert_eq!(Aes128Gcm::new(&[0; 16]).backend(), Backend::Portable);
    }
    common::assert_aarch64_expectation(Primitive::AesGcm, Backend::Aarch64AesPmull);
}

/// The empty IV is refused by both directions; open zeroes the buffer.
#[test]
fn empty_iv_is_an_error() {
    for b in backends() {
        let k = Aes128Gcm::with_backend(&[1; 16], b).unwrap();
        let mut buf = *b"secret";
        assert!(matches!(k.seal_in_place_iv(&[], b"", &mut buf), Err(Error::BadLength { .. })));
        assert_eq!(&buf, b"secret");
        assert!(k.open_in_place_iv(&[], b"", &mut buf, &[0; 16]).is_err());
        assert_eq!(buf, [0; 6]);
    }
}

fn ring_seal(key: &[u8], nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
    use ring::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
    let alg = if key.len() == 16 { &AES_128_GCM } else { &AES_256_GCM };
    let k = LessSafeKey::new(UnboundKey::new(alg, key).unwrap());
    let tag =
        k.seal_in_place_separate_tag(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), buf).unwrap();
    tag.as_ref().try_into().unwrap()
}

fn iv_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 12..=12),
        1 => prop::collection::vec(any::<u8>(), 1..=80),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Every backend equals the portable one; seal then open round-trips;
    /// with 12-byte nonces (AES-128/256) the result equals ring's.
    #[test]
    fn backends_match_portable_and_ring(
        key_len in prop::sample::select(vec![16usize, 24, 32]),
        key in any::<[u8; 32]>(),
        iv in iv_strategy(),
        aad in prop::collection::vec(any::<u8>(), 0..=300),
        msg in prop::collection::vec(any::<u8>(), 0..=2100),
    ) {
        let key = &key[..key_len];
        let soft = AnyGcm::new(key, Backend::Portable).unwrap();
        let mut want = msg.clone();
        let want_tag = soft.seal(&iv, &aad, &mut want).unwrap();
        if let (true, Ok(nonce)) = (key_len != 24, <[u8; 12]>::try_from(&iv[..])) {
            let mut r = msg.clone();
            let rt = ring_seal(key, &nonce, &aad, &mut r);
            prop_assert_eq!(&r, &want, "ring ciphertext");
            prop_assert_eq!(rt, want_tag, "ring tag");
        }
        for b in backends() {
            let k = AnyGcm::new(key, b).unwrap();
            let mut buf = msg.clone();
            let tag = k.seal(&iv, &aad, &mut buf).unwrap();
            prop_assert_eq!(&buf, &want, "[{}] ciphertext", b);
            prop_assert_eq!(tag, want_tag, "[{}] tag", b);
            k.open(&iv, &aad, &mut buf, &tag).unwrap();
            prop_assert_eq!(&buf, &msg, "[{}] round trip", b);
        }
    }

    /// Flipping any one bit of the ciphertext, AAD, tag or IV makes open
    /// fail on every backend and leaves the buffer zeroed.
    #[test]
    fn any_bit_flip_fails(
        key in any::<[u8; 16]>(),
        iv in iv_strategy(),
        aad in prop::collection::vec(any::<u8>(), 0..=300),
        msg in prop::collection::vec(any::<u8>(), 0..=2100),
        which in 0usize..4,
        pos in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let mut ct = msg.clone();
        let tag = Aes128Gcm::with_backend(&key, Backend::Portable).unwrap().seal_in_place_iv(&iv, &aad, &mut ct).unwrap();
        let (mut ct2, mut aad2, mut tag2, mut iv2) = (ct.clone(), aad.clone(), tag, iv.clone());
        // Fall through to the tag when the chosen field is empty.
        let target: &mut [u8] = match which {
            0 if !ct2.is_empty() => &mut ct2,
            1 if !aad2.is_empty() => &mut aad2,
            3 => &mut iv2,
            _ => &mut tag2,
        };
        let i = pos.index(target.len());
        target[i] ^= 1 << bit;
        for b in backends() {
            let k = Aes128Gcm::with_backend(&key, b).unwrap();
            let mut buf = ct2.clone();
            prop_assert!(k.open_in_place_iv(&iv2, &aad2, &mut buf, &tag2).is_err(), "[{}] accepted", b);
            prop_assert!(buf.iter().all(|&x| x == 0), "[{}] not zeroed", b);
            if let Ok(n) = <[u8; 12]>::try_from(&iv2[..]) {
                let mut buf = ct2.clone();
                prop_assert!(k.open_in_place(&n, &aad2, &mut buf, &tag2).is_err());
                prop_assert!(buf.iter().all(|&x| x == 0));
            }
            let mut buf = ct.clone();
            k.open_in_place_iv(&iv, &aad, &mut buf, &tag).unwrap();
            prop_assert_eq!(&buf, &msg);
        }
    }
}

/// Lengths around every block and stride boundary (up to four blocks past
/// the eight-block stride, twice), on every backend against the portable one.
#[test]
fn boundaries_match_portable() {
    let key = [0x42u8; 32];
    let soft = Aes256Gcm::with_backend(&key, Backend::Portable).unwrap();
    for len in (0..=16 * 20 + 1).chain([2047, 2048, 2049, 4096 + 15]) {
        for aad_len in [0usize, 1, 13, 16, 17, 127, 128, 129, 200] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
            let aad: Vec<u8> = (0..aad_len).map(|i| (i * 3) as u8).collect();
            let mut want = msg.clone();
            let want_tag = soft.seal_in_place(&[5; 12], &aad, &mut want);
            for b in backends() {
                let k = Aes256Gcm::with_backend(&key, b).unwrap();
                let mut buf = msg.clone();
                assert_eq!(k.seal_in_place(&[5; 12], &aad, &mut buf), want_tag, "[{b}] {len} {aad_len}");
                assert_eq!(buf, want, "[{b}] {len} {aad_len}");
                k.open_in_place(&[5; 12], &aad, &mut buf, &want_tag).unwrap();
                assert_eq!(buf, msg);
            }
        }
    }
}
