//! X25519 against RFC 7748 (§5.2, §6.1), Wycheproof, ring, and across
//! backends: every backend this CPU can run is tested by name.

mod common;

use common::{Expect, HexBytes, Source, Tally};
use ironseal::Error;
use ironseal::cpu::{Backend, Primitive};
use ironseal::rand::Replay;
use ironseal::x25519::{self, PrivateKey, PublicKey};
use proptest::prelude::*;

const RFC: &str = "rfc/rfc7748_x25519.txt";
const WYCHEPROOF: &str = "x25519_test.json";

fn arr(v: &[u8]) -> [u8; 32] {
    v.try_into().expect("32-byte value")
}

fn backends() -> Vec<Backend> {
    let b = common::backends(Primitive::X25519);
    assert_eq!(b.last(), Some(&Backend::Portable));
    b
}

/// The §5.2 iterated test: k = u = 9, then r = X25519(k, u); u = k; k = r.
fn iterate(backend: Backend, iterations: usize) -> [u8; 32] {
    let mut k = x25519::BASEPOINT;
    let mut u = x25519::BASEPOINT;
    for _ in 0..iterations {
        let r = x25519::x25519_with(backend, &k, &u).unwrap();
        u = k;
        k = r;
    }
    k
}

/// Runs every record of the RFC file on `backend`; the 1,000,000-iteration
/// case only when `long` (it has its own ignored test).
fn rfc7748(backend: Backend, long: bool, tally: &mut Tally) {
    let name = backend.name();
    let mut seen = 0;
    for mut r in common::cavp(RFC) {
        if r.opt("5.2 scalar multiplication").is_some() {
            r.num("COUNT");
            let (k, u, out) = (arr(&r.hex("INPUT_SCALAR")), arr(&r.hex("INPUT_U")), r.hex("OUTPUT_U"));
            assert_eq!(
                x25519::x25519_with(backend, &k, &u).unwrap().as_slice(),
                out,
                "{} [{name}]",
                r.origin
            );
        } else if r.opt("5.2 iterated").is_some() {
            let n = r.num("ITERATIONS");
            let want = r.hex("OUTPUT_K");
            if n > 1000 && !long {
                continue; // counted by `rfc7748_iterated_1m`
            }
            assert_eq!(iterate(backend, n).as_slice(), want, "{} [{name}] after {n}", r.origin);
            if n == 1 {
                // One iteration is X25519(9, 9): the fixed-base path must agree.
                let base = x25519::x25519_base_with(backend, &x25519::BASEPOINT).unwrap();
                assert_eq!(base.as_slice(), want, "{} [{name}] fixed-base", r.origin);
            }
        } else if r.opt("6.1 Diffie-Hellman").is_some() {
            let (a_priv, a_pub) = (arr(&r.hex("ALICE_PRIVATE")), arr(&r.hex("ALICE_PUBLIC")));
            let (b_priv, b_pub) = (arr(&r.hex("BOB_PRIVATE")), arr(&r.hex("BOB_PUBLIC")));
            let shared = arr(&r.hex("SHARED"));
            let alice = PrivateKey::from_bytes(&a_priv).with_backend(backend).unwrap();
            let bob = PrivateKey::from_bytes(&b_priv).with_backend(backend).unwrap();
            assert_eq!(alice.public_key().to_bytes(), a_pub, "[{name}] Alice's public key");
            assert_eq!(bob.public_key().to_bytes(), b_pub, "[{name}] Bob's public key");
            assert_eq!(x25519::x25519_with(backend, &a_priv, &x25519::BASEPOINT).unwrap(), a_pub);
            assert_eq!(x25519::x25519_base_with(backend, &b_priv).unwrap(), b_pub);
            let ab = alice.diffie_hellman(&PublicKey::from_bytes(&b_pub)).unwrap();
            let ba = bob.diffie_hellman(&PublicKey::from_bytes(&a_pub)).unwrap();
            assert_eq!(ab.as_bytes(), &shared, "[{name}] Alice's shared secret");
            assert_eq!(ba.as_bytes(), &shared, "[{name}] Bob's shared secret");
        } else {
            panic!("{}: record outside the known blocks: {:?}", r.origin, r.field_names());
        }
        seen += 1;
        tally.pass(RFC, name);
    }
    assert_eq!(seen, if long { 6 } else { 5 }, "{RFC}: unexpected record count");
}

