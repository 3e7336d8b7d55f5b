//! Big-integer arithmetic against a slow reference (`common::RefNum`), on
//! every backend this build implements and this CPU runs, with random moduli
//! of 1 to 64 limbs and hand-picked edge values.

mod common;

use common::RefNum;
use ironseal::bigint::{self, Modulus};
use ironseal::cpu::{Backend, Primitive};
use proptest::prelude::*;

struct M;

/// Backends to test: every one this CPU offers that this build implements.
fn backends() -> Vec<Backend> {
    let all = common::backends(Primitive::BigInt);
    for b in &all {
        if !bigint::IMPLEMENTED.contains(b) {
            println!("bigint: backend {b} is offered by the CPU but not implemented in this build");
        }
    }
    all.into_iter().filter(|b| bigint::IMPLEMENTED.contains(b)).collect()
}

fn modulus(n: &RefNum, b: Backend) -> Modulus<M> {
    Modulus::with_backend(&n.to_be(8 * n.0.len()), b).unwrap()
}

/// An odd modulus of exactly `limbs` limbs from random words.
fn odd_modulus(mut w: Vec<u64>) -> RefNum {
    w[0] |= 1;
    let last = w.len() - 1;
    if w[last] == 0 {
        w[last] = 1;
    }
    RefNum::from_limbs(&w)
}

fn below(x: Vec<u64>, n: &RefNum) -> RefNum {
    RefNum::from_limbs(&x).rem(n)
}

fn check_mul_add_sub(n: &RefNum, a: &RefNum, b: &RefNum) {
    for be in backends() {
        let m = modulus(n, be);
        let len = m.limbs();
        let ea = m.elem_from_limbs(&a.limbs(len)).unwrap();
        let eb = m.elem_from_limbs(&b.limbs(len)).unwrap();
        let (ma, mb) = (m.to_mont(&ea), m.to_mont(&eb));
        let prod = m.from_mont(&m.mul(&ma, &mb));
        assert_eq!(RefNum::from_limbs(m.elem_limbs(&prod)), a.mul(b).rem(n), "{be}: mul");
        let mixed = m.mul_mixed(&ma, &eb);
        assert_eq!(RefNum::from_limbs(m.elem_limbs(&mixed)), a.mul(b).rem(n), "{be}: mul_mixed");
        let sum = m.from_mont(&m.add(&ma, &mb));
        assert_eq!(RefNum::from_limbs(m.elem_limbs(&sum)), a.add(b).rem(n), "{be}: add");
        let diff = m.from_mont(&m.sub(&ma, &mb));
        assert_eq!(RefNum::from_limbs(m.elem_limbs(&diff)), a.add(n).sub(b).rem(n), "{be}: sub");
        let sq = m.from_mont(&m.square(&ma));
        assert_eq!(RefNum::from_limbs(m.elem_limbs(&sq)), a.mul(a).rem(n), "{be}: square");
    }
}

fn check_pow(n: &RefNum, a: &RefNum, e: &[u64]) {
    let er = RefNum::from_limbs(e);
    let expect = a.modpow(&er, n);
    for be in backends() {
        let m = modulus(n, be);
        let ea = m.elem_from_limbs(&a.limbs(m.limbs())).unwrap();
        let got = m.from_mont(&m.pow(&m.to_mont(&ea), e));
        assert_eq!(RefNum::from_limbs(m.elem_limbs(&got)), expect, "{be}: pow");
        let ebytes = er.to_be(8 * e.len());
        let got = m.from_mont(&m.pow_vartime(&m.to_mont(&ea), &ebytes));
        assert_eq!(RefNum::from_limbs(m.elem_limbs(&got)), expect, "{be}: pow_vartime");
    }
}

fn check_reduce(n: &RefNum, x: &[u64]) {
    let expect = RefNum::from_limbs(x).rem(n);
    for be in backends() {
        let m = modulus(n, be);
        let got = m.from_mont(&m.reduce(x));
        assert_eq!(RefNum::from_limbs(m.elem_limbs(&got)), expect, "{be}: reduce");
    }
}

