//! RSA key generation (FIPS 186-5 Appendix A.1.3, random probable primes):
//! e = 65537, primes of exactly nlen / 2 bits with the top two bits set,
//! Miller-Rabin rounds per Table B.1, |p - q| > 2^(nlen/2 - 100).
//!
//! The private exponents are computed without division or secret branches:
//! for x = p - 1 (or q - 1, or (p - 1)(q - 1)), e^-1 mod x = (1 + k x) / e with
//! k = -x^-1 mod e, where x mod e and the exact division by e use only
//! multiplications. d is taken modulo (p - 1)(q - 1) (not the LCM).

use super::{PrivateComponents, RsaPrivateKey};
use crate::Error;
use crate::bigint::{self, Modulus, prime};
use crate::ct;
use crate::rand::Rng;

const E: u64 = 65537;

/// Marker for the prime p while the key is being assembled.
struct Pm;

impl RsaPrivateKey {
    /// A new random key of `bits` bits (2048, 3072 or 4096) with e = 65537.
    pub fn generate(bits: usize, rng: &mut impl Rng) -> Result<Self, Error> {
        if !matches!(bits, 2048 | 3072 | 4096) {
            return Err(Error::Unsupported { what: "RSA key size (2048, 3072 or 4096 bits)" });
        }
        for _ in 0..8 {
            let mut p = prime::random_rsa_prime(bits / 2, rng)?;
            let mut q = prime::random_rsa_prime(bits / 2, rng)?;
            let key = if far_apart(&p, &q, bits) { Some(assemble(&p, &q)) } else { None };
            ct::wipe_words(&mut p);
            ct::wipe_words(&mut q);
            if let Some(key) = key {
                return key;
            }
        }
        Err(Error::RandomFailed)
    }
}

/// Whether |p - q| > 2^(nlen/2 - 100) (FIPS 186-5 A.1.3 step 5.4). Computed
/// in constant time; only the answer is revealed.
fn far_apart(p: &[u64], q: &[u64], nbits: usize) -> bool {
    let len = p.len();
    let (mut d1, mut d2) = (vec![0u64; len], vec![0u64; len]);
    let (mut b1, mut b2) = (0u64, 0u64);
    for i in 0..len {
        let (x, b) = sub_borrow(p[i], q[i], b1);
        d1[i] = x;
        b1 = b;
        let (y, b) = sub_borrow(q[i], p[i], b2);
        d2[i] = y;
        b2 = b;
    }
    // p < q exactly when p - q borrowed.
    let mask = b1.wrapping_neg();
    let bit = nbits / 2 - 100;
    let mut high = 0u64;
    for (i, (&x, &y)) in d1.iter().zip(&d2).enumerate() {
        let v = ct::select_u64(mask, y, x);
        // Bits at positions >= bit, plus the bit itself only matters when
        // the rest are zero; "greater than 2^bit" is approximated as
        // "some bit at or above bit + 1 is set", which is stricter.
        let lo = 64 * i;
        let keep = if lo + 64 <= bit + 1 {
            0
        } else if lo > bit {
            u64::MAX
        } else {
            u64::MAX << (bit + 1 - lo)
        };
        high |= v & keep;
    }
    ct::wipe_words(&mut d1);
    ct::wipe_words(&mut d2);
    ct::eq_mask_u64(high, 0) == 0
}

fn sub_borrow(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let r = u128::from(a).wrapping_sub(u128::from(b)).wrapping_sub(u128::from(borrow));
    (r as u64, (r >> 127) as u64)
}

/// `e^-1 mod x` for x with x mod e != 0 (e = 65537 is prime). Constant time.
fn inv_e_mod(x: &[u64]) -> Vec<u64> {
    let r = prime::mod_65537(x);
    // r^(e - 2) mod e: a fixed public exponent, so a fixed sequence.
    let mut rinv = 1u64;
    for i in (0..17).rev() {
        rinv = rinv * rinv % E;
        if ((E - 2) >> i) & 1 == 1 {
            rinv = rinv * r % E;
        }
    }
    let k = E - rinv; // k x = -1 (mod e)
    // t = 1 + k x, one limb longer than x.
    let mut t = vec![0u64; x.len() + 1];
    let mut carry = 1u128;
    for (ti, &xi) in t.iter_mut().zip(x) {
        let v = u128::from(xi) * u128::from(k) + carry;
        *ti = v as u64;
        carry = v >> 64;
    }
    t[x.len()] = carry as u64;
    // Exact division by e: each quotient limb is the low limb times e^-1
    // mod 2^64; the high half of q e is carried as a borrow.
    let e_inv = {
        let mut y = E; // e e = 1 mod 8
        for _ in 0..5 {
            y = y.wrapping_mul(2u64.wrapping_sub(E.wrapping_mul(y)));
        }
        y
    };
    let mut c = 0u64;
    for ti in t.iter_mut() {
        let (v, b) = sub_borrow(*ti, c, 0);
        let qi = v.wrapping_mul(e_inv);
        c = ((u128::from(qi) * u128::from(E)) >> 64) as u64 + b;
        *ti = qi;
    }
    t.truncate(x.len());
    t
}