#[test]
fn rfc7748_vectors() {
    let mut tally = Tally::default();
    for b in backends() {
        rfc7748(b, false, &mut tally);
    }
    assert!(tally.report() > 0);
}

#[test]
#[ignore = "1,000,000 ladder runs per backend: minutes"]
fn rfc7748_iterated_1m() {
    for b in backends() {
        let want = common::unhex("7c3911e0ab2586fd864497297e575e6f3bc601c0883c30df5f4dd2d24f665424");
        assert_eq!(iterate(b, 1_000_000).as_slice(), want, "[{b}]");
        println!("{RFC} [{b}]: 1,000,000 iterations passed");
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    #[serde(rename = "type")]
    kind: String,
    source: Source,
    curve: String,
    tests: Vec<Case>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[serde(rename = "tcId")]
    id: usize,
    comment: String,
    flags: Vec<String>,
    public: HexBytes,
    private: HexBytes,
    shared: HexBytes,
    result: Expect,
}

#[test]
fn wycheproof() {
    let file = common::wycheproof::<Group>(WYCHEPROOF, |g| g.tests.iter().map(|t| t.flags.clone()).collect());
    assert_eq!(file.algorithm, "XDH");
    let mut tally = Tally::default();
    let mut zero_cases = 0;
    for b in backends() {
        let name = b.name();
        for g in &file.test_groups {
            assert_eq!((g.kind.as_str(), g.curve.as_str()), ("XdhComp", "curve25519"));
            assert!(!g.source.name.is_empty() && !g.source.version.is_empty());
            for t in &g.tests {
                let what = format!("{WYCHEPROOF} tc {} ({}) [{name}]", t.id, t.comment);
                let (k, u) = (arr(&t.private.0), arr(&t.public.0));
                let zero = t.flags.iter().any(|f| f == "ZeroSharedSecret");
                let out = x25519::x25519_with(b, &k, &u).unwrap();
                let dh =
                    PrivateKey::from_bytes(&k).with_backend(b).unwrap().diffie_hellman(&PublicKey::from(u));
                match t.result {
                    // Every acceptable case here is one RFC 7748 defines
                    // (twist points, non-canonical u, low-order points): we
                    // accept them, so the result must be the RFC's value.
                    Expect::Valid | Expect::Acceptable => {
                        assert_eq!(out.as_slice(), t.shared.0, "{what}");
                        if zero {
                            // Low order: the raw function gives zeros and
                            // the key exchange refuses them (TLS 1.3).
                            assert_eq!(out, [0; 32], "{what}");
                            assert_eq!(dh.unwrap_err(), Error::ZeroSharedSecret, "{what}");
                            assert_eq!(t.result, Expect::Acceptable, "{what}");
                            zero_cases += 1;
                        } else {
                            assert_ne!(out, [0; 32], "{what}");
                            assert_eq!(dh.unwrap().as_bytes(), &out, "{what}");
                        }
                    }
                    Expect::Invalid => assert!(dh.is_err(), "{what}: must be rejected"),
                }
                tally.pass(WYCHEPROOF, name);
            }
        }
    }
    assert!(zero_cases > 0);
    assert_eq!(tally.report(), file.number_of_tests * backends().len());
}

#[test]
fn api_edges() {
    // Debug never prints secrets.
    let sk = PrivateKey::from_bytes(&[0x42; 32]);
    assert!(!format!("{sk:?}").contains("42"));
    let ss = sk.diffie_hellman(&PublicKey::from(x25519::BASEPOINT)).unwrap();
    assert_eq!(format!("{ss:?}"), "x25519::SharedSecret(..)");
    // Public keys: length checked, bytes kept as given.
    assert_eq!(
        PublicKey::try_from(&[0u8; 31][..]).unwrap_err(),
        Error::BadLength { what: "X25519 public key" }
    );
    assert_eq!(PublicKey::try_from(&[7u8; 32][..]).unwrap().to_bytes(), [7; 32]);
    // The all-zero point is refused.
    assert_eq!(sk.diffie_hellman(&PublicKey::from([0; 32])).unwrap_err(), Error::ZeroSharedSecret);
    // generate: from the given RNG, and its failure is passed on.
    let seed = [0x5a; 32];
    let k = PrivateKey::generate(&mut Replay::new(&seed)).unwrap();
    assert_eq!(k.to_bytes(), seed);
    assert_eq!(k.public_key().to_bytes(), x25519::x25519(&seed, &x25519::BASEPOINT));
    assert_eq!(PrivateKey::generate(&mut Replay::new(&[0; 31])).unwrap_err(), Error::RandomFailed);
    let os = PrivateKey::generate(&mut ironseal::rand::OsRng).unwrap();
    assert_ne!(os.to_bytes(), [0; 32]);
    // Backends the CPU lacks are refused, never run.
    for b in [Backend::X86MulxAdx, Backend::Portable] {
        let ok = ironseal::cpu::is_available(Primitive::X25519, b);
        assert_eq!(x25519::x25519_with(b, &seed, &seed).is_ok(), ok);
        assert_eq!(x25519::x25519_base_with(b, &seed).is_ok(), ok);
        assert_eq!(PrivateKey::from_bytes(&seed).with_backend(b).is_ok(), ok);
    }
    assert_eq!(
        x25519::x25519_with(Backend::X86ShaNi, &seed, &seed),
        Err(Error::BackendUnavailable(Backend::X86ShaNi))
    );
    assert!(backends().contains(&x25519::backend()));
}

/// u-coordinates that stress the reductions: near 0, near p, near 2^255 and
/// 2^256 (the top bit is masked), plus random ones.
fn any_u() -> impl Strategy<Value = [u8; 32]> {
    let p_minus = |d: u8| {
        let mut u = [0xff; 32];
        u[0] = 0xed - d;
        u[31] = 0x7f;
        u
    };
    prop_oneof![
        4 => any::<[u8; 32]>(),
        1 => (0u8..=255).prop_map(|x| { let mut u = [0; 32]; u[0] = x; u }),
        1 => (0u8..40).prop_map(p_minus),
        1 => (0u8..40).prop_map(move |d| { let mut u = p_minus(d); u[31] |= 0x80; u }),
        1 => (0u8..40).prop_map(|d| { let mut u = [0xff; 32]; u[0] = 0xff - d; u }),
    ]
}

proptest! {
    #![proptest_config(common::proptest_config(64))]

    #[test]
    fn backends_agree(k in any::<[u8; 32]>(), u in any_u()) {
        let want = x25519::x25519_with(Backend::Portable, &k, &u).unwrap();
        let want_base = x25519::x25519_base_with(Backend::Portable, &k).unwrap();
        for b in backends() {
            prop_assert_eq!(x25519::x25519_with(b, &k, &u).unwrap(), want, "[{}]", b);
            prop_assert_eq!(x25519::x25519_base_with(b, &k).unwrap(), want_base, "[{}]", b);
        }
        prop_assert_eq!(x25519::x25519(&k, &u), want);
    }

    #[test]
    fn base_is_ladder_at_nine(k in any::<[u8; 32]>()) {
        for b in backends() {
            prop_assert_eq!(
                x25519::x25519_base_with(b, &k).unwrap(),
                x25519::x25519_with(b, &k, &x25519::BASEPOINT).unwrap(),
                "[{}]", b
            );
        }
    }

    #[test]
    fn diffie_hellman_commutes(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
        for backend in backends() {
            let a = PrivateKey::from_bytes(&a).with_backend(backend).unwrap();
            let b = PrivateKey::from_bytes(&b).with_backend(backend).unwrap();
            let ab = a.diffie_hellman(&b.public_key()).unwrap();
            let ba = b.diffie_hellman(&a.public_key()).unwrap();
            prop_assert_eq!(ab.as_bytes(), ba.as_bytes(), "[{}]", backend);
        }
    }

    #[test]
    fn exchange_with_ring(ours in any::<[u8; 32]>()) {
        use ring::agreement::{agree_ephemeral, EphemeralPrivateKey, UnparsedPublicKey, X25519};
        let rng = ring::rand::SystemRandom::new();
        for backend in backends() {
            let ring_sk = EphemeralPrivateKey::generate(&X25519, &rng).unwrap();
            let ring_pk = PublicKey::try_from(ring_sk.compute_public_key().unwrap().as_ref()).unwrap();
            let sk = PrivateKey::from_bytes(&ours).with_backend(backend).unwrap();
            let our_pk = sk.public_key();
            let ours_ss = sk.diffie_hellman(&ring_pk).unwrap();
            let ring_ss = agree_ephemeral(ring_sk, &UnparsedPublicKey::new(&X25519, our_pk.as_bytes()), |s| s.to_vec())
                .unwrap();
            prop_assert_eq!(ours_ss.as_bytes().as_slice(), ring_ss.as_slice(), "[{}]", backend);
        }
    }
}