fn check_inv(n: &RefNum, a: &RefNum) {
    for be in backends() {
        let m = modulus(n, be);
        let ea = m.elem_from_limbs(&a.limbs(m.limbs())).unwrap();
        let coprime = a.gcd(n) == RefNum::from_u64(1);
        match m.inv_vartime(&ea) {
            Some(i) => {
                assert!(coprime);
                let i = RefNum::from_limbs(m.elem_limbs(&i));
                assert!(i.less(n));
                assert_eq!(i.mul(a).rem(n), RefNum::from_u64(1), "{be}: inverse");
            }
            None => assert!(!coprime, "{be}: no inverse of a unit"),
        }
    }
}

fn limbs(max: usize) -> impl Strategy<Value = Vec<u64>> {
    (1..=max).prop_flat_map(|l| prop::collection::vec(any::<u64>(), l))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn mul_add_sub_match_reference((n, a, b) in limbs(64).prop_flat_map(|w| {
        let l = w.len();
        (Just(w), prop::collection::vec(any::<u64>(), l), prop::collection::vec(any::<u64>(), l))
    })) {
        let n = odd_modulus(n);
        check_mul_add_sub(&n, &below(a, &n), &below(b, &n));
    }

    /// The sizes of RSA moduli and their primes, where the x86_64 backend has
    /// straight-line squares (16 and 32 words) and four-word steps (all).
    #[test]
    fn rsa_sizes_match_reference((n, a, b) in prop::sample::select(vec![16usize, 24, 32]).prop_flat_map(|l| (
        prop::collection::vec(any::<u64>(), l),
        prop::collection::vec(any::<u64>(), l),
        prop::collection::vec(any::<u64>(), l),
    ))) {
        let n = odd_modulus(n);
        check_mul_add_sub(&n, &below(a, &n), &below(b, &n));
    }

    #[test]
    fn pow_matches_reference(n in limbs(6), a in prop::collection::vec(any::<u64>(), 6),
                             e in prop::collection::vec(any::<u64>(), 0..=4)) {
        let n = odd_modulus(n);
        check_pow(&n, &below(a, &n), &e);
    }

    #[test]
    fn reduce_matches_reference(n in limbs(8), x in prop::collection::vec(any::<u64>(), 0..=24)) {
        check_reduce(&odd_modulus(n), &x);
    }

    #[test]
    fn inverse_is_inverse(n in limbs(8), a in prop::collection::vec(any::<u64>(), 8)) {
        let n = odd_modulus(n);
        let a = below(a, &n);
        prop_assume!(!a.is_zero());
        check_inv(&n, &a);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every fast backend gives the portable backend's results (products and
    /// exponentiations, moduli up to 64 limbs, no reference needed).
    #[test]
    fn backends_agree_with_portable(n in limbs(64), seed in any::<u64>()) {
        let n = odd_modulus(n);
        let len = n.0.len();
        let mut s = seed;
        let mut next = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); s };
        let a: Vec<u64> = (0..len).map(|_| next()).collect();
        let e: Vec<u64> = (0..len.min(8)).map(|_| next()).collect();
        let a = below(a, &n);
        let port = modulus(&n, Backend::Portable);
        let pa = port.to_mont(&port.elem_from_limbs(&a.limbs(len)).unwrap());
        let want_mul = port.from_mont(&port.mul(&pa, &pa));
        let want_pow = port.from_mont(&port.pow(&pa, &e));
        for be in backends() {
            let m = modulus(&n, be);
            let ma = m.to_mont(&m.elem_from_limbs(&a.limbs(len)).unwrap());
            let got_mul = m.from_mont(&m.mul(&ma, &ma));
            let got_pow = m.from_mont(&m.pow(&ma, &e));
            prop_assert_eq!(m.elem_limbs(&got_mul), port.elem_limbs(&want_mul));
            prop_assert_eq!(m.elem_limbs(&got_pow), port.elem_limbs(&want_pow));
        }
    }
}