/// The key with primes p and q (limbs, equal lengths).
fn assemble(p: &[u64], q: &[u64]) -> Result<RsaPrivateKey, Error> {
    let len = p.len();
    let mut n = vec![0u64; 2 * len];
    bigint::mul_limbs(&mut n, p, q);
    let mut pm1 = p.to_vec();
    pm1[0] &= !1;
    let mut qm1 = q.to_vec();
    qm1[0] &= !1;
    let mut phi = vec![0u64; 2 * len];
    bigint::mul_limbs(&mut phi, &pm1, &qm1);
    let mut d = inv_e_mod(&phi);
    let mut dp = inv_e_mod(&pm1);
    let mut dq = inv_e_mod(&qm1);
    // qinv = q^(p - 2) mod p (p is prime).
    let be = |x: &[u64]| {
        let mut out = vec![0u8; 8 * x.len()];
        bigint::limbs_to_be(x, &mut out);
        out
    };
    let mut p_bytes = be(p);
    let pm = Modulus::<Pm>::from_be_bytes(&p_bytes)?;
    // p - 2 = (p - 1) - 1, by a borrow chain.
    let mut pm2 = pm1.clone();
    let mut borrow = 1u64;
    for (o, &x) in pm2.iter_mut().zip(&pm1) {
        let (v, b) = sub_borrow(x, borrow, 0);
        *o = v;
        borrow = b;
    }
    let qinv = pm.from_mont(&pm.pow(&pm.reduce(q), &pm2));
    let mut qinv_bytes = vec![0u8; 8 * len];
    pm.elem_to_be_bytes(&qinv, &mut qinv_bytes)?;
    let (mut n_b, mut d_b, mut q_b, mut dp_b, mut dq_b) = (be(&n), be(&d), be(q), be(&dp), be(&dq));
    let key = RsaPrivateKey::from_components(&PrivateComponents {
        n: &n_b,
        e: &E.to_be_bytes(),
        d: &d_b,
        p: &p_bytes,
        q: &q_b,
        dp: &dp_b,
        dq: &dq_b,
        qinv: &qinv_bytes,
    });
    for v in [&mut n_b, &mut d_b, &mut q_b, &mut dp_b, &mut dq_b, &mut p_bytes, &mut qinv_bytes] {
        ct::wipe(v);
    }
    for v in [&mut pm1, &mut qm1, &mut phi, &mut d, &mut dp, &mut dq, &mut pm2] {
        ct::wipe_words(v);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_e() {
        // x = 2^64 + 10: e^-1 mod x times e is 1 mod x.
        for x in [[10u64, 1], [u64::MAX - 1, 3], [12345, 0x8000_0000_0000_0000]] {
            let inv = inv_e_mod(&x);
            let xv = (u128::from(x[1]) << 64) | u128::from(x[0]);
            let iv = (u128::from(inv[1]) << 64) | u128::from(inv[0]);
            assert!(iv < xv);
            // (iv * e) mod xv, without overflow: iv < 2^128 / 2^17 is not
            // guaranteed, so reduce e * iv by repeated addition mod xv.
            let mut acc = 0u128;
            for _ in 0..E {
                acc = (acc + iv) % xv;
            }
            assert_eq!(acc, 1, "{x:?}");
        }
    }

    #[test]
    fn distance_check() {
        let p = vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 << 63];
        let mut q = p.clone();
        q[0] = 5;
        assert!(!far_apart(&p, &q, 2048));
        q[15] |= 1;
        assert!(far_apart(&p, &q, 2048));
        assert!(far_apart(&q, &p, 2048));
    }
}
