//! HMAC and HKDF against RFC 4231, RFC 5869 and Wycheproof, on every SHA-256
//! backend this CPU can run, and against ring on random inputs.

mod common;

use common::{Expect, HexBytes, Source, Tally, backends, cavp, wycheproof};
use ironseal::cpu::Primitive;
use ironseal::hash::Hash;
use ironseal::hkdf::Hkdf;
use ironseal::hmac::Hmac;
use ironseal::sha2::{Sha224, Sha256, Sha384, Sha512};
use proptest::prelude::*;

fn rfc4231<H: Hash>(file: &str, prim: Primitive, tally: &mut Tally) {
    let mut n = 0;
    for mut r in cavp(file) {
        let len = r.num("Len");
        let key = r.hex("Key");
        let msg = r.hex("Msg");
        assert_eq!(len, msg.len() * 8, "{}", r.origin);
        let md = r.hex("MD");
        assert_eq!(Hmac::<H>::mac(&key, &msg).as_ref(), md.as_slice(), "{}", r.origin);
        assert!(Hmac::<H>::verify(&key, &msg, &md).is_ok());
        let mut bad = md.clone();
        bad[0] ^= 0x80;
        assert!(Hmac::<H>::verify(&key, &msg, &bad).is_err());
        for b in backends(prim) {
            let mut m = Hmac::<H>::with_backend(&key, b).unwrap();
            m.update(&msg);
            assert!(m.finalize_verify(&md).is_ok(), "{} on {b}", r.origin);
            tally.pass(file, b.name());
        }
        n += 1;
    }
    assert_eq!(n, 6, "{file}: RFC 4231 cases 1-4, 6, 7");
}

#[test]
fn rfc4231_all_cases() {
    let mut t = Tally::default();
    rfc4231::<Sha256>("rfc/rfc-4231-sha256.txt", Primitive::Sha256, &mut t);
    rfc4231::<Sha384>("rfc/rfc-4231-sha384.txt", Primitive::Sha512, &mut t);
    rfc4231::<Sha512>("rfc/rfc-4231-sha512.txt", Primitive::Sha512, &mut t);

    // Case 5: the MAC truncated to 128 bits, for all four hashes.
    let file = "rfc/rfc4231_case5_truncation.txt";
    let mut records = cavp(file);
    assert_eq!(records.len(), 1);
    let mut r = records.pop().unwrap();
    let (key, msg) = (r.hex("Key"), r.hex("Msg"));
    let t_len = r.num("TruncatedBytes");
    fn check<H: Hash>(key: &[u8], msg: &[u8], want: &[u8], t_len: usize, prim: Primitive, t: &mut Tally) {
        assert_eq!(want.len(), t_len);
        assert!(Hmac::<H>::verify_truncated(key, msg, want).is_ok());
        let mut bad = want.to_vec();
        bad[t_len - 1] ^= 1;
        assert!(Hmac::<H>::verify_truncated(key, msg, &bad).is_err());
        for b in backends(prim) {
            let mut m = Hmac::<H>::with_backend(key, b).unwrap();
            m.update(msg);
            assert_eq!(&m.finalize().as_ref()[..t_len], want, "on {b}");
            t.pass("rfc/rfc4231_case5_truncation.txt", b.name());
        }
    }
    check::<Sha224>(&key, &msg, &r.hex("HMAC-SHA-224"), t_len, Primitive::Sha256, &mut t);
    check::<Sha256>(&key, &msg, &r.hex("HMAC-SHA-256"), t_len, Primitive::Sha256, &mut t);
    check::<Sha384>(&key, &msg, &r.hex("HMAC-SHA-384"), t_len, Primitive::Sha512, &mut t);
    check::<Sha512>(&key, &msg, &r.hex("HMAC-SHA-512"), t_len, Primitive::Sha512, &mut t);
    t.report();
}