#[test]
fn edge_values() {
    let sizes = [1usize, 2, 3, 4, 8, 16, 17, 24, 32, 48, 64, 128];
    for &l in &sizes {
        // All-ones modulus and 2^(64l - 1) + 1: carries through every limb.
        for n in [
            RefNum::from_limbs(&vec![u64::MAX; l]),
            RefNum::from_u64(1).shl(64 * l - 1).add(&RefNum::from_u64(1)),
        ] {
            let top = n.sub(&RefNum::from_u64(1));
            let one = RefNum::from_u64(1);
            check_mul_add_sub(&n, &top, &top);
            check_mul_add_sub(&n, &top, &one);
            check_mul_add_sub(&n, &RefNum(vec![]), &top);
            check_reduce(&n, &vec![u64::MAX; 3 * l]);
            if l <= 3 {
                check_pow(&n, &top, &[u64::MAX, 7]);
                check_pow(&n, &RefNum(vec![]), &[0]);
                check_pow(&n, &top, &[0]);
            }
        }
    }
    // The smallest modulus.
    let three = RefNum::from_u64(3);
    check_mul_add_sub(&three, &RefNum::from_u64(2), &RefNum::from_u64(2));
    check_pow(&three, &RefNum::from_u64(2), &[5]);
    check_inv(&three, &RefNum::from_u64(2));
    // Not invertible.
    check_inv(&RefNum::from_u64(15), &RefNum::from_u64(6));
}

#[test]
fn encoding_rejects() {
    for be in backends() {
        assert!(Modulus::<M>::with_backend(&[], be).is_err());
        assert!(Modulus::<M>::with_backend(&[0, 0, 0], be).is_err());
        assert!(Modulus::<M>::with_backend(&[0x10, 0], be).is_err());
        assert!(Modulus::<M>::with_backend(&[0, 1], be).is_err());
        assert!(Modulus::<M>::with_backend(&vec![0xff; 1025], be).is_err());
        let m = Modulus::<M>::with_backend(&vec![0xff; 1024], be).unwrap();
        assert_eq!((m.bits(), m.byte_len(), m.limbs()), (8192, 1024, 128));
        assert!(m.elem_from_be_bytes(&vec![0xff; 1024]).is_err());
        assert!(m.elem_from_be_bytes(&[1; 1025]).is_err());
        let mut x = vec![0u8; 1025];
        x[1024] = 5;
        let e = m.elem_from_be_bytes(&x).unwrap();
        let mut out = [0u8; 1024];
        m.elem_to_be_bytes(&e, &mut out).unwrap();
        assert_eq!(out[1023], 5);
        assert!(m.elem_to_be_bytes(&e, &mut [0u8; 1023]).is_err());
    }
}

/// A generator stuck on one value: Miller-Rabin bases of 1 made the
/// constant-time test draw forever and the variable-time one (for w - 1
/// with more than 8 factors of 2) count the round as passed, so a composite
/// came out prime. Both now give up with `RandomFailed`.
#[test]
fn stuck_generator_fails_primality_test() {
    use ironseal::rand::Rng;
    struct StuckAtOne(usize);
    impl Rng for StuckAtOne {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), ironseal::Error> {
            self.0 += 1;
            assert!(self.0 < 100_000, "the primality test keeps drawing");
            dest.fill(0);
            if let Some(last) = dest.last_mut() {
                *last = 1;
            }
            Ok(())
        }
    }
    // 2^61 - 1 (prime; w - 1 has one factor of 2), 12289 = 3 2^12 + 1 and
    // 65537 (primes with 12 and 16), 1031 * 2999 (composite with 9).
    let cases: [&[u8]; 4] =
        [&((1u64 << 61) - 1).to_be_bytes(), &[0x30, 0x01], &[1, 0, 1], &[0x2f, 0x2e, 0x01]];
    for value in cases {
        for be in backends() {
            let r = bigint::prime::is_probable_prime_vartime_with_backend(value, 5, &mut StuckAtOne(0), be);
            assert_eq!(r, Err(ironseal::Error::RandomFailed), "{value:02x?} [{be}]");
        }
        // A working generator still decides.
        let r = bigint::prime::is_probable_prime_vartime(value, 5, &mut ironseal::rand::OsRng);
        assert_eq!(r, Ok(value != [0x2f, 0x2e, 0x01]), "{value:02x?}");
    }
}