#[test]
fn rfc5869_sha256() {
    let file = "rfc/rfc-5869-HKDF-SHA256.txt";
    let mut t = Tally::default();
    // A stray blank line can split a case: fields without COUNT continue the previous one.
    let mut cases: Vec<common::Record> = Vec::new();
    for r in cavp(file) {
        if r.has("COUNT") {
            cases.push(r);
        } else {
            cases.last_mut().expect("a case starts with COUNT").absorb(r);
        }
    }
    for mut r in cases {
        r.num("COUNT");
        assert_eq!(r.get("Hash"), "SHA-256");
        let (ikm, salt, info) = (r.hex("IKM"), r.hex("salt"), r.hex("info"));
        let prk = Hkdf::<Sha256>::extract_prk(&salt, &ikm);
        assert_eq!(prk.to_vec(), r.hex("PRK"), "{}", r.origin);
        let mut okm = vec![0u8; r.num("L")];
        Hkdf::<Sha256>::extract(&salt, &ikm).expand(&info, &mut okm).unwrap();
        assert_eq!(okm, r.hex("OKM"), "{}", r.origin);
        let mut again = vec![0u8; okm.len()];
        Hkdf::<Sha256>::from_prk(&prk).expand(&info, &mut again).unwrap();
        assert_eq!(again, okm);
        for b in backends(Primitive::Sha256) {
            let mut on_b = vec![0u8; okm.len()];
            Hkdf::<Sha256>::extract_with_backend(&salt, &ikm, b).unwrap().expand(&info, &mut on_b).unwrap();
            assert_eq!(on_b, okm, "{} on {b}", r.origin);
            t.pass(file, b.name());
        }
    }
    assert_eq!(t.report(), 3 * backends(Primitive::Sha256).len());
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MacGroup {
    #[serde(rename = "type")]
    kind: String,
    source: Source,
    #[serde(rename = "keySize")]
    key_size: usize,
    #[serde(rename = "tagSize")]
    tag_size: usize,
    tests: Vec<MacTest>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MacTest {
    #[serde(rename = "tcId")]
    tc_id: usize,
    comment: String,
    flags: Vec<String>,
    key: HexBytes,
    msg: HexBytes,
    tag: HexBytes,
    result: Expect,
}

fn wycheproof_hmac<H: Hash>(name: &str, prim: Primitive, tally: &mut Tally) {
    let file = wycheproof::<MacGroup>(name, |g| g.tests.iter().map(|t| t.flags.clone()).collect());
    assert!(file.schema.starts_with("mac_test_schema"));
    for g in &file.test_groups {
        assert_eq!(g.kind, "MacTest");
        assert!(!g.source.name.is_empty());
        for t in &g.tests {
            let id = format!("{name} #{} ({})", t.tc_id, t.comment);
            assert_eq!(t.key.0.len() * 8, g.key_size, "{id}");
            let tag_len = g.tag_size / 8;
            // The one-call API on the default backend...
            let verified = if tag_len == H::OUTPUT_LEN {
                Hmac::<H>::verify(&t.key.0, &t.msg.0, &t.tag.0)
            } else {
                Hmac::<H>::verify_truncated(&t.key.0, &t.msg.0, &t.tag.0)
            };
            match t.result {
                Expect::Valid => assert!(verified.is_ok(), "{id}"),
                Expect::Invalid => assert!(verified.is_err(), "{id} must not verify"),
                Expect::Acceptable => panic!("{id}: no acceptable cases expected for HMAC"),
            }
            // ...and the full MAC on every backend by name.
            for b in backends(prim) {
                let mut m = Hmac::<H>::with_backend(&t.key.0, b).unwrap();
                m.update(&t.msg.0);
                let full = m.finalize();
                let matches = full.as_ref()[..tag_len] == t.tag.0[..];
                assert_eq!(matches, t.result == Expect::Valid, "{id} on {b}");
                tally.pass(name, b.name());
            }
        }
    }
}

#[test]
fn wycheproof_hmac_all() {
    let mut t = Tally::default();
    wycheproof_hmac::<Sha256>("hmac_sha256_test.json", Primitive::Sha256, &mut t);
    wycheproof_hmac::<Sha384>("hmac_sha384_test.json", Primitive::Sha512, &mut t);
    wycheproof_hmac::<Sha512>("hmac_sha512_test.json", Primitive::Sha512, &mut t);
    t.report();
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HkdfGroup {
    #[serde(rename = "type")]
    kind: String,
    source: Source,
    #[serde(rename = "keySize")]
    key_size: usize,
    tests: Vec<HkdfTest>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HkdfTest {
    #[serde(rename = "tcId")]
    tc_id: usize,
    comment: String,
    flags: Vec<String>,
    ikm: HexBytes,
    salt: HexBytes,
    info: HexBytes,
    size: usize,
    okm: HexBytes,
    result: Expect,
}

fn wycheproof_hkdf<H: Hash>(name: &str, prim: Primitive, tally: &mut Tally) {
    let file = wycheproof::<HkdfGroup>(name, |g| g.tests.iter().map(|t| t.flags.clone()).collect());
    assert!(file.schema.starts_with("hkdf_test_schema"));
    for g in &file.test_groups {
        assert_eq!(g.kind, "HkdfTest");
        assert!(!g.source.name.is_empty());
        for t in &g.tests {
            let id = format!("{name} #{} ({})", t.tc_id, t.comment);
            assert_eq!(t.ikm.0.len() * 8, g.key_size, "{id}");
            for b in backends(prim) {
                let mut okm = vec![0u8; t.size];
                let k = Hkdf::<H>::extract_with_backend(&t.salt.0, &t.ikm.0, b).unwrap();
                let r = k.expand(&t.info.0, &mut okm);
                match t.result {
                    Expect::Valid => {
                        assert!(r.is_ok(), "{id} on {b}");
                        assert_eq!(okm, t.okm.0, "{id} on {b}");
                    }
                    Expect::Invalid => {
                        assert!(t.size > 255 * H::OUTPUT_LEN, "{id}: the only invalid case is a long output");
                        assert!(r.is_err(), "{id} must be refused on {b}");
                    }
                    Expect::Acceptable => panic!("{id}: no acceptable cases expected for HKDF"),
                }
                tally.pass(name, b.name());
            }
        }
    }
}

#[test]
fn wycheproof_hkdf_all() {
    let mut t = Tally::default();
    wycheproof_hkdf::<Sha256>("hkdf_sha256_test.json", Primitive::Sha256, &mut t);
    wycheproof_hkdf::<Sha384>("hkdf_sha384_test.json", Primitive::Sha512, &mut t);
    t.report();
}

proptest! {
    #![proptest_config(common::proptest_config(128))]

    #[test]
    fn hmac_equals_ring(key in proptest::collection::vec(any::<u8>(), 0..200),
                        msg in proptest::collection::vec(any::<u8>(), 0..600)) {
        use ring::hmac;
        let ring_tag = |alg| hmac::sign(&hmac::Key::new(alg, &key), &msg).as_ref().to_vec();
        prop_assert_eq!(Hmac::<Sha256>::mac(&key, &msg).to_vec(), ring_tag(hmac::HMAC_SHA256));
        prop_assert_eq!(Hmac::<Sha384>::mac(&key, &msg).to_vec(), ring_tag(hmac::HMAC_SHA384));
        prop_assert_eq!(Hmac::<Sha512>::mac(&key, &msg).to_vec(), ring_tag(hmac::HMAC_SHA512));
        // Keyed once, reused by cloning, fed in two pieces.
        let keyed = Hmac::<Sha256>::new(&key);
        let (a, b) = msg.split_at(msg.len() / 3);
        let mut m = keyed.clone();
        m.update(a);
        m.update(b);
        prop_assert_eq!(m.finalize().to_vec(), ring_tag(hmac::HMAC_SHA256));
        for backend in backends(Primitive::Sha256) {
            let mut m = Hmac::<Sha256>::with_backend(&key, backend).unwrap();
            m.update(&msg);
            prop_assert_eq!(m.finalize().to_vec(), ring_tag(hmac::HMAC_SHA256));
        }
    }

    #[test]
    fn hkdf_equals_ring(salt in proptest::collection::vec(any::<u8>(), 0..80),
                        ikm in proptest::collection::vec(any::<u8>(), 0..80),
                        info in proptest::collection::vec(any::<u8>(), 0..80),
                        len in 0usize..300) {
        use ring::hkdf;
        struct Len(usize);
        impl hkdf::KeyType for Len {
            fn len(&self) -> usize { self.0 }
        }
        let ring_okm = |alg| {
            let mut out = vec![0u8; len];
            let prk = hkdf::Salt::new(alg, &salt).extract(&ikm);
            prk.expand(&[&info], Len(len)).unwrap().fill(&mut out).unwrap();
            out
        };
        let mut ours = vec![0u8; len];
        Hkdf::<Sha256>::extract(&salt, &ikm).expand(&info, &mut ours).unwrap();
        prop_assert_eq!(&ours, &ring_okm(hkdf::HKDF_SHA256));
        Hkdf::<Sha384>::extract(&salt, &ikm).expand(&info, &mut ours).unwrap();
        prop_assert_eq!(&ours, &ring_okm(hkdf::HKDF_SHA384));
        // The parts form gives the same as the joined info.
        let (i1, i2) = info.split_at(info.len() / 2);
        let mut parts = vec![0u8; len];
        Hkdf::<Sha384>::extract(&salt, &ikm).expand_parts(&[i1, i2], &mut parts).unwrap();
        prop_assert_eq!(&parts, &ours);
    }
}
